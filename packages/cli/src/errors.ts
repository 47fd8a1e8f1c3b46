/**
 * The CLI's error classes and exit codes: 0 success, 1 failure (a one-line cause on stderr), 2 usage
 * error (a bad flag, a bad config file, an unknown id or data source), 130 interrupted (Ctrl-C).
 */

/** Exit codes of `symfuse`. */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/** A problem with how the command was invoked (flags, config file, ids): exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose `--help` to point at. */
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure while doing the work (missing input, existing output, bad weights…): exit code 1. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

/** The work was interrupted by a signal: exit code 130, nothing written. */
export class InterruptedError extends Error {
  constructor(readonly signal: string) {
    super(`interrupted by ${signal}; no output was written`);
    this.name = 'InterruptedError';
  }
}

/** One line: the message's lines joined, list markers removed (the CLI prints causes on one line). */
export function oneLine(message: string): string {
  return message
    .split('\n')
    .map((l) => l.trim().replace(/^- /, ''))
    .filter(Boolean)
    .join('; ');
}
