/**
 * Orthogonal Procrustes matching (the rotation paper; ALGORITHMS.md "Rotation / Procrustes matching"):
 * `argmin_{R ∈ O(p)} ‖R X − Y‖_F = U Vᵀ` where `U Σ Vᵀ = svd(Y Xᵀ)`.
 */
import { ShapeError } from '../errors.js';
import { gemmAcc } from './gemm.js';
import { type Matrix64, checkInput, fmtDims } from './matrix.js';
import { svd } from './svd.js';

/** Result of {@link procrustes}. */
export interface ProcrustesResult {
  /** `[p, p]` orthogonal (`RᵀR = I`); `det R` may be −1, which the symmetry allows. */
  R: Matrix64;
  /** `‖R X − Y‖_F`, computed from the explicit difference (no cancellation for near-perfect matches). */
  residual: number;
  /** `[p]` singular values of `Y Xᵀ`, descending; `Σ S = ⟨R X, Y⟩`. */
  singularValues: Float64Array;
}

/**
 * Best orthogonal map of the columns of `X` onto those of `Y`.
 * @param X `[p, c]` (e.g. one head of model B: `d_k` rows, weights and biases side by side).
 * @param Y `[p, c]` the same from model A.
 * @returns `R` `[p, p]` minimising `‖R X − Y‖_F` over orthogonal matrices, and that residual.
 * @see rotation-symmetry-model-fusion (papers/), orthogonal Procrustes (Schönemann 1966).
 */
export function procrustes(X: Matrix64, Y: Matrix64): ProcrustesResult {
  const op = 'procrustes';
  checkInput(op, 'X', X);
  checkInput(op, 'Y', Y);
  if (X.rows !== Y.rows || X.cols !== Y.cols) {
    throw new ShapeError(op, `X is ${fmtDims(X)} and Y is ${fmtDims(Y)}; expected equal shapes [p, c]`);
  }
  const p = X.rows;
  const c = X.cols;
  // M = Y Xᵀ, [p, p].
  const M = new Float64Array(p * p);
  gemmAcc(p, p, c, 1, Y.data, 0, c, false, X.data, 0, c, true, M, 0, p);
  const { U, S, V } = svd({ data: M, rows: p, cols: p });
  // R = U Vᵀ.
  const R = new Float64Array(p * p);
  gemmAcc(p, p, p, 1, U.data, 0, p, false, V.data, 0, p, true, R, 0, p);
  // Residual from the explicit difference R X − Y.
  const D = new Float64Array(p * c);
  for (let i = 0; i < D.length; i++) D[i] = -Y.data[i];
  gemmAcc(p, c, p, 1, R, 0, p, false, X.data, 0, c, false, D, 0, c);
  let ss = 0;
  for (let i = 0; i < D.length; i++) ss += D[i] * D[i];
  return { R: { data: R, rows: p, cols: p }, residual: Math.sqrt(ss), singularValues: S };
}
