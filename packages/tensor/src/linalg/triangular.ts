/**
 * Triangular solves with many right-hand sides on row-major buffers, blocked so that almost all the
 * work is a GEMM update ({@link gemmAcc}). These are the kernels behind `choleskySolve` and the panel step
 * of the blocked Cholesky; they work in place and do no validation (callers validate).
 */
import { gemmAcc } from './gemm.js';

/** Block size of the block-row sweeps: the GEMM updates have k = NB. */
const NB = 128;
/** Below this width the right-side solve switches from recursion to the direct kernel. */
const RECURSE_MIN = 16;

/**
 * Forward substitution `L · Y = B` in place (`B` becomes `Y`): `L` is `[n, n]` lower triangular (only the
 * lower triangle incl. diagonal is read) at `L[lOff + i*ldl + j]`, `B` is `[n, r]` with leading dim `ldb`.
 */
export function solveLowerInPlace(L: Float64Array, lOff: number, ldl: number, n: number, B: Float64Array, bOff: number, ldb: number, r: number): void {
  for (let i0 = 0; i0 < n; i0 += NB) {
    const i1 = Math.min(n, i0 + NB);
    // Diagonal block: row-oriented substitution; each step is an axpy over a contiguous row of B.
    for (let i = i0; i < i1; i++) {
      const bi = bOff + i * ldb;
      const li = lOff + i * ldl;
      for (let p = i0; p < i; p++) {
        const l = L[li + p];
        if (l === 0) continue;
        const bp = bOff + p * ldb;
        for (let c = 0; c < r; c++) B[bi + c] -= l * B[bp + c];
      }
      const inv = 1 / L[li + i];
      for (let c = 0; c < r; c++) B[bi + c] *= inv;
    }
    // B[i1:, :] -= L[i1:, i0:i1] · Y[i0:i1, :]
    if (i1 < n) gemmAcc(n - i1, r, i1 - i0, -1, L, lOff + i1 * ldl + i0, ldl, false, B, bOff + i0 * ldb, ldb, false, B, bOff + i1 * ldb, ldb);
  }
}

/**
 * Back substitution `Lᵀ · X = Y` in place (`B` holds `Y`, becomes `X`): `L` as in
 * {@link solveLowerInPlace}; `Lᵀ` is never formed.
 */
export function solveLowerTransInPlace(L: Float64Array, lOff: number, ldl: number, n: number, B: Float64Array, bOff: number, ldb: number, r: number): void {
  const lastStart = Math.floor((n - 1) / NB) * NB;
  for (let i0 = lastStart; i0 >= 0; i0 -= NB) {
    const i1 = Math.min(n, i0 + NB);
    for (let i = i1 - 1; i >= i0; i--) {
      const bi = bOff + i * ldb;
      const li = lOff + i * ldl;
      const inv = 1 / L[li + i];
      for (let c = 0; c < r; c++) B[bi + c] *= inv;
      // (Lᵀ)[p, i] = L[i, p]: remove x_i from the rows above inside the block.
      for (let p = i0; p < i; p++) {
        const l = L[li + p];
        if (l === 0) continue;
        const bp = bOff + p * ldb;
        for (let c = 0; c < r; c++) B[bp + c] -= l * B[bi + c];
      }
    }
    // B[0:i0, :] -= L[i0:i1, 0:i0]ᵀ · X[i0:i1, :]
    if (i0 > 0) gemmAcc(i0, r, i1 - i0, -1, L, lOff + i0 * ldl, ldl, true, B, bOff + i0 * ldb, ldb, false, B, bOff, ldb);
  }
}

/**
 * `X · Lᵀ = A` in place for `X` (`A` is `[m, w]` at `A[aOff + i*lda + j]`, overwritten by `X`), with
 * `L` `[w, w]` lower triangular. This is the panel step of the right-looking Cholesky
 * (`L21 = A21 · L11⁻ᵀ`). Recursive halving turns most of the work into GEMM calls.
 */
export function solveRightLowerTransInPlace(L: Float64Array, lOff: number, ldl: number, w: number, A: Float64Array, aOff: number, lda: number, m: number): void {
  if (w <= RECURSE_MIN) {
    rightLowerTransDirect(L, lOff, ldl, w, A, aOff, lda, m);
    return;
  }
  const h = (w >> 1) & ~3 || RECURSE_MIN;
  solveRightLowerTransInPlace(L, lOff, ldl, h, A, aOff, lda, m);
  // A[:, h:w] -= X[:, 0:h] · L[h:w, 0:h]ᵀ
  gemmAcc(m, w - h, h, -1, A, aOff, lda, false, L, lOff + h * ldl, ldl, true, A, aOff + h, lda);
  solveRightLowerTransInPlace(L, lOff + h * ldl + h, ldl, w - h, A, aOff + h, lda, m);
}

function rightLowerTransDirect(L: Float64Array, lOff: number, ldl: number, w: number, A: Float64Array, aOff: number, lda: number, m: number): void {
  for (let i = 0; i < m; i++) {
    const ai = aOff + i * lda;
    for (let j = 0; j < w; j++) {
      const lj = lOff + j * ldl;
      let s = A[ai + j];
      for (let p = 0; p < j; p++) s -= A[ai + p] * L[lj + p];
      A[ai + j] = s / L[lj + j];
    }
  }
}
