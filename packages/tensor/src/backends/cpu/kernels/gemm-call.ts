/**
 * The kernels' entry to the shared CPU GEMM (`../gemm/`): `C = op(A)·op(B)` on contiguous row-major
 * matrices of one float dtype, dispatched to `gemmF32` / `gemmF64` with the implied leading dimensions.
 */
import type { TypedArray } from '../../../dtype.js';
import { DTypeError } from '../../../errors.js';
import { type GemmOptions, gemmF32, gemmF64 } from '../gemm/index.js';

/**
 * `c[cOff + i·n + j] = Σ_p op(A)[i, p]·op(B)[p, j]` (C overwritten). A is stored `[m, k]` (`[k, m]` when
 * `transA`) at `aOff`, B `[k, n]` (`[n, k]` when `transB`) at `bOff`; all three arrays share one float dtype.
 */
export function gemmContiguous(
  transA: boolean, transB: boolean, m: number, n: number, k: number,
  a: TypedArray, aOff: number, b: TypedArray, bOff: number, c: TypedArray, cOff: number, options?: GemmOptions,
): void {
  // BLAS requires ld ≥ max(1, stored columns) even when a dimension is 0.
  const lda = Math.max(1, transA ? m : k);
  const ldb = Math.max(1, transB ? k : n);
  const ldc = Math.max(1, n);
  if (c instanceof Float32Array) {
    gemmF32(transA, transB, m, n, k, 1, a as Float32Array, aOff, lda, b as Float32Array, bOff, ldb, 0, c, cOff, ldc, options);
  } else if (c instanceof Float64Array) {
    gemmF64(transA, transB, m, n, k, 1, a as Float64Array, aOff, lda, b as Float64Array, bOff, ldb, 0, c, cOff, ldc, options);
  } else {
    throw new DTypeError('gemm', `operands are ${c.constructor.name}; expected Float32Array or Float64Array`);
  }
}
