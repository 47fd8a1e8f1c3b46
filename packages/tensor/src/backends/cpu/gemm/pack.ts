/**
 * Packing of the GEMM operands into the micro-panel layout the macro-kernels read (see
 * `gemm-core.mjs`): op(A) `[m, k]` into `ceil(m/MR)` panels of `k × MR` (k-major), op(B) `[k, n]` into
 * `ceil(n/nr)` panels of `k × nr`, zero-padded at the ragged edge so the kernels never branch on size.
 * Packing is also the copy that moves caller memory (any typed array) into the shared scratch memory
 * the pool workers can read. Loops read the source along its contiguous axis where the layout allows.
 */

/** A float typed array, source or destination. */
export type FloatArray = Float32Array | Float64Array;

/**
 * Writes op(A) into `dst` from element `dstOff`: panel `r` at `dstOff + r*k*mr`, element (i, p) of the
 * panel at `p*mr + i`, with `opA(i, p) = transA ? A[aOff + p*lda + i] : A[aOff + i*lda + p]`.
 */
export function packA(transA: boolean, m: number, k: number, A: FloatArray, aOff: number, lda: number, dst: FloatArray, dstOff: number, mr: number): void {
  const panels = Math.ceil(m / mr);
  for (let r = 0; r < panels; r++) {
    const base = dstOff + r * k * mr;
    const row0 = r * mr;
    const rows = Math.min(mr, m - row0);
    if (transA) {
      // Stored A is [k, m]: the mr rows of a panel are contiguous in every stored row p.
      for (let p = 0; p < k; p++) {
        const src = aOff + p * lda + row0;
        const d = base + p * mr;
        for (let i = 0; i < rows; i++) dst[d + i] = A[src + i];
        for (let i = rows; i < mr; i++) dst[d + i] = 0;
      }
    } else {
      for (let i = 0; i < rows; i++) {
        const src = aOff + (row0 + i) * lda;
        for (let p = 0, d = base + i; p < k; p++, d += mr) dst[d] = A[src + p];
      }
      for (let i = rows; i < mr; i++) for (let p = 0, d = base + i; p < k; p++, d += mr) dst[d] = 0;
    }
  }
}

/**
 * Writes op(B) into `dst` from element `dstOff`: panel `c` at `dstOff + c*k*nr`, element (p, j) of the
 * panel at `p*nr + j`, with `opB(p, j) = transB ? B[bOff + j*ldb + p] : B[bOff + p*ldb + j]`.
 */
export function packB(transB: boolean, k: number, n: number, B: FloatArray, bOff: number, ldb: number, dst: FloatArray, dstOff: number, nr: number): void {
  const panels = Math.ceil(n / nr);
  for (let c = 0; c < panels; c++) {
    const base = dstOff + c * k * nr;
    const col0 = c * nr;
    const cols = Math.min(nr, n - col0);
    if (transB) {
      for (let j = 0; j < cols; j++) {
        const src = bOff + (col0 + j) * ldb;
        for (let p = 0, d = base + j; p < k; p++, d += nr) dst[d] = B[src + p];
      }
      for (let j = cols; j < nr; j++) for (let p = 0, d = base + j; p < k; p++, d += nr) dst[d] = 0;
    } else {
      // Stored B is [k, n]: the nr columns of a panel are contiguous in every stored row p.
      for (let p = 0; p < k; p++) {
        const src = bOff + p * ldb + col0;
        const d = base + p * nr;
        for (let j = 0; j < cols; j++) dst[d + j] = B[src + j];
        for (let j = cols; j < nr; j++) dst[d + j] = 0;
      }
    }
  }
}
