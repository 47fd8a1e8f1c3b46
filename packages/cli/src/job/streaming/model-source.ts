/**
 * Where a streaming merge reads its models from: anything that can hand over named parameters a few
 * at a time. `modelFromDir` reads a model directory lazily (`openModelDir` of `@symfuse/models`: one
 * tensor read from disk per request); `modelFromWeights` serves parameters already in memory (tests,
 * programs that hold the models anyway).
 */
import { type EncoderConfig, expectedParams, type HeadKind, type LazyModelDir, type ParamMap, resolveHead } from '@symfuse/models';
import type { ModelWeights } from '@symfuse/symmetry';
import { fromHost } from '@symfuse/tensor';

/** A model whose parameters are read on demand, unit by unit. */
export interface StreamingModel {
  /** For messages and reports (a directory, `anchor`…). */
  readonly id: string;
  readonly config: EncoderConfig;
  readonly head: HeadKind;
  /** Every parameter with its shape, in canonical order (`expectedParams`), without reading values. */
  readonly shapes: ReadonlyMap<string, readonly number[]>;
  /**
   * The parameters `names` as f32 CPU tensors that the caller owns: the merge disposes them once the
   * unit is written.
   */
  read(names: readonly string[]): ParamMap;
}

/** A lazily opened model directory as a {@link StreamingModel} (close the directory yourself). */
export function modelFromDir(dir: LazyModelDir): StreamingModel {
  return { id: dir.dir, config: dir.config, head: dir.head, shapes: dir.shapes, read: (names) => dir.read(names) };
}

/**
 * Parameters already in memory as a {@link StreamingModel}. Each read returns copies (the merge
 * disposes what it reads; the given tensors stay the caller's).
 * @throws Error when a parameter the config needs is missing or misshapen (now), or is not f32 on a
 *   host-readable backend (when read).
 */
export function modelFromWeights(weights: ModelWeights, id = weights.id ?? 'model'): StreamingModel {
  const config = weights.config as EncoderConfig;
  const head = resolveHead(config, weights.params.keys(), weights.head as HeadKind | undefined);
  // Canonical order (what the merged checkpoint's shard split follows), checked against the tensors.
  const shapes = expectedParams(config, head);
  for (const [name, shape] of shapes) {
    const t = weights.params.get(name);
    if (!t) throw new Error(`${id}: parameter '${name}' is missing; a ${config.modelType} model with head '${head}' needs it`);
    if (t.shape.join() !== shape.join()) throw new Error(`${id}: parameter '${name}' has shape [${t.shape.join(', ')}]; the config needs [${shape.join(', ')}]`);
  }
  return {
    id,
    config,
    head,
    shapes,
    read(names) {
      const out: ParamMap = new Map();
      for (const name of names) {
        const t = weights.params.get(name);
        if (!t) throw new Error(`${id}: parameter '${name}' is missing`);
        const host = t.backend.readSync(t.storage);
        if (!(host instanceof Float32Array)) throw new Error(`${id}: parameter '${name}' is ${t.dtype} on '${t.backend.name}'; a streaming merge reads f32 host tensors`);
        out.set(name, fromHost(host.slice(), t.shape));
      }
      return out;
    },
  };
}
