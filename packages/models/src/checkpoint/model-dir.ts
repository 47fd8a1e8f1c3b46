/**
 * A model directory as Hugging Face lays it out: `config.json`, `model.safetensors` (or shards with
 * `model.safetensors.index.json`), `tokenizer.json` + `tokenizer_config.json`. Saving is atomic: the
 * directory is written under a temporary name beside the target and renamed into place, so a crash
 * or a bad input never leaves a half-written model, and an existing directory is refused unless
 * `force` is set.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Tensor } from '@symfuse/tensor';
import { type ModelConfig, modelConfigToJson, parseModelConfig } from '../config/index.js';
import { openCheckpoint } from '../io/sharded.js';
import { writeShardedSafetensors } from '../io/sharded.js';
import type { TensorToWrite } from '../io/writer.js';
import { loadCheckpointParams } from '../model/load-checkpoint.js';
import type { LoadOptions, LoadResult } from '../model/load.js';
import type { HeadKind, ParamMap } from '../model/types.js';
import { createTokenizer } from '../tokenizer/hf-tokenizer.js';
import type { Tokenizer } from '../tokenizer/types.js';

/** A model loaded from a directory. */
export interface LoadedModel {
  readonly dir: string;
  readonly config: ModelConfig;
  readonly params: ParamMap;
  readonly head: HeadKind;
  /** Absent when the directory has no `tokenizer.json`. */
  readonly tokenizer?: Tokenizer;
  /** Missing / unexpected / mismatched keys, as `transformers` reports them. */
  readonly report: Omit<LoadResult, 'params'>;
}

/** Error for a model directory that cannot be used; names the directory and the problem. */
export class ModelDirError extends Error {
  constructor(
    readonly dir: string,
    message: string,
  ) {
    super(`${dir}: ${message}`);
    this.name = 'ModelDirError';
  }
}

function readJson(file: string, dir: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ModelDirError(dir, `cannot read ${path.basename(file)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ModelDirError(dir, `${path.basename(file)} is not valid JSON (${(e as Error).message})`);
  }
}

/**
 * Reads and validates `dir/config.json`.
 * @throws ModelDirError when `dir` is not a directory or the file cannot be read or parsed;
 *   ConfigError (of `config/`) for an invalid configuration
 */
export function readModelDirConfig(dir: string): ModelConfig {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new ModelDirError(dir, 'is not a directory');
  return parseModelConfig(readJson(path.join(dir, 'config.json'), dir), path.join(dir, 'config.json'));
}

/**
 * Reads `dir/tokenizer.json` (+ `tokenizer_config.json`), or returns undefined when there is none.
 * @throws ModelDirError when the files cannot be parsed or the vocabulary does not fit `config`
 */
export function readModelDirTokenizer(dir: string, config: ModelConfig): Tokenizer | undefined {
  const tokFile = path.join(dir, 'tokenizer.json');
  if (!fs.existsSync(tokFile)) return undefined;
  const cfgFile = path.join(dir, 'tokenizer_config.json');
  const tokConfig = fs.existsSync(cfgFile) ? (readJson(cfgFile, dir) as Record<string, unknown>) : {};
  const tokenizer = createTokenizer(readJson(tokFile, dir), tokConfig);
  if (tokenizer.vocabSize > config.vocabSize) {
    throw new ModelDirError(dir, `tokenizer has ${tokenizer.vocabSize} tokens but config.json's vocab_size is ${config.vocabSize}; they must match`);
  }
  return tokenizer;
}

/** Throws a ModelDirError naming the first non-finite value of `data` (tensor `name`). */
export function assertFiniteTensor(dir: string, name: string, data: ArrayLike<number>): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new ModelDirError(dir, `tensor '${name}' has a non-finite value (${data[i]}) at flat index ${i}`);
  }
}

/**
 * Loads `config.json`, the weights (lazily, tensor by tensor) and the tokenizer of a model directory.
 * Validates the config, the parameter names and shapes against it, finiteness of every weight, and
 * that the tokenizer's vocabulary fits the embedding matrix. (To keep only some weights in memory at
 * a time, see `openModelDir`.)
 */
export function loadModelDir(dir: string, options: LoadOptions = {}): LoadedModel {
  const config = readModelDirConfig(dir);
  const reader = openCheckpoint(dir);
  let loaded: LoadResult;
  try {
    loaded = loadCheckpointParams(reader, config, options);
  } finally {
    reader.close();
  }
  const { params, ...report } = loaded;
  for (const [name, t] of params) assertFiniteTensor(dir, name, t.dataSync());
  const tokenizer = readModelDirTokenizer(dir, config);
  return { dir, config, params, head: report.head, tokenizer, report };
}

/**
 * Writes `config.json` and, when given, `tokenizer.json` + `tokenizer_config.json` into `dir` (which
 * must exist), exactly as {@link saveModelDir} writes them: the files of a model directory besides
 * its weights.
 */
export function writeModelDirFiles(dir: string, model: { readonly config: ModelConfig; readonly tokenizer?: Tokenizer }): void {
  fs.writeFileSync(path.join(dir, 'config.json'), `${JSON.stringify(modelConfigToJson(model.config), null, 2)}\n`);
  if (model.tokenizer) {
    fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(model.tokenizer.toJSON()));
    fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), `${JSON.stringify(model.tokenizer.config, null, 2)}\n`);
  }
}

/** Options of {@link saveModelDir}. */
export interface SaveModelOptions {
  /** Replace an existing directory (default: refuse). */
  readonly force?: boolean;
  /** safetensors `__metadata__` (HF writes `{format: 'pt'}`). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Shard above this size (default 2GB, like `save_pretrained`'s 5GB default but friendlier here). */
  readonly maxShardSize?: number | string;
  /** Store f32 weights as F16 / BF16 to halve the size. */
  readonly storeF32As?: 'F32' | 'F16' | 'BF16';
  /** Extra files to write beside the model (name → contents), e.g. a training state. */
  readonly extraFiles?: Readonly<Record<string, string | Uint8Array>>;
}

/**
 * Writes a model directory atomically. Refuses non-finite weights (nothing is written) and an
 * existing `dir` unless `force`.
 */
export function saveModelDir(
  dir: string,
  model: { readonly config: ModelConfig; readonly params: ReadonlyMap<string, Tensor>; readonly tokenizer?: Tokenizer },
  options: SaveModelOptions = {},
): void {
  if (fs.existsSync(dir) && !options.force) throw new ModelDirError(dir, 'already exists; pass force to replace it');
  const tensors = new Map<string, TensorToWrite>();
  for (const [name, t] of model.params) {
    const data = t.dataSync();
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) throw new ModelDirError(dir, `refusing to write: parameter '${name}' has a non-finite value (${data[i]}) at flat index ${i}`);
    }
    tensors.set(name, { dtype: t.dtype === 'f64' ? 'F64' : t.dtype === 'i32' ? 'I32' : 'F32', shape: t.shape, data });
  }
  const parent = path.dirname(path.resolve(dir));
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, `.${path.basename(dir)}.tmp-`));
  try {
    writeModelDirFiles(tmp, model);
    writeShardedSafetensors(tmp, tensors, {
      maxShardSize: options.maxShardSize ?? '2GB',
      metadata: { format: 'pt', ...options.metadata },
      storeF32As: options.storeF32As,
    });
    for (const [name, contents] of Object.entries(options.extraFiles ?? {})) fs.writeFileSync(path.join(tmp, name), contents);
    if (fs.existsSync(dir)) {
      const old = `${tmp}.old`;
      fs.renameSync(dir, old);
      fs.renameSync(tmp, dir);
      fs.rmSync(old, { recursive: true, force: true });
    } else {
      fs.renameSync(tmp, dir);
    }
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
