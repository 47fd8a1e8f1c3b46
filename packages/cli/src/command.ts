/** The shape of a `symfuse` subcommand. */

/** What a command gets besides its arguments. */
export interface CommandEnv {
  /** Standard output (results: tables, JSON). */
  readonly stdout: NodeJS.WritableStream;
  /** Environment variables. */
  readonly env: NodeJS.ProcessEnv;
}

/** A subcommand. */
export interface Command {
  readonly name: string;
  /** One line for `symfuse --help`. */
  readonly summary: string;
  /** The full `--help` text. */
  readonly help: string;
  /** Runs the command; returns the exit code. Throws UsageError / CliError for failures. */
  run(argv: readonly string[], env: CommandEnv): Promise<number>;
}

/** Writes `text` (plus a newline) to stdout. */
export function print(env: CommandEnv, text: string): void {
  env.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}
