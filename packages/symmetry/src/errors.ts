/**
 * Error classes of the symmetry package. Messages name the thing (space, parameter, plugin id), the
 * value seen and what was expected.
 */

/** A SymmetrySpec (or its JSON form) is malformed or does not fit the parameters. */
export class SpecError extends Error {
  override readonly name = 'SpecError';
}

/** A transform does not fit the spec, or an element is malformed. */
export class TransformError extends Error {
  override readonly name = 'TransformError';
}

/** A registry lookup or registration failed (duplicate or unknown id, unsatisfied need). */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
}

/** A pipeline configuration is invalid, or a step returned something it must not. */
export class PipelineError extends Error {
  override readonly name = 'PipelineError';
}
