/**
 * Triangular solves with many right-hand sides on row-major buffers (offset + leading dimension), in
 * recursive form: split the triangle in halves, solve the first half, update the second with one GEMM,
 * solve the second half. Nearly all flops land in {@link gemmAcc} calls that are as large as possible
 * (the top level is an `n/2 × r × n/2` product), and only `≈ n·16·r` flops run in the direct kernels.
 * These are the kernels of `choleskySolve` and of the Cholesky panel step; they work in place and do no
 * validation (callers validate).
 */
import { gemmAcc } from './gemm.js';

/** Below this size the direct (row-oriented substitution) kernels run. */
const BASE = 16;

/** Split point: about half, rounded to a multiple of 4 so GEMM tiles stay full. */
function split(n: number): number {
  return Math.max(4, (n >> 1) & ~3);
}

/**
 * Forward substitution `L · Y = B` in place (`B` becomes `Y`): `L` is `[n, n]` lower triangular (only the
 * lower triangle incl. diagonal is read) at `L[lOff + i*ldl + j]`, `B` is `[n, r]` with leading dim `ldb`.
 */
export function solveLowerInPlace(L: Float64Array, lOff: number, ldl: number, n: number, B: Float64Array, bOff: number, ldb: number, r: number): void {
  if (n <= BASE) {
    for (let i = 0; i < n; i++) {
      const bi = bOff + i * ldb;
      const li = lOff + i * ldl;
      for (let p = 0; p < i; p++) {
        const l = L[li + p];
        if (l === 0) continue;
        const bp = bOff + p * ldb;
        for (let c = 0; c < r; c++) B[bi + c] -= l * B[bp + c];
      }
      const inv = 1 / L[li + i];
      for (let c = 0; c < r; c++) B[bi + c] *= inv;
    }
    return;
  }
  const h = split(n);
  solveLowerInPlace(L, lOff, ldl, h, B, bOff, ldb, r);
  // B2 −= L21 · Y1
  gemmAcc(n - h, r, h, -1, L, lOff + h * ldl, ldl, false, B, bOff, ldb, false, B, bOff + h * ldb, ldb);
  solveLowerInPlace(L, lOff + h * ldl + h, ldl, n - h, B, bOff + h * ldb, ldb, r);
}

/**
 * Back substitution `Lᵀ · X = Y` in place (`B` holds `Y`, becomes `X`): `L` as in
 * {@link solveLowerInPlace}; `Lᵀ` is never formed.
 */
export function solveLowerTransInPlace(L: Float64Array, lOff: number, ldl: number, n: number, B: Float64Array, bOff: number, ldb: number, r: number): void {
  if (n <= BASE) {
    for (let i = n - 1; i >= 0; i--) {
      const bi = bOff + i * ldb;
      const li = lOff + i * ldl;
      const inv = 1 / L[li + i];
      for (let c = 0; c < r; c++) B[bi + c] *= inv;
      // (Lᵀ)[p, i] = L[i, p]: remove x_i from the rows above.
      for (let p = 0; p < i; p++) {
        const l = L[li + p];
        if (l === 0) continue;
        const bp = bOff + p * ldb;
        for (let c = 0; c < r; c++) B[bp + c] -= l * B[bi + c];
      }
    }
    return;
  }
  const h = split(n);
  solveLowerTransInPlace(L, lOff + h * ldl + h, ldl, n - h, B, bOff + h * ldb, ldb, r);
  // B1 −= L21ᵀ · X2
  gemmAcc(h, r, n - h, -1, L, lOff + h * ldl, ldl, true, B, bOff + h * ldb, ldb, false, B, bOff, ldb);
  solveLowerTransInPlace(L, lOff, ldl, h, B, bOff, ldb, r);
}

/**
 * `X · Lᵀ = A` in place for `X` (`A` is `[m, w]` at `A[aOff + i*lda + j]`, overwritten by `X`), with
 * `L` `[w, w]` lower triangular. This is the panel step of the recursive Cholesky (`L21 = A21 · L11⁻ᵀ`).
 */
export function solveRightLowerTransInPlace(L: Float64Array, lOff: number, ldl: number, w: number, A: Float64Array, aOff: number, lda: number, m: number): void {
  if (w <= BASE) {
    for (let i = 0; i < m; i++) {
      const ai = aOff + i * lda;
      for (let j = 0; j < w; j++) {
        const lj = lOff + j * ldl;
        let s = A[ai + j];
        for (let p = 0; p < j; p++) s -= A[ai + p] * L[lj + p];
        A[ai + j] = s / L[lj + j];
      }
    }
    return;
  }
  const h = split(w);
  solveRightLowerTransInPlace(L, lOff, ldl, h, A, aOff, lda, m);
  // A[:, h:w] −= X[:, 0:h] · L[h:w, 0:h]ᵀ
  gemmAcc(m, w - h, h, -1, A, aOff, lda, false, L, lOff + h * ldl, ldl, true, A, aOff + h, lda);
  solveRightLowerTransInPlace(L, lOff + h * ldl + h, ldl, w - h, A, aOff + h, lda, m);
}

/**
 * `C −= P · Pᵀ` on the lower triangle of `C` (`[n, n]` at `cOff`, leading dim `ldc`), `P` `[n, k]`.
 * Recursive so that the off-diagonal blocks are single large GEMMs; diagonal blocks of at most 64 are
 * computed in full (their upper halves are scratch the callers ignore).
 */
export function syrkLowerSub(n: number, k: number, P: Float64Array, pOff: number, ldp: number, C: Float64Array, cOff: number, ldc: number): void {
  if (n <= 64) {
    gemmAcc(n, n, k, -1, P, pOff, ldp, false, P, pOff, ldp, true, C, cOff, ldc);
    return;
  }
  const h = split(n);
  syrkLowerSub(h, k, P, pOff, ldp, C, cOff, ldc);
  // C21 −= P2 · P1ᵀ
  gemmAcc(n - h, h, k, -1, P, pOff + h * ldp, ldp, false, P, pOff, ldp, true, C, cOff + h * ldc, ldc);
  syrkLowerSub(n - h, k, P, pOff + h * ldp, ldp, C, cOff + h * ldc + h, ldc);
}
