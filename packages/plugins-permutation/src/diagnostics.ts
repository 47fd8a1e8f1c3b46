/**
 * Correlation diagnostics (Verma & Elbayad 2024, Fig. 4 and Fig. 5): the mean correlation between
 * features of the same index before and after alignment, and the matrices themselves with the
 * model's features reordered.
 */

/** Fig. 4 numbers of one site. */
export interface SiteCorrelation {
  /** Tap site, e.g. `layer.3.ffn.activation`. */
  readonly site: string;
  /** The spaces whose alignment the site measures. */
  readonly spaces: readonly string[];
  /** Number of features (anchor rows; equal to the model's for every aligned site). */
  readonly features: number;
  /** Tokens (or sequences, for head sites) the correlations were computed on. */
  readonly count: number;
  /** `mean_i C[i, i]`: features of the same index, before alignment. */
  readonly meanDiagBefore: number;
  /** `mean_i C[i, π(i)]`: the same after reordering the model's features by π. */
  readonly meanDiagAfter: number;
  /**
   * False when π is not a symmetry (ignore-heads, separate): then `meanDiagAfter` is what a pure
   * reordering of the features would give, not what the transformed model computes.
   */
  readonly exact: boolean;
}

/** Fig. 5 matrices of one site. */
export interface SiteCorrelationMatrices {
  readonly rows: number;
  readonly cols: number;
  /** `[rows, cols]` anchor × model correlations. */
  readonly before: Float64Array;
  /** `[rows, cols]` with the model's features reordered: `after[i, j] = before[i, π(j)]`. */
  readonly after: Float64Array;
}

/** `mean_i C[i, perm[i]]` (perm default: identity) over the `min(rows, cols)` leading rows. */
export function meanMatchedCorrelation(c: Float64Array, rows: number, cols: number, perm?: Int32Array): number {
  const n = Math.min(rows, cols);
  if (n === 0) return 0;
  let s = 0;
  for (let i = 0; i < n; i++) s += c[i * cols + (perm ? perm[i] : i)];
  return s / n;
}

/** `out[i, j] = c[i, perm[j]]`: the model's features reordered (new j = old `perm[j]`). */
export function permuteColumns(c: Float64Array, rows: number, cols: number, perm: Int32Array): Float64Array {
  if (perm.length !== cols) throw new Error(`permuteColumns: permutation of size ${perm.length} for ${cols} columns`);
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const r = i * cols;
    for (let j = 0; j < cols; j++) out[r + j] = c[r + perm[j]];
  }
  return out;
}
