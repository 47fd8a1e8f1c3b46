/**
 * Loading model directories for the CLI: clear one-line errors for a missing directory, a bad
 * config, missing tensors or non-finite weights — all checked before any work starts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type LoadedModel, loadModelDir, summarizeModel, type Tokenizer } from '@symfuse/models';
import type { ModelWeights } from '@symfuse/symmetry';
import { CliError } from './errors.js';

/** A loaded model with the CLI's view of it. */
export interface CliModel {
  readonly dir: string;
  readonly loaded: LoadedModel;
  readonly weights: ModelWeights;
  readonly tokenizer?: Tokenizer;
}

/**
 * Loads `dir` (config, weights, tokenizer; every weight checked finite) with its parameters on the
 * CPU, where the host-side work reads them (forward passes on another backend use device copies:
 * see `DeviceModels`).
 * @throws CliError naming the directory and the problem.
 */
export function loadCliModel(dir: string): CliModel {
  if (!fs.existsSync(dir)) throw new CliError(`model directory ${dir} does not exist`);
  if (!fs.statSync(dir).isDirectory()) throw new CliError(`model directory ${dir} is not a directory`);
  if (!fs.existsSync(path.join(dir, 'config.json'))) throw new CliError(`model directory ${dir} has no config.json`);
  let loaded: LoadedModel;
  try {
    loaded = loadModelDir(dir);
  } catch (e) {
    const msg = (e as Error).message;
    throw new CliError(msg.startsWith(dir) ? msg : `${dir}: ${msg}`);
  }
  if (loaded.report.missing?.length) throw new CliError(`${dir}: missing tensors ${loaded.report.missing.slice(0, 5).join(', ')}${loaded.report.missing.length > 5 ? ', …' : ''}`);
  return { dir, loaded, weights: { config: loaded.config, params: loaded.params, head: loaded.head, id: dir }, tokenizer: loaded.tokenizer };
}

/** Architecture, head and parameter count, for reports. */
export function describeModel(m: CliModel): { architecture: string; head: string; params: number } {
  const s = summarizeModel({ config: m.loaded.config, params: new Map(m.weights.params), head: m.loaded.head });
  return { architecture: s.architecture, head: s.head, params: s.params };
}
