/**
 * General square solve `A X = B` by LU factorisation with partial (row) pivoting, `P A = L U`.
 * Right-looking elimination on row-major storage: every update is an axpy over a contiguous row.
 */
import { ShapeError, ValueError } from '../errors.js';
import { SingularMatrixError } from './errors.js';
import { type Matrix64, assertSquare, checkInput, fmtDims } from './matrix.js';

const EPS = 2.220446049250313e-16;

/** Options of {@link solve}. */
export interface SolveOptions {
  /**
   * A pivot with `|pivot| <= tolerance` means "singular". Default `n · ε · max|A|`, i.e. singular to
   * working precision. Pass 0 to reject only exact zeros.
   */
  tolerance?: number;
}

/**
 * Solves `A X = B` for square `A` (never forms `A⁻¹`).
 * @param A `[n, n]`. @param B `[n, r]`. @returns X `[n, r]`.
 * @throws SingularMatrixError naming the pivot column and value when `A` is singular to the tolerance.
 * @throws ShapeError on mismatched shapes; ValueError on non-finite entries.
 */
export function solve(A: Matrix64, B: Matrix64, options: SolveOptions = {}): Matrix64 {
  const op = 'solve';
  checkInput(op, 'A', A);
  assertSquare(op, 'A', A);
  checkInput(op, 'B', B);
  const n = A.rows;
  if (B.rows !== n) throw new ShapeError(op, `A is ${fmtDims(A)} and B is ${fmtDims(B)}; expected B to have ${n} rows`);
  const r = B.cols;
  const a = A.data.slice();
  const x = B.data.slice();
  let amax = 0;
  for (let i = 0; i < a.length; i++) amax = Math.max(amax, Math.abs(a[i]));
  const tol = options.tolerance ?? n * EPS * amax;
  if (!(tol >= 0)) throw new ValueError(op, `tolerance is ${tol}; expected a number >= 0`);

  for (let k = 0; k < n; k++) {
    // Partial pivoting: the largest |a[i, k]|, i >= k.
    let p = k;
    let best = Math.abs(a[k * n + k]);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(a[i * n + k]);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    if (!(best > tol)) throw new SingularMatrixError(op, k, best, tol, n);
    if (p !== k) {
      swapRows(a, k * n, p * n, n);
      swapRows(x, k * r, p * r, r);
    }
    const rk = k * n;
    const inv = 1 / a[rk + k];
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const l = a[ri + k] * inv;
      if (l === 0) continue;
      a[ri + k] = l;
      for (let j = k + 1; j < n; j++) a[ri + j] -= l * a[rk + j];
      // Forward substitution with unit-lower L happens alongside the elimination.
      const xi = i * r;
      const xk = k * r;
      for (let c = 0; c < r; c++) x[xi + c] -= l * x[xk + c];
    }
  }
  // Back substitution with U.
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    const xi = i * r;
    for (let j = i + 1; j < n; j++) {
      const u = a[ri + j];
      if (u === 0) continue;
      const xj = j * r;
      for (let c = 0; c < r; c++) x[xi + c] -= u * x[xj + c];
    }
    const inv = 1 / a[ri + i];
    for (let c = 0; c < r; c++) x[xi + c] *= inv;
  }
  return { data: x, rows: n, cols: r };
}

function swapRows(a: Float64Array, p: number, q: number, len: number): void {
  for (let t = 0; t < len; t++) {
    const v = a[p + t];
    a[p + t] = a[q + t];
    a[q + t] = v;
  }
}
