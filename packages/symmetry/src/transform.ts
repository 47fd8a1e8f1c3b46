/**
 * Transforms: one group element per space. The representation is explicit and serialisable
 * (`transformToJson`) so a transform can be saved, inspected, inverted and composed.
 *
 * Every element denotes an invertible `n×n` matrix `T` acting on a space of size `n`; how `T` acts on a
 * bound parameter axis depends on the binding's role (see `spec.ts`). Group operations are in
 * `group/element-ops.ts`; composition `compose(a, b)` is the matrix product `a·b` ("b first, then a").
 */

/**
 * A permutation: new coordinate `i` = old coordinate `perm[i]` (ALGORITHMS.md: "new B feature i =
 * old B feature π*(i)"). As a matrix `P[i, perm[i]] = 1`.
 */
export interface PermutationElement {
  readonly kind: 'permutation';
  /** `[n]`, a permutation of `0..n−1`. */
  readonly perm: Int32Array;
}

/** Per-coordinate scaling `diag(scale)` (a symmetry only for positive scales on ReLU FFNs). */
export interface ScaleElement {
  readonly kind: 'scale';
  /** `[n]`, non-zero. */
  readonly scale: Float64Array;
}

/**
 * A scaled permutation `diag(scale) · P`: new coordinate `i` = `scale[i]` · old coordinate `perm[i]`.
 * What composing permutations and scalings of one space gives.
 */
export interface MonomialElement {
  readonly kind: 'monomial';
  /** `[n]`, a permutation of `0..n−1`. */
  readonly perm: Int32Array;
  /** `[n]`, non-zero. */
  readonly scale: Float64Array;
}

/** What the per-head blocks of a {@link HeadElement} are; decides how inverses are computed. */
export type HeadBlockKind = 'identity' | 'permutation' | 'orthogonal' | 'scale' | 'general';

/**
 * Head-structured element: `T = blockdiag(M_0 … M_{h−1}) · Π_σ`, i.e. new head j = `M_j` · old head
 * `headPerm[j]` (coordinates `[j·d_k, (j+1)·d_k)`). `blocks[j]` is a row-major `d_k×d_k` matrix.
 * `blockKind` declares the blocks' structure (validated): `permutation` (0/1 permutation matrices),
 * `orthogonal` (`MᵀM = I`), `scale` (`a·I`), `general` (invertible).
 */
export interface HeadElement {
  readonly kind: 'head';
  /** `[h]`, a permutation of the heads. */
  readonly headPerm: Int32Array;
  /** `d_k`. */
  readonly headDim: number;
  readonly blockKind: HeadBlockKind;
  /** One `[d_k, d_k]` row-major matrix per new head; omitted for `identity`. */
  readonly blocks?: readonly Float64Array[];
}

/** A dense matrix on the whole space (row-major `[n, n]`), with its inverse-transpose. */
export interface DenseElement {
  readonly kind: 'dense';
  /** `[n, n]` row-major `T`. */
  readonly matrix: Float64Array;
  /** `[n, n]` row-major `T⁻ᵀ` (equal to `matrix` for an orthogonal `T`). */
  readonly inverseTranspose: Float64Array;
}

/** A group element acting on one space. */
export type SpaceElement = PermutationElement | ScaleElement | MonomialElement | HeadElement | DenseElement;

/** The element kinds, for schemas and messages. */
export const ELEMENT_KINDS: readonly SpaceElement['kind'][] = ['permutation', 'scale', 'monomial', 'head', 'dense'];

/** A transform of a whole model: an element per transformed space (absent spaces: the identity). */
export interface Transform {
  readonly elements: ReadonlyMap<string, SpaceElement>;
  /**
   * False for transforms that are not symmetries (ignore-heads, a separate residual permutation per
   * sublayer, a rotation of the residual stream): kept for experiments. `applyTransform` then skips the
   * group-kind checks (never the structural ones), and `verify` reports the function change.
   */
  readonly preservesFunction: boolean;
  /**
   * Per-parameter overrides for non-symmetric experiments that act on a space differently per
   * parameter (e.g. "separate" residual): param name → space id → element used for that parameter's
   * bindings to that space instead of `elements.get(space)`. Usually absent.
   */
  readonly paramOverrides?: ReadonlyMap<string, ReadonlyMap<string, SpaceElement>>;
  /** Free-form provenance: which aligner produced it, options, seed (JSON-serialisable values). */
  readonly provenance?: Readonly<Record<string, unknown>>;
}

/** The identity transform. */
export function identityTransform(): Transform {
  return { elements: new Map(), preservesFunction: true };
}

/** A transform from a plain record of elements (a convenience for aligners and tests). */
export function transformOf(
  elements: Readonly<Record<string, SpaceElement>> | ReadonlyMap<string, SpaceElement>,
  options: { preservesFunction?: boolean; provenance?: Readonly<Record<string, unknown>> } = {},
): Transform {
  const map = elements instanceof Map ? new Map(elements) : new Map(Object.entries(elements));
  return {
    elements: map,
    preservesFunction: options.preservesFunction ?? true,
    ...(options.provenance ? { provenance: options.provenance } : {}),
  };
}
