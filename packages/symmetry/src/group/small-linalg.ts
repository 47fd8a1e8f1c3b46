/**
 * Square row-major f64 helpers for group elements (`d_k×d_k` head blocks, small dense elements).
 * Local on purpose: they are tiny, allocation-light and must not depend on tensor backends.
 */
import { TransformError } from '../errors.js';

/** `[n, n]` identity. */
export function identitySq(n: number): Float64Array {
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) m[i * n + i] = 1;
  return m;
}

/** `a · b` for `[n, n]` matrices (i-k-j loop order: streams rows of b). */
export function matmulSq(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ci = i * n;
    for (let k = 0; k < n; k++) {
      const aik = a[ci + k];
      if (aik === 0) continue;
      const bk = k * n;
      for (let j = 0; j < n; j++) c[ci + j] += aik * b[bk + j];
    }
  }
  return c;
}

/** `aᵀ` for an `[n, n]` matrix. */
export function transposeSq(a: Float64Array, n: number): Float64Array {
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[j * n + i] = a[i * n + j];
  return t;
}

/**
 * `a⁻¹` by Gauss–Jordan elimination with partial pivoting.
 * @throws TransformError when `a` is singular to working precision.
 */
export function invertSq(a: Float64Array, n: number, what = 'matrix'): Float64Array {
  const m = Float64Array.from(a);
  const inv = identitySq(n);
  let scale = 0;
  for (let i = 0; i < a.length; i++) scale = Math.max(scale, Math.abs(a[i]));
  for (let c = 0; c < n; c++) {
    let p = c;
    let best = Math.abs(m[c * n + c]);
    for (let r = c + 1; r < n; r++) {
      const v = Math.abs(m[r * n + c]);
      if (v > best) {
        best = v;
        p = r;
      }
    }
    if (!(best > scale * n * 1e-14)) {
      throw new TransformError(`invert: the ${n}×${n} ${what} is singular (pivot ${best} in column ${c}); group elements must be invertible`);
    }
    if (p !== c) {
      swapRows(m, p, c, n);
      swapRows(inv, p, c, n);
    }
    const d = 1 / m[c * n + c];
    for (let j = 0; j < n; j++) {
      m[c * n + j] *= d;
      inv[c * n + j] *= d;
    }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r * n + c];
      if (f === 0) continue;
      for (let j = 0; j < n; j++) {
        m[r * n + j] -= f * m[c * n + j];
        inv[r * n + j] -= f * inv[c * n + j];
      }
    }
  }
  return inv;
}

function swapRows(m: Float64Array, a: number, b: number, n: number): void {
  for (let j = 0; j < n; j++) {
    const t = m[a * n + j];
    m[a * n + j] = m[b * n + j];
    m[b * n + j] = t;
  }
}

/** max |aᵀa − c²·I| over entries, with c² = mean of diag(aᵀa): 0 for a scaled orthogonal matrix. */
export function scaledOrthogonalDefect(a: Float64Array, n: number): { defect: number; c2: number } {
  const g = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n; i++) {
      const aki = a[k * n + i];
      if (aki === 0) continue;
      for (let j = 0; j < n; j++) g[i * n + j] += aki * a[k * n + j];
    }
  }
  let c2 = 0;
  for (let i = 0; i < n; i++) c2 += g[i * n + i];
  c2 /= n;
  let defect = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) defect = Math.max(defect, Math.abs(g[i * n + j] - (i === j ? c2 : 0)));
  return { defect, c2 };
}
