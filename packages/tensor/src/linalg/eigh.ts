/**
 * Symmetric eigendecomposition `A = V · diag(values) · Vᵀ` in double precision: Householder
 * tridiagonalisation followed by implicit Wilkinson-shift QR. Accuracy `‖A − V Λ Vᵀ‖ ≈ ε‖A‖`.
 */
import { powerOfTwoScale } from './householder.js';
import { type Matrix64, assertSquare, checkInput, maxAbs } from './matrix.js';
import { tridiagonalQr, tridiagonalize } from './tridiagonal.js';

/** Eigenpairs of a symmetric matrix. */
export interface EighResult {
  /** `[n]` eigenvalues, ascending. */
  values: Float64Array;
  /** `[n, n]` orthonormal eigenvectors as columns: `A · V[:, j] = values[j] · V[:, j]`. */
  vectors: Matrix64;
}

/**
 * Eigendecomposition of a symmetric `[n, n]` matrix. Only the lower triangle is read (the upper one is
 * taken as its mirror), so a slightly asymmetric accumulated Gram matrix is accepted as its lower half.
 * @throws ShapeError if `A` is not square; ValueError naming a non-finite entry.
 */
export function eigh(A: Matrix64): EighResult {
  checkInput('eigh', 'A', A);
  assertSquare('eigh', 'A', A);
  const n = A.rows;
  const src = A.data;
  const scale = powerOfTwoScale(maxAbs(src));
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = src[i * n + j] * scale;
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
  }
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(n - 1, 1));
  const qt = new Float64Array(n * n);
  tridiagonalize(n, a, d, e, qt, new Float64Array(n), new Float64Array(n));
  // Eigenvalues first (O(n²), no vectors), then the vector run with them as perfect shifts.
  const dv = d.slice();
  const ev = e.slice();
  tridiagonalQr(n, dv, ev, qt, 0, 'eigh');
  dv.sort();
  tridiagonalQr(n, d, e, qt, n, 'eigh', dv);
  const order = new Int32Array(n);
  for (let j = 0; j < n; j++) order[j] = j;
  order.sort((p, q) => d[p] - d[q] || p - q);
  const values = new Float64Array(n);
  const vec = new Float64Array(n * n);
  const inv = 1 / scale;
  for (let j = 0; j < n; j++) {
    const src2 = order[j];
    values[j] = d[src2] * inv;
    const r = src2 * n;
    for (let i = 0; i < n; i++) vec[i * n + j] = qt[r + i];
  }
  return { values, vectors: { data: vec, rows: n, cols: n } };
}
