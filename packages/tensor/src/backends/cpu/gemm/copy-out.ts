/**
 * The last step of a packed GEMM and the degenerate cases: folding a product into C with BLAS's
 * alpha/beta rules. As in BLAS, `beta = 0` means C is not read (NaN or garbage in C does not leak).
 */
import type { FloatArray } from './pack.js';

/**
 * `C[cOff + i*ldc + j] = alpha · S[sOff + i*lds + j] + beta · C[…]` for `i < m`, `j < n`.
 * The common `alpha = 1, beta = 0` case with matching element types is a row-by-row `set` (memcpy).
 */
export function copyOut(m: number, n: number, alpha: number, S: FloatArray, sOff: number, lds: number, beta: number, C: FloatArray, cOff: number, ldc: number): void {
  if (alpha === 1 && beta === 0 && S.BYTES_PER_ELEMENT === C.BYTES_PER_ELEMENT) {
    for (let i = 0; i < m; i++) C.set(S.subarray(sOff + i * lds, sOff + i * lds + n), cOff + i * ldc);
    return;
  }
  for (let i = 0; i < m; i++) {
    const s = sOff + i * lds;
    const c = cOff + i * ldc;
    if (beta === 0) {
      for (let j = 0; j < n; j++) C[c + j] = alpha * S[s + j];
    } else if (beta === 1) {
      for (let j = 0; j < n; j++) C[c + j] += alpha * S[s + j];
    } else {
      for (let j = 0; j < n; j++) C[c + j] = alpha * S[s + j] + beta * C[c + j];
    }
  }
}

/** `C ← beta · C` on the `[m, n]` block (`beta = 0` writes zeros without reading C). */
export function scaleC(m: number, n: number, beta: number, C: FloatArray, cOff: number, ldc: number): void {
  if (beta === 1) return;
  for (let i = 0; i < m; i++) {
    const c = cOff + i * ldc;
    if (beta === 0) C.fill(0, c, c + n);
    else for (let j = 0; j < n; j++) C[c + j] *= beta;
  }
}
