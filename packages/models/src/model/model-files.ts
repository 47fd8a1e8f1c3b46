/**
 * A model directory in Hugging Face layout (`config.json` + `model.safetensors` or a sharded index):
 * load it into an {@link EncoderModel}, or save one.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import type { Tensor } from '@symfuse/tensor';
import { type ModelConfig, readModelConfig, writeModelConfig } from '../config/index.js';
import { SINGLE_FILE_NAME, type TensorToWrite, openCheckpoint, writeSafetensors } from '../io/index.js';
import { checkParams } from './check-params.js';
import { loadCheckpointParams } from './load-checkpoint.js';
import type { LoadOptions, LoadResult } from './load.js';
import { resolveHead } from './resolve-head.js';
import type { HeadKind, ParamMap } from './types.js';
import { validateConfig } from './validate-config.js';

/** A model read from disk: its parsed config, parameters under canonical names, and head. */
export interface LoadedModel {
  readonly config: ModelConfig;
  readonly params: ParamMap;
  readonly head: HeadKind;
}

/**
 * Loads `dir/config.json` and the checkpoint in `dir` (only the tensors the model uses are read).
 * @returns the model and the load report (missing / unexpected / mismatched / renamed / ignored keys).
 * @throws ModelConfigError, SafetensorsError or ParamMismatchError naming the file, field or parameter.
 */
export function loadModel(dir: string, options: LoadOptions = {}): { model: LoadedModel; report: Omit<LoadResult, 'params'> } {
  const config = readModelConfig(nodePath.join(dir, 'config.json'));
  const reader = openCheckpoint(dir);
  try {
    const { params, ...report } = loadCheckpointParams(reader, config, options);
    return { model: { config, params, head: report.head }, report };
  } finally {
    reader.close();
  }
}

/** Options of {@link saveModel}. */
export interface SaveModelOptions {
  /** Store f32 parameters as F16 or BF16 (default F32). */
  readonly storeF32As?: 'F32' | 'F16' | 'BF16';
  /** Extra `__metadata__` entries (`format: pt` is always set, as transformers expects). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * Writes `dir/config.json` and `dir/model.safetensors` (creating `dir`). Parameters are checked
 * against the config first, so a mismatched model never reaches the disk; files are written
 * atomically. The tied MLM decoder weight is not stored (transformers re-ties it on load).
 */
export async function saveModel(dir: string, model: { config: ModelConfig; params: ParamMap; head?: HeadKind }, options: SaveModelOptions = {}): Promise<void> {
  const head = resolveHead(model.config, model.params.keys(), model.head);
  checkParams(validateConfig(model.config, head), head, model.params);
  const tensors = new Map<string, TensorToWrite>();
  for (const [name, t] of model.params) tensors.set(name, await toWrite(t));
  fs.mkdirSync(dir, { recursive: true });
  writeSafetensors(nodePath.join(dir, SINGLE_FILE_NAME), tensors, {
    metadata: { format: 'pt', ...options.metadata },
    storeF32As: options.storeF32As,
  });
  writeModelConfig(nodePath.join(dir, 'config.json'), model.config);
}

async function toWrite(t: Tensor): Promise<TensorToWrite> {
  const data = await t.data();
  const dtype = t.dtype === 'f64' ? 'F64' : t.dtype === 'i32' ? 'I32' : 'F32';
  return { dtype, shape: t.shape, data };
}
