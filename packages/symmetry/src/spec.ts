/**
 * SymmetrySpec: where a model's parameter-space symmetries are, as plain data.
 *
 * A *space* is a set of `size` hidden coordinates (the residual stream, one layer's FFN neurons,
 * one layer's query/key or value/output head features…). A *binding* says that axis `axis` of
 * parameter `param` is indexed by that space. A transform `T` of a space acts on every bound axis:
 *  - role `'out'`: the axis carries the space's features → `X' = T ·ₐ X` (rows of `W_1`, `b_1`, `W_Q`…);
 *  - role `'in'`: the axis is contracted with the features → `X' = T⁻ᵀ ·ₐ X` (columns of `W_2`, `W_O`;
 *    the rows of `W_K`, which meet `W_Q`'s rows in the bilinear form qᵀk).
 * For permutations `T⁻ᵀ = T`, so both roles are the same gather. See ALGORITHMS.md "Symmetries".
 */

/** The group kinds a space can admit. */
export type GroupKind =
  /** any permutation of the space's coordinates */
  | 'permutation'
  /** permutation of whole head blocks, plus a per-head transform of the kinds listed in `heads.within` */
  | 'head-permutation'
  /** a per-head orthogonal matrix (d_k × d_k) */
  | 'head-orthogonal'
  /** a per-head positive scale `a·I` */
  | 'head-scale'
  /** per-coordinate positive scaling (ReLU FFNs only) */
  | 'scale'
  /** a dense orthogonal matrix on the whole space (never a symmetry of a LayerNorm'd stream) */
  | 'orthogonal';

/** What part of the network a space belongs to: aligners select spaces by component. */
export type SpaceComponent = 'residual' | 'ffn' | 'attention-qk' | 'attention-vo' | 'head';

/** One space of hidden coordinates. */
export interface SpaceSpec {
  /** Unique id, e.g. `residual`, `layer.3.ffn`, `layer.3.attention.qk`, `head.pooler`. */
  readonly id: string;
  readonly size: number;
  readonly component: SpaceComponent;
  /** Layer index for per-layer spaces. */
  readonly layer?: number;
  /** Group kinds under which the model's function is unchanged. */
  readonly kinds: readonly GroupKind[];
  /** Head blocking: `count · dim = size`; head j is coordinates `[j·dim, (j+1)·dim)`. */
  readonly heads?: { readonly count: number; readonly dim: number };
  /**
   * Spaces with the same `headGroup` must use the same head permutation (QK and VO of one layer:
   * head j's query/key and its value/output belong together).
   */
  readonly headGroup?: string;
}

/** Axis `axis` of parameter `param` is indexed by space `space`. */
export interface AxisBinding {
  readonly param: string;
  readonly axis: number;
  readonly space: string;
  readonly role: 'out' | 'in';
  /** Only coordinates `[start, end)` of this axis belong to the space (fused weights). */
  readonly range?: readonly [number, number];
}

/** The symmetry description of one architecture instance (one config). */
export interface SymmetrySpec {
  /** e.g. `bert-mlm-post-ln`. */
  readonly architecture: string;
  readonly spaces: readonly SpaceSpec[];
  readonly bindings: readonly AxisBinding[];
  /** Parameters untouched by every symmetry (e.g. the MLM decoder bias over the vocabulary). */
  readonly invariant: readonly string[];
  /** Shapes of every parameter the spec describes. */
  readonly params: Readonly<Record<string, readonly number[]>>;
}

/** Per-space index derived from a spec. */
export interface SpecIndex {
  readonly spaces: ReadonlyMap<string, SpaceSpec>;
  readonly bindingsBySpace: ReadonlyMap<string, readonly AxisBinding[]>;
  readonly bindingsByParam: ReadonlyMap<string, readonly AxisBinding[]>;
}

/** Builds the lookup tables of a spec. */
export function indexSpec(spec: SymmetrySpec): SpecIndex {
  const spaces = new Map(spec.spaces.map((s) => [s.id, s]));
  const bySpace = new Map<string, AxisBinding[]>();
  const byParam = new Map<string, AxisBinding[]>();
  for (const b of spec.bindings) {
    (bySpace.get(b.space) ?? bySpace.set(b.space, []).get(b.space)!).push(b);
    (byParam.get(b.param) ?? byParam.set(b.param, []).get(b.param)!).push(b);
  }
  return { spaces, bindingsBySpace: bySpace, bindingsByParam: byParam };
}
