/**
 * Thin Householder QR `A = Q R` of any `[m, n]` matrix, `k = min(m, n)`: Q `[m, k]` with orthonormal
 * columns, R `[k, n]` upper triangular (trapezoidal when `m < n`). The diagonal of R may be negative
 * (the reflector convention β = −sign(α)‖x‖ is the stable one); flip a column of Q and the matching row
 * of R together to change a sign.
 */
import { type Reflector, powerOfTwoScale, reflector } from './householder.js';
import { type Matrix64, checkInput, maxAbs } from './matrix.js';

/** Thin QR factors. */
export interface QrResult {
  /** `[m, k]`, orthonormal columns. */
  Q: Matrix64;
  /** `[k, n]`, zero below the diagonal. */
  R: Matrix64;
}

const refl: Reflector = { beta: 0, tau: 0, scale: 0 };

/**
 * Thin QR by Householder reflections (backward stable; Q orthonormal to ≈ ε·k).
 * @param A `[m, n]`, finite. @returns `{ Q: [m, k], R: [k, n] }`, `k = min(m, n)`.
 */
export function qr(A: Matrix64): QrResult {
  checkInput('qr', 'A', A);
  return qrThin(A.data.slice(), A.rows, A.cols);
}

/** {@link qr} without validation, destroying the row-major `[m, n]` buffer `a`. */
export function qrThin(a: Float64Array, m: number, n: number): QrResult {
  const k = Math.min(m, n);
  // Exact power-of-two scaling keeps ‖x‖² finite; Q is unaffected and R is scaled back at the end.
  const scale = powerOfTwoScale(maxAbs(a));
  if (scale !== 1) for (let i = 0; i < a.length; i++) a[i] *= scale;
  const tau = new Float64Array(k);
  const w = new Float64Array(Math.max(m, n));
  for (let j = 0; j < k; j++) {
    const jj = j * n + j;
    let xn2 = 0;
    for (let i = j + 1; i < m; i++) xn2 += a[i * n + j] * a[i * n + j];
    reflector(a[jj], xn2, refl);
    const t = refl.tau;
    tau[j] = t;
    a[jj] = refl.beta;
    if (t === 0) continue;
    const sc = refl.scale;
    for (let i = j + 1; i < m; i++) a[i * n + j] *= sc;
    const nc = n - j - 1;
    if (nc === 0) continue;
    // w = vᵀ A[j:, j+1:]; A[j:, j+1:] −= τ v wᵀ (v[j] = 1 implicit).
    for (let c = 0; c < nc; c++) w[c] = a[jj + 1 + c];
    for (let i = j + 1; i < m; i++) {
      const vi = a[i * n + j];
      if (vi === 0) continue;
      const r = i * n + j + 1;
      for (let c = 0; c < nc; c++) w[c] += vi * a[r + c];
    }
    for (let c = 0; c < nc; c++) {
      w[c] *= t;
      a[jj + 1 + c] -= w[c];
    }
    for (let i = j + 1; i < m; i++) {
      const vi = a[i * n + j];
      if (vi === 0) continue;
      const r = i * n + j + 1;
      for (let c = 0; c < nc; c++) a[r + c] -= vi * w[c];
    }
  }
  const R = new Float64Array(k * n);
  const inv = 1 / scale;
  for (let i = 0; i < k; i++) for (let j = i; j < n; j++) R[i * n + j] = a[i * n + j] * inv;
  // Q = H_0 … H_{k−1} [I_k; 0], accumulated backwards, row-major [m, k].
  const Q = new Float64Array(m * k);
  for (let j = 0; j < k; j++) Q[j * k + j] = 1;
  for (let j = k - 1; j >= 0; j--) {
    const t = tau[j];
    if (t === 0) continue;
    const nc = k - j;
    for (let c = 0; c < nc; c++) w[c] = Q[j * k + j + c];
    for (let i = j + 1; i < m; i++) {
      const vi = a[i * n + j];
      if (vi === 0) continue;
      const r = i * k + j;
      for (let c = 0; c < nc; c++) w[c] += vi * Q[r + c];
    }
    for (let c = 0; c < nc; c++) {
      w[c] *= t;
      Q[j * k + j + c] -= w[c];
    }
    for (let i = j + 1; i < m; i++) {
      const vi = a[i * n + j];
      if (vi === 0) continue;
      const r = i * k + j;
      for (let c = 0; c < nc; c++) Q[r + c] -= vi * w[c];
    }
  }
  return { Q: { data: Q, rows: m, cols: k }, R: { data: R, rows: k, cols: n } };
}

