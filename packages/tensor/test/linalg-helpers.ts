/**
 * Independent oracles and data generators for the linalg tests: naive triple-loop products (no blocking,
 * no packing — deliberately unlike the library's GEMM) and seeded random matrices.
 */
import { Rng } from '../src/random/rng.js';
import type { Matrix64 } from '../src/linalg/index.js';

/** Naive `A · B` (or with transposes), the reference for every reconstruction check. */
export function naiveMul(A: Matrix64, B: Matrix64, transA = false, transB = false): Matrix64 {
  const m = transA ? A.cols : A.rows;
  const k = transA ? A.rows : A.cols;
  const n = transB ? B.rows : B.cols;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) {
        const a = transA ? A.data[p * A.cols + i] : A.data[i * A.cols + p];
        const b = transB ? B.data[j * B.cols + p] : B.data[p * B.cols + j];
        s += a * b;
      }
      out[i * n + j] = s;
    }
  }
  return { data: out, rows: m, cols: n };
}

/** Frobenius norm. */
export function frob(A: Matrix64 | Float64Array): number {
  const d = A instanceof Float64Array ? A : A.data;
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i] * d[i];
  return Math.sqrt(s);
}

/** ‖A − B‖_F. */
export function diffNorm(A: Matrix64 | Float64Array, B: Matrix64 | Float64Array): number {
  const a = A instanceof Float64Array ? A : A.data;
  const b = B instanceof Float64Array ? B : B.data;
  if (a.length !== b.length) throw new Error(`diffNorm: lengths ${a.length} vs ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

/** max |QᵀQ − I| for a matrix with orthonormal columns. */
export function orthoError(Q: Matrix64): number {
  const G = naiveMul(Q, Q, true, false);
  let e = 0;
  for (let i = 0; i < G.rows; i++) for (let j = 0; j < G.cols; j++) e = Math.max(e, Math.abs(G.data[i * G.cols + j] - (i === j ? 1 : 0)));
  return e;
}

/** `U · diag(S) · Vᵀ`. */
export function usvt(U: Matrix64, S: Float64Array, V: Matrix64): Matrix64 {
  const k = S.length;
  const US = new Float64Array(U.rows * k);
  for (let i = 0; i < U.rows; i++) for (let j = 0; j < k; j++) US[i * k + j] = U.data[i * k + j] * S[j];
  return naiveMul({ data: US, rows: U.rows, cols: k }, V, false, true);
}

/** `[rows, cols]` with i.i.d. standard normal entries times `scale`. */
export function randn(rng: Rng, rows: number, cols: number, scale = 1): Matrix64 {
  const d = new Float64Array(rows * cols);
  for (let i = 0; i < d.length; i++) d[i] = rng.normal() * scale;
  return { data: d, rows, cols };
}

/** Random `[rows, cols]` matrix of rank `r` (product of Gaussian `[rows, r]` and `[r, cols]`). */
export function randLowRank(rng: Rng, rows: number, cols: number, r: number): Matrix64 {
  return naiveMul(randn(rng, rows, r), randn(rng, r, cols));
}

/** Random SPD `[n, n]`: `G Gᵀ / n + shift·I`. */
export function randSpd(rng: Rng, n: number, shift = 1): Matrix64 {
  const G = randn(rng, n, n);
  const S = naiveMul(G, G, false, true);
  for (let i = 0; i < n * n; i++) S.data[i] /= n;
  for (let i = 0; i < n; i++) S.data[i * n + i] += shift;
  return S;
}

/** Random symmetric `[n, n]`. */
export function randSym(rng: Rng, n: number): Matrix64 {
  const A = randn(rng, n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) A.data[j * n + i] = A.data[i * n + j];
  return A;
}

export { Rng };
