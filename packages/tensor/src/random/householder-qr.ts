/**
 * Small dense Householder QR used to draw Haar-distributed orthogonal matrices.
 *
 * Works in place on a column-major copy so that every reflection touches contiguous memory
 * (column j of A is the contiguous slice `a[j·n, (j+1)·n)`).
 */

/**
 * Orthogonal factor of `A = Q R` with the sign convention `diag(R) > 0`, which makes Q unique and, for a
 * Gaussian A, Haar-distributed (Mezzadri 2007, "How to generate random matrices from the classical compact
 * groups").
 *
 * @param aColMajor `[n, n]` matrix stored column-major; overwritten (it ends up holding R and scratch).
 * @param n size.
 * @returns Q as a row-major `[n, n]` Float64Array.
 */
export function orthogonalFactorPositiveR(aColMajor: Float64Array, n: number): Float64Array {
  const a = aColMajor;
  // Householder vectors v_k (length n-k, unit norm) stored in a packed buffer, one per column k < n-1.
  const vs = new Float64Array((n * (n + 1)) / 2);
  const vOff = new Int32Array(n);
  const rSign = new Float64Array(n);
  let off = 0;
  for (let k = 0; k < n; k++) {
    vOff[k] = off;
    const ck = k * n;
    let norm2 = 0;
    for (let i = k; i < n; i++) norm2 += a[ck + i] * a[ck + i];
    const norm = Math.sqrt(norm2);
    const x0 = a[ck + k];
    if (k === n - 1 || norm === 0) {
      // 1×1 block (or zero column, probability 0 for Gaussian input): no reflection, R_kk = x0.
      rSign[k] = x0 < 0 ? -1 : 1;
      off += n - k;
      continue;
    }
    // alpha = -sign(x0)·‖x‖ avoids cancellation in v = x − alpha·e1; then R_kk = alpha.
    const alpha = x0 < 0 ? norm : -norm;
    rSign[k] = alpha < 0 ? -1 : 1;
    // v = x − alpha e1, ‖v‖² = 2‖x‖² − 2 alpha x0.
    const vnorm = Math.sqrt(2 * norm2 - 2 * alpha * x0);
    vs[off] = (x0 - alpha) / vnorm;
    for (let i = k + 1; i < n; i++) vs[off + i - k] = a[ck + i] / vnorm;
    // Apply H = I − 2vvᵀ to the remaining columns j > k.
    for (let j = k + 1; j < n; j++) {
      const cj = j * n;
      let dot = 0;
      for (let i = k; i < n; i++) dot += vs[off + i - k] * a[cj + i];
      const s = 2 * dot;
      for (let i = k; i < n; i++) a[cj + i] -= s * vs[off + i - k];
    }
    off += n - k;
  }
  // Q = H_0 H_1 … H_{n-2}: start from I (column-major) and apply reflections right-to-left.
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  for (let k = n - 2; k >= 0; k--) {
    const vo = vOff[k];
    let nrm = 0;
    for (let i = k; i < n; i++) nrm += vs[vo + i - k] * vs[vo + i - k];
    if (nrm === 0) continue; // skipped (zero column) reflection
    for (let j = k; j < n; j++) {
      const cj = j * n;
      let dot = 0;
      for (let i = k; i < n; i++) dot += vs[vo + i - k] * q[cj + i];
      const s = 2 * dot;
      for (let i = k; i < n; i++) q[cj + i] -= s * vs[vo + i - k];
    }
  }
  // Row-major output with column k scaled by sign(R_kk): Q·diag(sign(diag R)).
  const out = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const s = rSign[j];
    const cj = j * n;
    for (let i = 0; i < n; i++) out[i * n + j] = s * q[cj + i];
  }
  return out;
}
