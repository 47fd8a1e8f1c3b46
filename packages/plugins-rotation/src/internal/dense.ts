/**
 * Small dense f64 products on row-major arrays: `A Bᵀ` (cross-Grams of head matrices) and `R X`
 * (rotating a head). Routed through `@symfuse/tensor`'s blocked `matmul64` when it is exported (see
 * `tensor-linalg.ts`), else a local loop whose inner loop is a contiguous dot product / axpy.
 */
import { tensorMatmul64 } from './tensor-linalg.js';

/** Below this many multiply-adds the local loop beats `matmul64`'s packing. */
const LIBRARY_MIN_VOLUME = 32 * 32 * 32;

/**
 * `A Bᵀ` for `A` `[m, k]` and `B` `[n, k]` (row-major, possibly subarray views).
 * @returns `[m, n]` row-major.
 */
export function mulABt(a: Float64Array, b: Float64Array, m: number, n: number, k: number): Float64Array {
  if (a.length < m * k || b.length < n * k) throw new Error(`mulABt: A has ${a.length} entries for [${m}, ${k}] and B ${b.length} for [${n}, ${k}]`);
  if (tensorMatmul64 && m * n * k >= LIBRARY_MIN_VOLUME) {
    return tensorMatmul64({ data: a.subarray(0, m * k), rows: m, cols: k }, { data: b.subarray(0, n * k), rows: n, cols: k }, false, true).data;
  }
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const ai = i * k;
    for (let j = 0; j < n; j++) {
      const bj = j * k;
      let s0 = 0;
      let s1 = 0;
      let t = 0;
      for (; t + 1 < k; t += 2) {
        s0 += a[ai + t] * b[bj + t];
        s1 += a[ai + t + 1] * b[bj + t + 1];
      }
      if (t < k) s0 += a[ai + t] * b[bj + t];
      c[i * n + j] = s0 + s1;
    }
  }
  return c;
}

/**
 * `R X` for `R` `[m, m]` and `X` `[m, k]`, written into `out` (`[m, k]`, must not alias `x`).
 */
export function mulSquareInto(r: Float64Array, x: Float64Array, m: number, k: number, out: Float64Array): void {
  if (tensorMatmul64 && m * m * k >= LIBRARY_MIN_VOLUME) {
    out.set(tensorMatmul64({ data: r.subarray(0, m * m), rows: m, cols: m }, { data: x.subarray(0, m * k), rows: m, cols: k }).data);
    return;
  }
  out.fill(0, 0, m * k);
  for (let i = 0; i < m; i++) {
    const oi = i * k;
    for (let c = 0; c < m; c++) {
      const f = r[i * m + c];
      if (f === 0) continue;
      const xc = c * k;
      for (let t = 0; t < k; t++) out[oi + t] += f * x[xc + t];
    }
  }
}

/** `Σ a_i²` over the first `n` entries. */
export function sumSquares(a: Float64Array, n = a.length): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i] * a[i];
  return s;
}
