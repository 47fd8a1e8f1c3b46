/**
 * Orthogonal Procrustes for per-head blocks (ALGORITHMS.md "Rotation / Procrustes matching"):
 * `argmin_{R ∈ O(p)} ‖R X − Y‖_F = U Vᵀ` where `U Σ Vᵀ = svd(Y Xᵀ)` — the orthogonal polar factor of
 * the cross-Gram `M = Y Xᵀ`, with `min ‖R X − Y‖² = ‖X‖² + ‖Y‖² − 2 Σ σ_i(M)`.
 */
import { jacobiSvdSquare } from './internal/jacobi-svd.js';
import { tensorSvd } from './internal/tensor-linalg.js';

/** The orthogonal polar factor of a square matrix and its nuclear norm. */
export interface PolarFactor {
  /** `[p, p]` row-major orthogonal `U Vᵀ` (`det` may be −1, which the symmetry allows). */
  readonly R: Float64Array;
  /** `Σ σ_i(M) = ⟨R, M⟩_F`, the largest `⟨Q, M⟩_F` over orthogonal `Q`. */
  readonly nuclear: number;
}

/**
 * The orthogonal `R` maximising `⟨R, M⟩_F` (equivalently minimising `‖R X − Y‖_F` for `M = Y Xᵀ`).
 * Uses `@symfuse/tensor`'s `svd` when exported, else the local one-sided Jacobi SVD.
 * @param m `[p, p]` row-major, finite. @returns `R` `[p, p]` and `Σσ`.
 */
export function polarFactor(m: Float64Array, p: number): PolarFactor {
  if (m.length !== p * p) throw new Error(`polarFactor: M has ${m.length} entries; expected [${p}, ${p}] = ${p * p}`);
  let U: Float64Array;
  let V: Float64Array;
  let S: Float64Array;
  if (tensorSvd) {
    const r = tensorSvd({ data: m, rows: p, cols: p });
    U = r.U.data;
    V = r.V.data;
    S = r.S;
  } else {
    ({ U, V, S } = jacobiSvdSquare(m, p));
  }
  return { R: polarFromSvd(U, V, p), nuclear: S.reduce((a, b) => a + b, 0) };
}

/** Like {@link polarFactor} but always with the local Jacobi SVD (for tests comparing both paths). */
export function polarFactorLocal(m: Float64Array, p: number): PolarFactor {
  const { U, V, S } = jacobiSvdSquare(m, p);
  return { R: polarFromSvd(U, V, p), nuclear: S.reduce((a, b) => a + b, 0) };
}

/** `U Vᵀ` for `[p, p]` row-major U and V. */
function polarFromSvd(U: Float64Array, V: Float64Array, p: number): Float64Array {
  const R = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      let s = 0;
      for (let k = 0; k < p; k++) s += U[i * p + k] * V[j * p + k];
      R[i * p + j] = s;
    }
  }
  return R;
}
