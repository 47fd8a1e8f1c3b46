/**
 * Orthogonal Procrustes for per-head blocks (ALGORITHMS.md "Rotation / Procrustes matching"):
 * `argmin_{R ∈ O(p)} ‖R X − Y‖_F = U Vᵀ` where `U Σ Vᵀ = svd(Y Xᵀ)` — the orthogonal polar factor of
 * the cross-Gram `M = Y Xᵀ`, with `min ‖R X − Y‖² = ‖X‖² + ‖Y‖² − 2 Σ σ_i(M)`.
 */
import { linalg } from '@symfuse/tensor';

/** The orthogonal polar factor of a square matrix and its nuclear norm. */
export interface PolarFactor {
  /** `[p, p]` row-major orthogonal `U Vᵀ` (`det` may be −1, which the symmetry allows). */
  readonly R: Float64Array;
  /** `Σ σ_i(M) = ⟨R, M⟩_F`, the largest `⟨Q, M⟩_F` over orthogonal `Q`. */
  readonly nuclear: number;
}

/**
 * The orthogonal `R` maximising `⟨R, M⟩_F` (equivalently minimising `‖R X − Y‖_F` for `M = Y Xᵀ`),
 * from `@symfuse/tensor`'s f64 SVD (`U` and `V` stay orthogonal for rank-deficient `M`, so `R` does).
 * `linalg.procrustes` is not used because the aligner needs the polar factor of a *sum* of two
 * cross-Grams (QK and VO parts, see `align-group.ts`), not of one `Y Xᵀ`.
 * @param m `[p, p]` row-major, finite. @returns `R` `[p, p]` and `Σσ`.
 * @throws Error naming the shape when `m` does not hold `p·p` entries; the SVD's ValueError on a
 *   non-finite entry.
 */
export function polarFactor(m: Float64Array, p: number): PolarFactor {
  if (m.length !== p * p) throw new Error(`polarFactor: M has ${m.length} entries; expected [${p}, ${p}] = ${p * p}`);
  const { U, S, V } = linalg.svd({ data: m, rows: p, cols: p });
  // R = U Vᵀ.
  const R = linalg.matmul64(U, V, false, true).data;
  let nuclear = 0;
  for (let i = 0; i < S.length; i++) nuclear += S[i];
  return { R, nuclear };
}
