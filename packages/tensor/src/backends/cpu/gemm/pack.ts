/**
 * Packing of the GEMM operands into the micro-panel layout the macro-kernels read (see
 * `gemm-core.mjs`): op(A) `[m, k]` into `ceil(m/MR)` panels of `k × MR` (k-major), op(B) `[k, n]` into
 * `ceil(n/nr)` panels of `k × nr`, zero-padded at the ragged edge so the kernels never branch on size.
 * Packing is also the copy that moves caller memory (any typed array) into the shared scratch memory
 * the pool workers can read, and it runs on the calling thread before the workers start, so it is
 * written for speed: every loop reads its source sequentially (one or a few streams) and full panels
 * are copied by unrolled straight-line code (measured 2–4× faster than per-element inner loops).
 */
import { MR, NR_F32, NR_F64 } from './gemm-core.mjs';

// Module-local copies: under loaders that compile ESM to getters (vitest, tsx in CJS mode) every read
// of an imported binding is a call, which the per-element loops below must not pay. The unrolled
// copies are written for these exact widths.
const mr = 4;
if (MR !== mr || NR_F32 !== 8 || NR_F64 !== 4) throw new Error(`gemm: pack.ts is unrolled for MR = 4, NR = 8/4 but the core has MR = ${MR}, NR = ${NR_F32}/${NR_F64}`);

/** A float typed array, source or destination. */
export type FloatArray = Float32Array | Float64Array;

/**
 * Writes op(A) into `dst` from element `dstOff`: panel `r` at `dstOff + r*k*MR`, element (i, p) of the
 * panel at `p*MR + i`, with `opA(i, p) = transA ? A[aOff + p*lda + i] : A[aOff + i*lda + p]`.
 * That is {@link packB}'s layout of the `[k, m]` operand op(A)ᵀ in MR-column panels, so the same loops
 * pack it with the transpose flag flipped (`op(A)ᵀ(p, i) = opA(i, p)`).
 */
export function packA(transA: boolean, m: number, k: number, A: FloatArray, aOff: number, lda: number, dst: FloatArray, dstOff: number): void {
  packB(!transA, k, m, A, aOff, lda, dst, dstOff, mr);
}

/**
 * Writes op(B) into `dst` from element `dstOff`: panel `c` at `dstOff + c*k*nr`, element (p, j) of the
 * panel at `p*nr + j`, with `opB(p, j) = transB ? B[bOff + j*ldb + p] : B[bOff + p*ldb + j]`.
 * `nr` is the kernel's panel width: 8 (f32 kernel) or 4 (f64 kernel).
 */
export function packB(transB: boolean, k: number, n: number, B: FloatArray, bOff: number, ldb: number, dst: FloatArray, dstOff: number, nr: number): void {
  if (nr !== 8 && nr !== 4) throw new Error(`gemm: packB panel width must be 4 or 8, got ${nr} (internal error)`);
  const full = Math.floor(n / nr);
  const stride = k * nr;
  if (!transB) {
    // Stored B is [k, n]: walk each stored row once, dealing its elements out to the panels. The
    // destinations of one row are `full` lines that the next row continues, so they stay in L1.
    for (let p = 0; p < k; p++) {
      const s = bOff + p * ldb;
      let d = dstOff + p * nr;
      // One straight-line copy per panel width (8: f32 kernel; 4: f64 kernel and packA), no loop over nr.
      if (nr === 8) {
        for (let c = 0; c < full; c++, d += stride) {
          const x = s + c * 8;
          dst[d] = B[x];
          dst[d + 1] = B[x + 1];
          dst[d + 2] = B[x + 2];
          dst[d + 3] = B[x + 3];
          dst[d + 4] = B[x + 4];
          dst[d + 5] = B[x + 5];
          dst[d + 6] = B[x + 6];
          dst[d + 7] = B[x + 7];
        }
      } else {
        for (let c = 0; c < full; c++, d += stride) {
          const x = s + c * 4;
          dst[d] = B[x];
          dst[d + 1] = B[x + 1];
          dst[d + 2] = B[x + 2];
          dst[d + 3] = B[x + 3];
        }
      }
    }
  } else {
    // Stored B is [n, k]: a panel interleaves nr stored rows, each read sequentially.
    for (let c = 0; c < full; c++) {
      const s = bOff + c * nr * ldb;
      let d = dstOff + c * stride;
      if (nr === 8) {
        for (let p = 0; p < k; p++, d += 8) {
          const x = s + p;
          dst[d] = B[x];
          dst[d + 1] = B[x + ldb];
          dst[d + 2] = B[x + 2 * ldb];
          dst[d + 3] = B[x + 3 * ldb];
          dst[d + 4] = B[x + 4 * ldb];
          dst[d + 5] = B[x + 5 * ldb];
          dst[d + 6] = B[x + 6 * ldb];
          dst[d + 7] = B[x + 7 * ldb];
        }
      } else {
        for (let p = 0; p < k; p++, d += 4) {
          const x = s + p;
          dst[d] = B[x];
          dst[d + 1] = B[x + ldb];
          dst[d + 2] = B[x + 2 * ldb];
          dst[d + 3] = B[x + 3 * ldb];
        }
      }
    }
  }
  const cols = n - full * nr;
  if (cols > 0) {
    const base = dstOff + full * stride;
    for (let p = 0; p < k; p++) {
      for (let j = 0; j < nr; j++) {
        const col = full * nr + j;
        dst[base + p * nr + j] = j < cols ? B[transB ? bOff + col * ldb + p : bOff + p * ldb + col] : 0;
      }
    }
  }
}
