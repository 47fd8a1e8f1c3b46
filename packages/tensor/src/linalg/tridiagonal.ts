/**
 * Householder tridiagonalisation `A = Q T Qᵀ` of a symmetric row-major `[n, n]` matrix and the implicit
 * symmetric QR iteration on `T`. As in the SVD, `Q` is kept transposed (`qt` row j = column j of Q) so that
 * each Givens rotation mixes two contiguous rows.
 */
import { deflate } from './deflation.js';
import { applyChain, nearest, rotationRadius } from './givens.js';
import { type Reflector, reflector } from './householder.js';

const refl: Reflector = { beta: 0, tau: 0, scale: 0 };

/**
 * Reduces the symmetric `a` (`[n, n]`, both triangles present; destroyed) to tridiagonal `(d, e)` and
 * writes `Qᵀ` into `qt` (`[n, n]`). `w`, `p` are scratch of length n.
 */
export function tridiagonalize(n: number, a: Float64Array, d: Float64Array, e: Float64Array, qt: Float64Array, tau: Float64Array, p: Float64Array): void {
  for (let k = 0; k < n - 2; k++) {
    const rk = k * n;
    const k1 = k + 1;
    let xn2 = 0;
    for (let j = k1 + 1; j < n; j++) xn2 += a[rk + j] * a[rk + j];
    reflector(a[rk + k1], xn2, refl);
    d[k] = a[rk + k];
    e[k] = refl.beta;
    const t = refl.tau;
    tau[k] = t;
    if (t === 0) continue;
    // u = (1, a[k, k+2:] · scale) over indices k+1..n−1, stored in row k (no longer needed).
    const sc = refl.scale;
    a[rk + k1] = 1;
    for (let j = k1 + 1; j < n; j++) a[rk + j] *= sc;
    // p = τ A22 u; w = p − (τ/2)(pᵀu) u; A22 −= u wᵀ + w uᵀ. Both triangles are kept so rows stay contiguous.
    let pu = 0;
    for (let i = k1; i < n; i++) {
      const ri = i * n;
      let s = 0;
      for (let j = k1; j < n; j++) s += a[ri + j] * a[rk + j];
      s *= t;
      p[i] = s;
      pu += s * a[rk + i];
    }
    const K = 0.5 * t * pu;
    for (let i = k1; i < n; i++) p[i] -= K * a[rk + i];
    for (let i = k1; i < n; i++) {
      const ri = i * n;
      const ui = a[rk + i];
      const wi = p[i];
      for (let j = k1; j < n; j++) a[ri + j] -= ui * p[j] + wi * a[rk + j];
    }
  }
  if (n >= 2) {
    d[n - 2] = a[(n - 2) * n + n - 2];
    e[n - 2] = a[(n - 1) * n + n - 2];
    if (n - 2 >= 0) tau[n - 2] = 0;
  }
  d[n - 1] = a[(n - 1) * n + n - 1];
  // Qᵀ by back-accumulation of H_k (acting on indices k+1..n−1).
  qt.fill(0);
  for (let j = 0; j < n; j++) qt[j * n + j] = 1;
  for (let k = n - 3; k >= 0; k--) {
    const t = tau[k];
    if (t === 0) continue;
    const rk = k * n;
    const k1 = k + 1;
    for (let j = k1; j < n; j++) {
      const r = j * n;
      let s = 0;
      for (let i = k1; i < n; i++) s += a[rk + i] * qt[r + i];
      s *= t;
      if (s === 0) continue;
      for (let i = k1; i < n; i++) qt[r + i] -= s * a[rk + i];
    }
  }
}

/** Rotation sequence of one sweep (cosines, then sines), grown on demand. */
let rot = new Float64Array(2 * 64);

/**
 * Implicit Wilkinson-shift QR on the symmetric tridiagonal `(d, e)`; on return `d` holds the eigenvalues
 * (unsorted) and the rows of `qt` (row length `len`; 0 for values only) the matching eigenvectors.
 * @param shifts optional ascending eigenvalues computed by a values-only run: each sweep then uses the one
 *   nearest the Wilkinson estimate (a perfect shift, ≈ one sweep per eigenvalue instead of ≈ 1.5–2).
 */
export function tridiagonalQr(n: number, d: Float64Array, e: Float64Array, qt: Float64Array, len: number, op: string, shifts?: Float64Array): void {
  if (rot.length < 2 * n) rot = new Float64Array(2 * n);
  let tnorm = 0;
  for (let i = 0; i < n; i++) tnorm = Math.max(tnorm, Math.abs(d[i]) + (i < n - 1 ? Math.abs(e[i]) : 0) + (i > 0 ? Math.abs(e[i - 1]) : 0));
  deflate(n, d, e, tnorm, {
    sweep: (lo, hi, perfectShift) => {
      qrSweep(lo, hi, d, e, perfectShift ? shifts : undefined, rot, n);
      // Q ← Q·J_lo·…·J_{hi−1}: the same chain on rows (k, k+1) of Qᵀ, four rotations per pass.
      if (len > 0) applyChain(qt, len, lo, hi, rot, 0, n);
    },
  }, op, 'tridiagonal QR');
}

/**
 * One implicit Wilkinson-shift QR sweep on the window `[lo, hi]` (or with the precomputed eigenvalue
 * nearest the Wilkinson estimate); records the rotations in `rot[k]` (cosines), `rot[n + k]` (sines).
 */
function qrSweep(lo: number, hi: number, d: Float64Array, e: Float64Array, shifts: Float64Array | undefined, rot: Float64Array, n: number): void {
  const delta = 0.5 * (d[hi - 1] - d[hi]);
  const b = e[hi - 1];
  const rad = Math.hypot(delta, b);
  let shift = d[hi] - (b * b) / (delta >= 0 ? delta + rad : delta - rad);
  if (shifts !== undefined && shifts.length > 0) shift = shifts[nearest(shifts, shift)];
  let x = d[lo] - shift;
  let z = e[lo];
  for (let k = lo; k < hi; k++) {
    const r = rotationRadius(x, z);
    const c = r === 0 ? 1 : x / r;
    const s = r === 0 ? 0 : z / r;
    if (k > lo) e[k - 1] = r;
    const ak = d[k];
    const bk = e[k];
    const ck = d[k + 1];
    const cs = c * s;
    const cc = c * c;
    const ss = s * s;
    d[k] = cc * ak + 2 * cs * bk + ss * ck;
    d[k + 1] = ss * ak - 2 * cs * bk + cc * ck;
    e[k] = cs * (ck - ak) + (cc - ss) * bk;
    if (k + 1 < hi) {
      z = s * e[k + 1];
      e[k + 1] *= c;
      x = e[k];
    }
    rot[k] = c;
    rot[n + k] = s;
  }
}
