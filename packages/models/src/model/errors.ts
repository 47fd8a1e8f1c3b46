/**
 * Errors of the encoder model code. Each message names the thing rejected (config field, parameter,
 * input), the value seen and what is supported.
 */

/** Base class of the model errors; `subject` is the field, parameter or input at fault. */
export class ModelError extends Error {
  constructor(
    /** The config field, parameter name or input that was rejected, e.g. `hiddenAct`. */
    readonly subject: string,
    message: string,
  ) {
    super(`${subject}: ${message}`);
    this.name = new.target.name;
  }
}

/** A configuration the encoder family does not support. */
export class UnsupportedConfigError extends ModelError {}

/** Parameters that do not match the configuration (missing, unexpected, wrong shape or dtype). */
export class ParamMismatchError extends ModelError {}

/** A batch that does not fit the model (ids out of range, wrong lengths, too long). */
export class ModelInputError extends ModelError {}
