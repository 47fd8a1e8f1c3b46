/**
 * The `symfuse` command: dispatches to a subcommand, maps errors to exit codes (0 ok, 1 failure with a
 * one-line cause, 2 usage error, 130 interrupted) and makes Ctrl-C leave no partial output.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command, CommandEnv } from './command.js';
import { commands } from './commands/index.js';
import { CliError, EXIT, oneLine, UsageError } from './errors.js';
import { cleanupStaging } from './staging.js';
import { cliVersion } from './version.js';

function topHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `symfuse ${cliVersion()} — align transformer models through the symmetries of their parameter space, then merge them.`,
    '',
    'usage: symfuse <command> [options]        symfuse <command> --help',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Common options: --help, --json (machine-readable result), --quiet (no progress), --backend cpu|webgpu',
    '(where forward passes run: evaluation, statistics, verify, predict; default cpu; solves and merging stay in f64 on the CPU).',
    'Data sources (--data): sotu, moby-dick, sotu+moby-dick, party[:ERA,…], spam[:DOMAIN,…], or a .txt / .jsonl file.',
    'Exit codes: 0 success, 1 failure (one-line cause on stderr), 2 usage error, 130 interrupted.',
    '',
  ].join('\n');
}

/** Looks a command up by name. */
export function findCommand(name: string): Command | undefined {
  return commands.find((c) => c.name === name);
}

/**
 * Runs `symfuse` with `argv` (without the node and script paths).
 * @returns the exit code.
 */
export async function main(argv: readonly string[], env: CommandEnv = { stdout: process.stdout, env: process.env }): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    env.stdout.write(topHelp());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    env.stdout.write(`${cliVersion()}\n`);
    return EXIT.ok;
  }
  const command = findCommand(name);
  try {
    if (!command) throw new UsageError(`unknown command '${name}'; commands: ${commands.map((c) => c.name).join(', ')}`);
    return await command.run(rest, env);
  } catch (e) {
    cleanupStaging();
    if (e instanceof UsageError) {
      process.stderr.write(`symfuse${e.command ? ` ${e.command}` : ''}: usage error: ${oneLine(e.message)}\n(see 'symfuse ${e.command ?? ''}${e.command ? ' ' : ''}--help')\n`);
      return EXIT.usage;
    }
    const err = e as Error;
    const cause = oneLine(err.message ?? String(e));
    process.stderr.write(`symfuse${command ? ` ${command.name}` : ''}: error: ${e instanceof CliError ? cause : `${err.name ?? 'Error'}: ${cause}`}\n`);
    if (process.env.SYMFUSE_DEBUG && err.stack) process.stderr.write(`${err.stack}\n`);
    return EXIT.failure;
  }
}

/** Ctrl-C / SIGTERM: remove staging directories, say so, exit 130 (143 for SIGTERM). */
function installSignalHandlers(): void {
  const onSignal = (signal: NodeJS.Signals) => {
    cleanupStaging();
    process.stderr.write(`\nsymfuse: interrupted by ${signal}; no output was written\n`);
    process.exit(signal === 'SIGINT' ? EXIT.interrupted : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

/** The process entry: signal handlers, `main(process.argv.slice(2))`, the exit code. */
export async function runCli(): Promise<void> {
  installSignalHandlers();
  process.exitCode = await main(process.argv.slice(2));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await runCli();
