/**
 * The one error type of the safetensors reader and writer. Every message names the file (or `<buffer>`),
 * the tensor when there is one, the value seen and what was expected, so a corrupt or hostile file can
 * be diagnosed from the message alone.
 */
export class SafetensorsError extends Error {
  constructor(
    /** The file path, or `<buffer>` for in-memory data. */
    readonly file: string,
    /** The tensor the problem concerns, when there is one. */
    readonly tensor: string | undefined,
    /** What was wrong: value seen and value expected. */
    readonly detail: string,
  ) {
    super(`safetensors ${file}${tensor === undefined ? '' : `, tensor ${JSON.stringify(tensor)}`}: ${detail}`);
    this.name = 'SafetensorsError';
  }
}
