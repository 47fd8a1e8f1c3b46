/**
 * Loading parameters straight from a lazy checkpoint reader (`openCheckpoint(dir)` of `io/`): the
 * plan is made from names and shapes in the header, then only the tensors the model uses are read
 * (unused heads, buffers and tied copies are never decoded).
 */
import { type Tensor, fromHost } from '@symfuse/tensor';
import { ParamMismatchError } from './errors.js';
import { type LoadOptions, type LoadResult, loadParams, planParamLoad } from './load.js';
import type { EncoderConfig } from './types.js';

/**
 * What loading needs from a checkpoint reader; `io/`'s `SafetensorsReader` / `CheckpointReader`
 * satisfy it structurally.
 */
export interface TensorReader {
  keys(): string[];
  info(name: string): { readonly shape: readonly number[] };
  read(name: string, options?: { readonly float?: 'native' | 'float32' }): { readonly shape: readonly number[]; readonly data: ArrayLike<number> | ArrayLike<bigint> };
}

/**
 * Reads `config`'s parameters from `reader` (floats narrowed or widened to `options.dtype`,
 * default f32), reporting missing / unexpected / mismatched keys as {@link loadParams} does.
 */
export function loadCheckpointParams(reader: TensorReader, config: EncoderConfig, options: LoadOptions = {}): LoadResult {
  const shapes = new Map<string, readonly number[]>();
  for (const k of reader.keys()) shapes.set(k, reader.info(k).shape);
  const plan = planParamLoad(shapes, config, options);
  const dtype = options.dtype ?? 'f32';
  const tensors = new Map<string, Tensor>();
  for (const key of plan.take.values()) {
    const t = reader.read(key, { float: dtype === 'f32' ? 'float32' : 'native' });
    let host: Float32Array | Float64Array;
    if (dtype === 'f32') {
      if (!(t.data instanceof Float32Array)) throw new ParamMismatchError(key, `is stored as ${t.data.constructor.name}; expected a floating-point tensor`);
      host = t.data;
    } else if (t.data instanceof Float64Array) host = t.data;
    else if (t.data instanceof Float32Array) host = Float64Array.from(t.data);
    else throw new ParamMismatchError(key, `is stored as ${t.data.constructor.name}; expected a floating-point tensor`);
    tensors.set(key, fromHost(host, t.shape));
  }
  // The plan already enforced strictness and sizes; this pass renames, moves and fills in missing
  // parameters. The report is the plan's, which also covers the keys that were never read.
  const result = loadParams(tensors, config, { ...options, head: plan.head, strict: false, ignoreMismatchedSizes: true, dtype: undefined });
  return {
    ...result,
    missing: plan.missing,
    unexpected: plan.unexpected,
    mismatched: plan.mismatched,
    renamed: plan.renamed,
    ignored: plan.ignored,
  };
}
