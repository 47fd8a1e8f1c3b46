/**
 * Errors of the tensor runtime. Every message names the op, what was seen and what was expected,
 * so that a user can fix the call without reading the source.
 */

/** Base class of every error symfuse's tensor runtime throws on bad input. */
export class TensorError extends Error {
  constructor(
    /** The op or function that rejected its input, e.g. `matmul`. */
    readonly op: string,
    message: string,
  ) {
    super(`${op}: ${message}`);
    this.name = new.target.name;
  }
}

/** Shapes that do not fit the op's contract. */
export class ShapeError extends TensorError {}
/** A dtype the op does not accept. */
export class DTypeError extends TensorError {}
/** A value out of range (NaN, Inf, negative size, bad axis…). */
export class ValueError extends TensorError {}
/** Use of a tensor after `dispose()`. */
export class DisposedError extends TensorError {}
/** No implementation of a kernel for a backend. */
export class MissingKernelError extends TensorError {}

/** Formats a shape as `[2, 3]` for messages. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
