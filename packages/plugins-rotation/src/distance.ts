/**
 * Euclidean distances between models in parameter space (the rotation paper's Fig. 3:
 * `‖θ_A − θ_B'‖₂`), per tensor, per layer and for the whole model.
 */
import type { ModelWeights, SymmetrySpec } from '@symfuse/symmetry';
import { indexSpec } from '@symfuse/symmetry';

/** Distances of one model to the anchor (all Euclidean, i.e. square roots of sums of squares). */
export interface DistanceReport {
  /** Over every compared parameter. */
  readonly total: number;
  /** Per parameter name. */
  readonly perTensor: Readonly<Record<string, number>>;
  /** Per transformer layer (parameters of `…layer.{i}.…`), ascending by layer. */
  readonly perLayer: readonly { readonly layer: number; readonly distance: number }[];
  /** Over the parameters outside every layer (embeddings, task heads). */
  readonly outsideLayers: number;
  /** Number of parameters (tensors) compared. */
  readonly tensors: number;
}

/** Options of {@link modelDistance}. */
export interface DistanceOptions {
  /** Compare only these parameters (default: every parameter of the anchor). */
  readonly params?: Iterable<string>;
  /** Used to place parameters in layers when their names do not say (bindings to per-layer spaces). */
  readonly spec?: SymmetrySpec;
}

const LAYER_RE = /(?:^|\.)layers?\.(\d+)\./;

/**
 * The layer of a parameter: from its Hugging Face name (`encoder.layer.{i}.…`), else from the spec
 * (a binding to a space with a `layer`), else undefined.
 */
export function layerOfParam(name: string, spec?: SymmetrySpec): number | undefined {
  const m = LAYER_RE.exec(name);
  if (m) return Number(m[1]);
  if (!spec) return undefined;
  const index = indexSpec(spec);
  for (const b of index.bindingsByParam.get(name) ?? []) {
    const layer = index.spaces.get(b.space)?.layer;
    if (layer !== undefined) return layer;
  }
  return undefined;
}

/**
 * `‖θ_A − θ_B‖₂` per tensor, per layer and in total, accumulated in f64.
 * @throws Error naming the parameter when the model lacks it or its size differs.
 */
export function modelDistance(anchor: ModelWeights, model: ModelWeights, options: DistanceOptions = {}): DistanceReport {
  const names = options.params ? [...options.params] : [...anchor.params.keys()];
  const perTensor: Record<string, number> = {};
  const layerSq = new Map<number, number>();
  let outside = 0;
  let total = 0;
  for (const name of names) {
    const ta = anchor.params.get(name);
    const tb = model.params.get(name);
    if (!ta) throw new Error(`modelDistance: parameter '${name}' is missing from the anchor${anchor.id ? ` '${anchor.id}'` : ''}`);
    if (!tb) throw new Error(`modelDistance: parameter '${name}' is missing from model${model.id ? ` '${model.id}'` : ''}`);
    const a = ta.dataSync() as ArrayLike<number>;
    const b = tb.dataSync() as ArrayLike<number>;
    if (a.length !== b.length) {
      throw new Error(`modelDistance: parameter '${name}' has shape [${ta.shape.join(', ')}] in the anchor but [${tb.shape.join(', ')}] in the model`);
    }
    let s = 0;
    for (let i = 0; i < a.length; i++) {
      const d = a[i] - b[i];
      s += d * d;
    }
    perTensor[name] = Math.sqrt(s);
    total += s;
    const layer = layerOfParam(name, options.spec);
    if (layer === undefined) outside += s;
    else layerSq.set(layer, (layerSq.get(layer) ?? 0) + s);
  }
  const perLayer = [...layerSq].sort((x, y) => x[0] - y[0]).map(([layer, s]) => ({ layer, distance: Math.sqrt(s) }));
  return { total: Math.sqrt(total), perTensor, perLayer, outsideLayers: Math.sqrt(outside), tensors: names.length };
}
