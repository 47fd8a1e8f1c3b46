/** Matrix products for `Matrix64`, routed through the blocked {@link gemmAcc}. */
import { ShapeError } from '../errors.js';
import { gemmAcc } from './gemm.js';
import { type Matrix64, assertMatrix, fmtDims } from './matrix.js';

/**
 * `op(A) · op(B)` with `op(X) = transX ? Xᵀ : X`.
 * @param A `[m, k]` (or `[k, m]` with `transA`). @param B `[k, n]` (or `[n, k]` with `transB`).
 * @returns `[m, n]`.
 */
export function matmul64(A: Matrix64, B: Matrix64, transA = false, transB = false): Matrix64 {
  assertMatrix('matmul64', 'A', A);
  assertMatrix('matmul64', 'B', B);
  const m = transA ? A.cols : A.rows;
  const k = transA ? A.rows : A.cols;
  const kb = transB ? B.cols : B.rows;
  const n = transB ? B.rows : B.cols;
  if (k !== kb) {
    throw new ShapeError(
      'matmul64',
      `op(A) is [${m}, ${k}] (A ${fmtDims(A)}${transA ? 'ᵀ' : ''}) and op(B) is [${kb}, ${n}] (B ${fmtDims(B)}${transB ? 'ᵀ' : ''}); expected inner dimensions to match`,
    );
  }
  const C = new Float64Array(m * n);
  gemmAcc(m, n, k, 1, A.data, 0, A.cols, transA, B.data, 0, B.cols, transB, C, 0, n);
  return { data: C, rows: m, cols: n };
}
