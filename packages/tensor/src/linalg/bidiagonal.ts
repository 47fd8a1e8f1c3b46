/**
 * Golub–Kahan bidiagonalisation `A = U B Vᵀ` of a row-major `[m, n]` matrix with `m ≥ n`, by alternating
 * Householder reflectors from the left (columns) and the right (rows). `B` is upper bidiagonal with
 * diagonal `d[0..n)` and superdiagonal `e[0..n−1)`.
 *
 * The orthogonal factors are returned *transposed*: `Ut` is `[n, m]` (row j is column j of U) and `Vt` is
 * `[n, n]`, because the bidiagonal QR iteration then rotates contiguous rows instead of strided columns.
 */
import { type Reflector, reflector } from './householder.js';

/** Workspace and outputs of {@link bidiagonalize}, reused across calls of the same shape (batched SVD). */
export interface BidiagWork {
  m: number;
  n: number;
  /** `[m, n]` working copy of A; holds the reflectors afterwards. */
  a: Float64Array;
  d: Float64Array;
  e: Float64Array;
  tauq: Float64Array;
  taup: Float64Array;
  /** `[n, m]`, Uᵀ. */
  ut: Float64Array;
  /** `[n, n]`, Vᵀ. */
  vt: Float64Array;
  /** Scratch of length max(m, n). */
  w: Float64Array;
  v: Float64Array;
}

/** Allocates the workspace for `[m, n]` inputs (`m ≥ n`). */
export function bidiagWork(m: number, n: number): BidiagWork {
  return {
    m,
    n,
    a: new Float64Array(m * n),
    d: new Float64Array(n),
    e: new Float64Array(Math.max(n - 1, 0)),
    tauq: new Float64Array(n),
    taup: new Float64Array(n),
    ut: new Float64Array(n * m),
    vt: new Float64Array(n * n),
    w: new Float64Array(Math.max(m, n)),
    v: new Float64Array(Math.max(m, n)),
  };
}

const refl: Reflector = { beta: 0, tau: 0, scale: 0 };

/**
 * Reduces `work.a` (already filled, `[m, n]`, `m ≥ n`) to bidiagonal form and forms `ut`, `vt`.
 * Flops ≈ 4mn² − 4n³/3 for the reduction plus ≈ 4mn² − 2n³ for the factors.
 */
export function bidiagonalize(work: BidiagWork): void {
  const { m, n, a, d, e, tauq, taup, w } = work;
  for (let k = 0; k < n; k++) {
    // Left reflector: zero a[k+1:, k].
    const kk = k * n + k;
    let xn2 = 0;
    for (let i = k + 1; i < m; i++) {
      const x = a[i * n + k];
      xn2 += x * x;
    }
    reflector(a[kk], xn2, refl);
    d[k] = refl.beta;
    const tq = refl.tau;
    tauq[k] = tq;
    if (tq !== 0) {
      const sc = refl.scale;
      for (let i = k + 1; i < m; i++) a[i * n + k] *= sc;
      // w = vᵀ A[k:, k+1:], then A[k:, k+1:] −= τ v wᵀ; row by row so every access is contiguous.
      const nc = n - k - 1;
      if (nc > 0) {
        for (let j = 0; j < nc; j++) w[j] = a[kk + 1 + j];
        for (let i = k + 1; i < m; i++) {
          const vi = a[i * n + k];
          if (vi === 0) continue;
          const ri = i * n + k + 1;
          for (let j = 0; j < nc; j++) w[j] += vi * a[ri + j];
        }
        for (let j = 0; j < nc; j++) w[j] *= tq;
        for (let j = 0; j < nc; j++) a[kk + 1 + j] -= w[j];
        for (let i = k + 1; i < m; i++) {
          const vi = a[i * n + k];
          if (vi === 0) continue;
          const ri = i * n + k + 1;
          for (let j = 0; j < nc; j++) a[ri + j] -= vi * w[j];
        }
      }
    }
    if (k >= n - 1) break;
    // Right reflector: zero a[k, k+2:].
    const k1 = kk + 1;
    xn2 = 0;
    for (let j = k1 + 1; j < (k + 1) * n; j++) xn2 += a[j] * a[j];
    reflector(a[k1], xn2, refl);
    e[k] = refl.beta;
    const tp = refl.tau;
    taup[k] = tp;
    if (tp !== 0) {
      const sc = refl.scale;
      const len = n - k - 1; // u has entries at columns k+1 .. n−1, u[0] = 1
      for (let j = 1; j < len; j++) a[k1 + j] *= sc;
      for (let i = k + 1; i < m; i++) {
        const ri = i * n + k + 1;
        let s = a[ri];
        for (let j = 1; j < len; j++) s += a[ri + j] * a[k1 + j];
        s *= tp;
        a[ri] -= s;
        for (let j = 1; j < len; j++) a[ri + j] -= s * a[k1 + j];
      }
    }
  }
  formUt(work);
  formVt(work);
}

/** `Uᵀ` rows = columns of `H_0 … H_{n−1} [I_n; 0]`, by back-accumulation (each H touches columns ≥ k only). */
function formUt(work: BidiagWork): void {
  const { m, n, a, tauq, ut, v } = work;
  ut.fill(0);
  for (let j = 0; j < n; j++) ut[j * m + j] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const tq = tauq[k];
    if (tq === 0) continue;
    v[k] = 1;
    for (let i = k + 1; i < m; i++) v[i] = a[i * n + k];
    for (let j = k; j < n; j++) {
      const r = j * m;
      let s = 0;
      for (let i = k; i < m; i++) s += v[i] * ut[r + i];
      s *= tq;
      if (s === 0) continue;
      for (let i = k; i < m; i++) ut[r + i] -= s * v[i];
    }
  }
}

/** `Vᵀ` rows = columns of `G_0 … G_{n−3}`; `G_k` acts on indices `k+1 … n−1` with `u` stored in row k of `a`. */
function formVt(work: BidiagWork): void {
  const { n, a, taup, vt, v } = work;
  vt.fill(0);
  for (let j = 0; j < n; j++) vt[j * n + j] = 1;
  for (let k = n - 2; k >= 0; k--) {
    const tp = taup[k];
    if (tp === 0) continue;
    const k1 = k + 1;
    v[k1] = 1;
    for (let j = k1 + 1; j < n; j++) v[j] = a[k * n + j];
    for (let j = k1; j < n; j++) {
      const r = j * n;
      let s = 0;
      for (let i = k1; i < n; i++) s += v[i] * vt[r + i];
      s *= tp;
      if (s === 0) continue;
      for (let i = k1; i < n; i++) vt[r + i] -= s * v[i];
    }
  }
}
