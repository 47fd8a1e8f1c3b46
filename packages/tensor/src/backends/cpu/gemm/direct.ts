/**
 * Unpacked GEMM for tiny products, where packing and the scratch round trip cost more than they save
 * (see `DIRECT_MAX_VOLUME` in `gemm.ts`). Each C entry is one strided dot product accumulated in a JS
 * number (f64), so f32 inputs get f64 accumulation on this path.
 */
import type { GemmCall } from './validate.js';

/**
 * `C = alpha · op(A) · op(B) + beta · C` on the `[m, n]` block; same indexing as `gemmF32`/`gemmF64`.
 * The written block of C must share no element with what is read of A and B.
 */
export function gemmDirect(call: GemmCall): void {
  const { transA, transB, m, n, k, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc } = call;
  // Steps along p (the shared dimension) and along i / j in the stored layouts.
  const ap = transA ? lda : 1;
  const ai = transA ? 1 : lda;
  const bp = transB ? 1 : ldb;
  const bj = transB ? ldb : 1;
  for (let i = 0; i < m; i++) {
    const aRow = aOff + i * ai;
    const c = cOff + i * ldc;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0, a = aRow, b = bOff + j * bj; p < k; p++, a += ap, b += bp) s += A[a] * B[b];
      C[c + j] = beta === 0 ? alpha * s : alpha * s + beta * C[c + j];
    }
  }
}
