/**
 * Parameter distances (the rotation paper's Fig. 3): `‖θ_A − θ_B‖₂` per tensor, per layer and over
 * the whole model (or over a chosen subset of parameters), accumulated in double precision.
 */
import { ValueError } from '@symfuse/tensor';
import type { Params } from './interpolate.js';

/** Distance of one parameter tensor. */
export interface TensorDistance {
  readonly name: string;
  /** Encoder layer index, or `undefined` for embeddings and heads. */
  readonly layer?: number;
  readonly size: number;
  /** `‖a − b‖₂`. */
  readonly l2: number;
  /** `‖a − b‖₂ / ‖a‖₂` (0 when `a` is all zeros and `b` equals it). */
  readonly relative: number;
}

/** Distance of a group of tensors (a layer, the whole model). */
export interface GroupDistance {
  /** `layer.3`, `embeddings`, `head`, `all`. */
  readonly group: string;
  readonly layer?: number;
  readonly tensors: number;
  /** `sqrt(Σ ‖a_t − b_t‖²)` over the group. */
  readonly l2: number;
  /** `l2 / sqrt(Σ ‖a_t‖²)`. */
  readonly relative: number;
}

/** Result of {@link parameterDistances}. */
export interface DistanceReport {
  readonly perTensor: readonly TensorDistance[];
  /** Groups in order: `embeddings`, `layer.0` … `layer.L−1`, `head` (those present). */
  readonly perLayer: readonly GroupDistance[];
  readonly total: GroupDistance;
}

const LAYER = /(?:^|\.)layer\.(\d+)\./;

/** The encoder layer a Hugging Face parameter name belongs to (`…encoder.layer.3.…` → 3). */
export function layerOfParamName(name: string): number | undefined {
  const m = LAYER.exec(name);
  return m ? Number(m[1]) : undefined;
}

function groupOf(name: string): string {
  const layer = layerOfParamName(name);
  if (layer !== undefined) return `layer.${layer}`;
  return /(^|\.)embeddings\./.test(name) ? 'embeddings' : 'head';
}

/**
 * Distances between two models with the same parameter names and shapes.
 * @param include keeps a parameter when it returns true (default: every parameter).
 * @throws ValueError naming a parameter missing from `b` or of another shape.
 */
export function parameterDistances(a: Params, b: Params, include: (name: string) => boolean = () => true): DistanceReport {
  const perTensor: TensorDistance[] = [];
  const groups = new Map<string, { sq: number; norm: number; n: number; layer?: number }>();
  let sq = 0;
  let norm = 0;
  for (const [name, ta] of a) {
    if (!include(name)) continue;
    const tb = b.get(name);
    if (!tb) throw new ValueError('parameterDistances', `parameter '${name}' is missing from the second model`);
    if (ta.size !== tb.size || ta.shape.some((d, i) => d !== tb.shape[i])) {
      throw new ValueError('parameterDistances', `parameter '${name}' has shape [${ta.shape.join(', ')}] and [${tb.shape.join(', ')}]`);
    }
    const x = ta.dataSync();
    const y = tb.dataSync();
    let d2 = 0;
    let n2 = 0;
    for (let i = 0; i < x.length; i++) {
      const d = x[i] - y[i];
      d2 += d * d;
      n2 += x[i] * x[i];
    }
    const layer = layerOfParamName(name);
    perTensor.push({ name, ...(layer !== undefined ? { layer } : {}), size: ta.size, l2: Math.sqrt(d2), relative: n2 > 0 ? Math.sqrt(d2 / n2) : d2 > 0 ? Infinity : 0 });
    const g = groupOf(name);
    const cur = groups.get(g) ?? { sq: 0, norm: 0, n: 0, ...(layer !== undefined ? { layer } : {}) };
    cur.sq += d2;
    cur.norm += n2;
    cur.n++;
    groups.set(g, cur);
    sq += d2;
    norm += n2;
  }
  const rank = (g: string) => (g === 'embeddings' ? -1 : g === 'head' ? Number.MAX_SAFE_INTEGER : Number(g.slice('layer.'.length)));
  const perLayer = [...groups.entries()]
    .sort((p, q) => rank(p[0]) - rank(q[0]))
    .map(([group, v]) => ({ group, ...(v.layer !== undefined ? { layer: v.layer } : {}), tensors: v.n, l2: Math.sqrt(v.sq), relative: v.norm > 0 ? Math.sqrt(v.sq / v.norm) : 0 }));
  return { perTensor, perLayer, total: { group: 'all', tensors: perTensor.length, l2: Math.sqrt(sq), relative: norm > 0 ? Math.sqrt(sq / norm) : 0 } };
}
