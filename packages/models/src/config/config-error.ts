/** One problem found in a configuration: the field (as spelled in config.json) and what is wrong. */
export interface ConfigIssue {
  /** Dotted path of the field, e.g. `hidden_act` or `id2label.3`. */
  readonly field: string;
  /** The value found, the expectation, and the supported values when there is a list. */
  readonly message: string;
}

/**
 * A Hugging Face `config.json` that symfuse cannot use. Carries every problem found, not just the
 * first, so one run shows everything to fix.
 */
export class ModelConfigError extends Error {
  constructor(
    /** Where the configuration came from (a path, or a label given by the caller). */
    readonly source: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(`config ${source}: ${issues.map((i) => `${i.field} ${i.message}`).join('; ')}`);
    this.name = 'ModelConfigError';
  }
}
