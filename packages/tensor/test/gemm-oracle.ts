/**
 * Independent oracle and case runner for the GEMM tests: a plain triple loop in f64 that shares no code
 * with `backends/cpu/gemm`, plus a per-element rounding-error bound to compare against.
 */
import { expect } from 'vitest';
import { type GemmOptions, gemmF32, gemmF64 } from '../src/backends/cpu/gemm/index.js';
import { Rng } from '../src/random/index.js';

export type Dtype = 'f32' | 'f64';

/** One GEMM call: shapes, flags, scalars and storage geometry (offsets, leading dimensions, slack). */
export interface GemmCase {
  dtype: Dtype;
  transA: boolean;
  transB: boolean;
  m: number;
  n: number;
  k: number;
  alpha: number;
  beta: number;
  /** Extra columns in each stored row beyond the logical width (leading dimension − width). */
  padA?: number;
  padB?: number;
  padC?: number;
  aOffset?: number;
  bOffset?: number;
  cOffset?: number;
  seed: number;
}

/** Stored operands of a case, with sentinel-filled slack around the logical blocks. */
export interface GemmOperands {
  A: Float32Array | Float64Array;
  B: Float32Array | Float64Array;
  C: Float32Array | Float64Array;
  lda: number;
  ldb: number;
  ldc: number;
  aOffset: number;
  bOffset: number;
  cOffset: number;
}

/** Value written into every element of C outside the `[m, n]` block; it must survive the call. */
export const SENTINEL = 12345.5;

/** Builds the stored operands of a case from its seed (uniform values in [-1, 1)). */
export function makeOperands(c: GemmCase): GemmOperands {
  const rng = new Rng(c.seed);
  const Ctor = c.dtype === 'f32' ? Float32Array : Float64Array;
  const [aRows, aCols] = c.transA ? [c.k, c.m] : [c.m, c.k];
  const [bRows, bCols] = c.transB ? [c.n, c.k] : [c.k, c.n];
  const lda = aCols + (c.padA ?? 0);
  const ldb = bCols + (c.padB ?? 0);
  const ldc = c.n + (c.padC ?? 0);
  const aOffset = c.aOffset ?? 0;
  const bOffset = c.bOffset ?? 0;
  const cOffset = c.cOffset ?? 0;
  const fill = (len: number): Float32Array | Float64Array => {
    const out = new Ctor(len);
    for (let i = 0; i < len; i++) out[i] = 2 * rng.uniform() - 1;
    return out;
  };
  const A = fill(aOffset + Math.max(0, aRows * lda) + 3);
  const B = fill(bOffset + Math.max(0, bRows * ldb) + 3);
  const C = new Ctor(cOffset + c.m * ldc + 3).fill(SENTINEL);
  for (let i = 0; i < c.m; i++) for (let j = 0; j < c.n; j++) C[cOffset + i * ldc + j] = 2 * rng.uniform() - 1;
  return { A, B, C, lda, ldb, ldc, aOffset, bOffset, cOffset };
}

/**
 * Reference `alpha·op(A)·op(B) + beta·C` in f64 by a triple loop, and the magnitude
 * `|alpha|·(|op(A)|·|op(B)|) + |beta|·|C|` that scales each entry's rounding error.
 */
export function naiveGemm(c: GemmCase, o: GemmOperands): { value: Float64Array; scale: Float64Array } {
  const value = new Float64Array(c.m * c.n);
  const scale = new Float64Array(c.m * c.n);
  for (let i = 0; i < c.m; i++) {
    for (let j = 0; j < c.n; j++) {
      let s = 0;
      let mag = 0;
      for (let p = 0; p < c.k; p++) {
        const a = c.transA ? o.A[o.aOffset + p * o.lda + i] : o.A[o.aOffset + i * o.lda + p];
        const b = c.transB ? o.B[o.bOffset + j * o.ldb + p] : o.B[o.bOffset + p * o.ldb + j];
        s += a * b;
        mag += Math.abs(a * b);
      }
      const c0 = o.C[o.cOffset + i * o.ldc + j];
      value[i * c.n + j] = c.alpha * s + (c.beta === 0 ? 0 : c.beta * c0);
      scale[i * c.n + j] = Math.abs(c.alpha) * mag + (c.beta === 0 ? 0 : Math.abs(c.beta * c0));
    }
  }
  return { value, scale };
}

/** Unit roundoff of a precision. */
export function unitRoundoff(dtype: Dtype): number {
  return dtype === 'f32' ? 2 ** -24 : 2 ** -53;
}

/** Calls `gemmF32` or `gemmF64` on the stored operands (C is updated in place). */
export function callGemm(c: GemmCase, o: GemmOperands, options?: GemmOptions): void {
  const args = [c.transA, c.transB, c.m, c.n, c.k, c.alpha] as const;
  if (c.dtype === 'f32') {
    gemmF32(...args, o.A as Float32Array, o.aOffset, o.lda, o.B as Float32Array, o.bOffset, o.ldb, c.beta, o.C as Float32Array, o.cOffset, o.ldc, options);
  } else {
    gemmF64(...args, o.A as Float64Array, o.aOffset, o.lda, o.B as Float64Array, o.bOffset, o.ldb, c.beta, o.C as Float64Array, o.cOffset, o.ldc, options);
  }
}

/**
 * Runs a case with `options` and checks every entry of the block against the oracle within
 * `((2k + 8)·u_acc + 4·u_out)·scale` — the classical dot-product bound in the accumulation precision plus
 * the final rounding to the output type — and that every element of C outside the block still holds
 * {@link SENTINEL}.
 */
export function checkCase(c: GemmCase, options?: GemmOptions): void {
  const o = makeOperands(c);
  const ref = naiveGemm(c, o);
  callGemm(c, o, options);
  const uOut = unitRoundoff(c.dtype);
  const uAcc = options?.accumulate === 'f64' ? unitRoundoff('f64') : uOut;
  let worst = 0;
  let where = -1;
  for (let i = 0; i < c.m; i++) {
    for (let j = 0; j < c.n; j++) {
      const got = o.C[o.cOffset + i * o.ldc + j];
      const tol = ((2 * c.k + 8) * uAcc + 4 * uOut) * ref.scale[i * c.n + j] + 1e-300;
      const ratio = Math.abs(got - ref.value[i * c.n + j]) / tol;
      if (!(ratio <= worst)) {
        worst = ratio;
        where = i * c.n + j;
      }
    }
  }
  const label = `${JSON.stringify(c)} ${JSON.stringify(options ?? {})}`;
  expect(worst, `${label}: worst error/bound ratio at flat index ${where}`).toBeLessThanOrEqual(1);
  let touched = -1;
  for (let x = 0; x < o.C.length; x++) {
    const off = x - o.cOffset;
    const inside = off >= 0 && Math.floor(off / o.ldc) < c.m && off % o.ldc < c.n;
    if (!inside && o.C[x] !== SENTINEL) {
      touched = x;
      break;
    }
  }
  expect(touched, `${label}: element of C outside the block was written`).toBe(-1);
}
