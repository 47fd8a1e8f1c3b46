/**
 * Statistics files for the CLI: read (with a finiteness check, before any work) and written
 * atomically, in the `symfuse-stats/1` safetensors format of `@symfuse/symmetry`.
 */
import fs from 'node:fs';
import { loadStatsBundle, type StatsBundle, saveStatsBundle } from '@symfuse/symmetry';
import { CliError } from './errors.js';

/**
 * Loads a statistics file and checks every value is finite.
 * @throws CliError naming the file and the problem.
 */
export function readStats(file: string): StatsBundle {
  if (!fs.existsSync(file)) throw new CliError(`statistics file ${file} does not exist`);
  let b: StatsBundle;
  try {
    b = loadStatsBundle(file);
  } catch (e) {
    throw new CliError(`${file}: ${(e as Error).message}`);
  }
  for (const [name, e] of b.entries) {
    for (let i = 0; i < e.data.length; i++) {
      if (!Number.isFinite(e.data[i])) throw new CliError(`${file}: statistics entry '${name}' has a non-finite value (${e.data[i]}) at flat index ${i}`);
    }
  }
  return b;
}

/** Writes a bundle (refusing an existing file unless `overwrite`). */
export function writeStats(file: string, bundle: StatsBundle, overwrite: boolean): void {
  if (fs.existsSync(file) && !overwrite) throw new CliError(`output ${file} already exists; pass --force to replace it`);
  try {
    saveStatsBundle(file, bundle, { overwrite });
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}
