/**
 * A model directory opened without reading its weights: the config, the tokenizer and the plan that
 * maps the checkpoint's keys onto the canonical parameter names (renames, legacy names, the tied
 * decoder) are read now; each parameter is read from disk only when asked for, as a fresh CPU tensor
 * the caller owns and may free. This is what lets a merge hold one layer of each model at a time
 * (mergekit's "lazy loading") instead of whole models (`loadModelDir`).
 */
import { fromHost } from '@symfuse/tensor';
import type { ModelConfig } from '../config/index.js';
import { type CheckpointReader, openCheckpoint } from '../io/sharded.js';
import { type LoadOptions, type LoadPlan, planParamLoad } from '../model/load.js';
import { expectedParams } from '../model/names.js';
import type { HeadKind, ParamMap } from '../model/types.js';
import type { Tokenizer } from '../tokenizer/types.js';
import { assertFiniteTensor, ModelDirError, readModelDirConfig, readModelDirTokenizer } from './model-dir.js';

/** A model directory whose parameters are read on demand (see the module comment). */
export interface LazyModelDir {
  readonly dir: string;
  readonly config: ModelConfig;
  readonly head: HeadKind;
  /** Absent when the directory has no `tokenizer.json`. */
  readonly tokenizer?: Tokenizer;
  /** Every parameter the model has, in canonical order, with its shape (from the header: nothing read). */
  readonly shapes: ReadonlyMap<string, readonly number[]>;
  /** Missing / unexpected / mismatched keys, as `loadModelDir` reports them. */
  readonly report: Omit<LoadPlan, 'take' | 'config'>;
  /**
   * Reads parameters by canonical name as f32 CPU tensors (stored F16/BF16/F64 values are converted),
   * each checked finite.
   * @throws ModelDirError for a name the model does not have or the checkpoint lacks, or a non-finite value
   */
  read(names: readonly string[]): ParamMap;
  /** Releases the checkpoint's file descriptors; later reads throw. Idempotent. */
  close(): void;
}

/**
 * Opens `dir` lazily: validates `config.json`, the tokenizer and the checkpoint's names and shapes
 * against the config (as `loadModelDir` does), without reading any weight.
 * @throws ModelDirError / ConfigError / SafetensorsError / ParamMismatchError naming the problem
 */
export function openModelDir(dir: string, options: Omit<LoadOptions, 'dtype' | 'backend' | 'initMissing'> = {}): LazyModelDir {
  const config = readModelDirConfig(dir);
  const tokenizer = readModelDirTokenizer(dir, config);
  const reader: CheckpointReader = openCheckpoint(dir);
  let plan: LoadPlan;
  try {
    const stored = new Map<string, readonly number[]>();
    for (const k of reader.keys()) stored.set(k, reader.info(k).shape);
    plan = planParamLoad(stored, config, options);
  } catch (e) {
    reader.close();
    throw e;
  }
  const { take, config: _valid, ...report } = plan;
  const shapes = expectedParams(plan.config, plan.head);
  return {
    dir,
    config,
    head: plan.head,
    ...(tokenizer ? { tokenizer } : {}),
    shapes,
    report,
    read(names) {
      const out: ParamMap = new Map();
      for (const name of names) {
        const key = take.get(name);
        if (key === undefined) {
          const why = shapes.has(name) ? 'is missing from the checkpoint' : `is not a parameter of this ${config.modelType} model (head '${plan.head}')`;
          throw new ModelDirError(dir, `parameter '${name}' ${why}`);
        }
        const t = reader.read(key, { float: 'float32' });
        if (!(t.data instanceof Float32Array)) throw new ModelDirError(dir, `tensor '${key}' is stored as ${t.data.constructor.name}; expected a floating-point tensor`);
        assertFiniteTensor(dir, key, t.data);
        out.set(name, fromHost(t.data, t.shape));
      }
      return out;
    },
    close: () => reader.close(),
  };
}
