/**
 * Transforms: one group element per space. The representation is explicit and serialisable so a
 * transform can be saved, inspected, inverted and composed.
 */

/**
 * A permutation: new coordinate `i` = old coordinate `perm[i]` (ALGORITHMS.md: "new B feature i =
 * old B feature π*(i)"). As a matrix `P[i, perm[i]] = 1`.
 */
export interface PermutationElement {
  readonly kind: 'permutation';
  readonly perm: Int32Array;
}

/** Per-coordinate positive scaling `diag(scale)`. */
export interface ScaleElement {
  readonly kind: 'scale';
  readonly scale: Float64Array;
}

/**
 * Head-structured element: `T = blockdiag(M_0 … M_{h−1}) · Π_σ`, i.e. new head j = `M_j` · old head
 * `σ(j)`. `blocks[j]` is a row-major d_k×d_k matrix; `blockKind` says what the blocks are, which
 * decides how the inverse-transpose is computed (orthogonal: itself; scale: reciprocal).
 */
export interface HeadElement {
  readonly kind: 'head';
  readonly headPerm: Int32Array;
  readonly headDim: number;
  readonly blockKind: 'identity' | 'permutation' | 'orthogonal' | 'scale' | 'general';
  /** One d_k×d_k row-major matrix per head (omitted for `identity`). */
  readonly blocks?: readonly Float64Array[];
}

/** A dense matrix on the whole space (row-major n×n), with its inverse-transpose. */
export interface DenseElement {
  readonly kind: 'dense';
  readonly matrix: Float64Array;
  readonly inverseTranspose: Float64Array;
}

/** A group element acting on one space. */
export type SpaceElement = PermutationElement | ScaleElement | HeadElement | DenseElement;

/** A transform of a whole model: an element per transformed space (others are the identity). */
export interface Transform {
  readonly elements: ReadonlyMap<string, SpaceElement>;
  /**
   * False for transforms that are not symmetries (ignore-heads, a separate residual permutation per
   * sublayer, a rotation of the residual stream): kept for experiments, refused by `verify`.
   */
  readonly preservesFunction: boolean;
  /**
   * Per-parameter overrides for non-symmetric experiments that bind a space differently per
   * sublayer (e.g. "separate" residual): param name → space id → element. Usually absent.
   */
  readonly paramOverrides?: ReadonlyMap<string, ReadonlyMap<string, SpaceElement>>;
  /** Free-form provenance: which aligner produced it, options, seed. */
  readonly provenance?: Readonly<Record<string, unknown>>;
}

/** The identity transform. */
export function identityTransform(): Transform {
  return { elements: new Map(), preservesFunction: true };
}
