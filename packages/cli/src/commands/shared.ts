/** Helpers shared by the commands: common setup, fixtures location. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Flags, parseCommand, type OptionSpec } from '../args.js';
import { selectBackend } from '../backend.js';
import type { CommandEnv } from '../command.js';
import { DeviceModels } from '../device.js';
import { type Console, createConsole } from '../progress.js';

/** Parsed flags plus the console and backend of a command run. */
export interface Setup {
  readonly flags: Flags;
  readonly positionals: string[];
  readonly console: Console;
  /** `--backend`'s name (`cpu` or `webgpu`). */
  readonly backend: string;
  /** Device copies of models for forward passes on `--backend` (the models themselves on the CPU). */
  readonly device: DeviceModels;
  readonly json: boolean;
}

/**
 * Parses flags, and unless `--help` was given, sets up the console and the backend.
 * @returns undefined when help was printed.
 */
export async function setup(command: string, argv: readonly string[], options: OptionSpec, env: CommandEnv, help: string, positionals = false): Promise<Setup | undefined> {
  const { flags, positionals: pos } = parseCommand(command, argv, options, positionals);
  if (flags.help) {
    env.stdout.write(help.endsWith('\n') ? help : `${help}\n`);
    return undefined;
  }
  const backend = await selectBackend(flags.backend as string | undefined, command);
  return { flags, positionals: pos, console: createConsole({ quiet: Boolean(flags.quiet) }), backend: backend.name, device: new DeviceModels(backend), json: Boolean(flags.json) };
}

/** The repository root (packages/cli/src/commands → ../../../..). */
export function repoRoot(): string {
  return path.resolve(fileURLToPath(new URL('../../../../', import.meta.url)));
}

/** The fixtures folder: `$SYMFUSE_FIXTURES`, else `<repo>/fixtures`. */
export function fixturesDir(env: NodeJS.ProcessEnv): string {
  return env.SYMFUSE_FIXTURES ? path.resolve(env.SYMFUSE_FIXTURES) : path.join(repoRoot(), 'fixtures');
}

/** True when `dir/config.json` exists. */
export function hasModel(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'config.json'));
}
