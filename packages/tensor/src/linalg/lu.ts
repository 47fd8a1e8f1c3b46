/**
 * General square solve `A X = B` by LU factorisation with partial (row) pivoting, `P A = L U`.
 * Blocked right-looking elimination on row-major storage: panels of 48 columns are eliminated with
 * contiguous-row axpys, the trailing matrix is updated with one GEMM per panel.
 */
import { ShapeError, ValueError } from '../errors.js';
import { SingularMatrixError } from './errors.js';
import { gemmAcc } from './gemm.js';
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

  luInPlace(a, n, x, r, tol, op);
  // Back substitution with U (row-oriented: each step is an axpy over a contiguous row of X).
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

/** Panel width of the blocked factorisation. */
const NB = 48;

/**
 * Blocked right-looking LU with partial pivoting, in place: on return the strict lower triangle of `a`
 * holds the unit-lower `L`, the upper triangle `U`, and `x` (`[n, r]`) holds `L⁻¹ P B` (forward
 * substitution and row swaps are applied alongside). The trailing update `A22 −= L21 U12` is one GEMM per
 * panel.
 */
function luInPlace(a: Float64Array, n: number, x: Float64Array, r: number, tol: number, op: string): void {
  for (let k0 = 0; k0 < n; k0 += NB) {
    const kb = Math.min(NB, n - k0);
    const k1 = k0 + kb;
    // Panel: unblocked elimination of columns k0..k1 over rows k0..n; swaps move whole rows.
    for (let k = k0; k < k1; k++) {
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
        a[ri + k] = l;
        if (l === 0) continue;
        for (let j = k + 1; j < k1; j++) a[ri + j] -= l * a[rk + j];
      }
    }
    // Forward substitution of the panel rows of X (unit-lower L11), then of the rows below (L21).
    for (let i = k0; i < k1; i++) {
      const xi = i * r;
      for (let p = k0; p < i; p++) {
        const l = a[i * n + p];
        if (l === 0) continue;
        const xp = p * r;
        for (let c = 0; c < r; c++) x[xi + c] -= l * x[xp + c];
      }
    }
    if (k1 >= n) break;
    gemmAcc(n - k1, r, kb, -1, a, k1 * n + k0, n, false, x, k0 * r, r, false, x, k1 * r, r);
    // U12 = L11⁻¹ A12 (rows k0..k1, columns k1..n).
    const w = n - k1;
    for (let i = k0 + 1; i < k1; i++) {
      const ri = i * n + k1;
      for (let p = k0; p < i; p++) {
        const l = a[i * n + p];
        if (l === 0) continue;
        const rp = p * n + k1;
        for (let j = 0; j < w; j++) a[ri + j] -= l * a[rp + j];
      }
    }
    // A22 −= L21 · U12
    gemmAcc(n - k1, w, kb, -1, a, k1 * n + k0, n, false, a, k0 * n + k1, n, false, a, k1 * n + k1, n);
  }
}

function swapRows(a: Float64Array, p: number, q: number, len: number): void {
  for (let t = 0; t < len; t++) {
    const v = a[p + t];
    a[p + t] = a[q + t];
    a[q + t] = v;
  }
}
