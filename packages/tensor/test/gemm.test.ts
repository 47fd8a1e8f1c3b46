import { describe, expect, it } from 'vitest';
import { DTypeError, ShapeError, ValueError } from '../src/errors.js';
import { DIRECT_MAX_VOLUME, type GemmKernel, gemmF32, gemmF64, gemmWasmAvailable } from '../src/backends/cpu/gemm/index.js';
import { type Dtype, type GemmCase, SENTINEL, callGemm, checkCase, makeOperands } from './gemm-oracle.js';

const hasWasm = gemmWasmAvailable();
const dtypes: Dtype[] = ['f32', 'f64'];
const transposes: [boolean, boolean][] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];
/** Awkward (m, n, k): 1, 7, 63, 65, 257 on each axis, ragged against MR = 4, NR = 4/8 and KC = 256. */
const shapes: [number, number, number][] = [
  [1, 1, 1],
  [1, 7, 63],
  [7, 1, 65],
  [7, 7, 7],
  [63, 65, 7],
  [65, 63, 257],
  [257, 7, 65],
  [7, 257, 63],
  [1, 257, 257],
  [257, 1, 63],
];
const kernels: GemmKernel[] = ['js', 'direct', ...(hasWasm ? (['wasm'] as const) : [])];

describe('gemmF32 / gemmF64 against a naive triple loop', () => {
  for (const kernel of kernels) {
    for (const dtype of dtypes) {
      it(`${kernel} kernel, ${dtype}: every transpose combination on awkward sizes`, () => {
        let seed = 1;
        for (const [transA, transB] of transposes) {
          for (const [m, n, k] of shapes) {
            checkCase({ dtype, transA, transB, m, n, k, alpha: 1, beta: 0, seed: seed++ }, { kernel, threads: 1 });
          }
        }
      });
    }
  }

  it('crosses KC blocks (k = 600) and large ragged blocks on the default path', () => {
    for (const dtype of dtypes) {
      checkCase({ dtype, transA: false, transB: true, m: 130, n: 77, k: 600, alpha: 1, beta: 0, seed: 7 }, { threads: 1 });
      checkCase({ dtype, transA: true, transB: false, m: 257, n: 257, k: 65, alpha: 1, beta: 0, seed: 8 }, { threads: 1 });
    }
  });

  it('honours offsets and leading dimensions larger than the width, never writing outside the C block', () => {
    let seed = 100;
    for (const dtype of dtypes) {
      for (const [transA, transB] of transposes) {
        for (const kernel of kernels) {
          const c: GemmCase = { dtype, transA, transB, m: 37, n: 21, k: 45, alpha: 1, beta: 0, padA: 3, padB: 5, padC: 2, aOffset: 11, bOffset: 6, cOffset: 9, seed: seed++ };
          checkCase(c, { kernel, threads: 1 });
        }
      }
    }
  });

  it('applies alpha and beta as BLAS does', () => {
    let seed = 200;
    for (const dtype of dtypes) {
      for (const kernel of kernels) {
        for (const [alpha, beta] of [
          [2, 0],
          [-0.5, 1],
          [0.25, -1.5],
          [1, 1],
        ]) {
          checkCase({ dtype, transA: true, transB: false, m: 19, n: 33, k: 70, alpha, beta, padC: 1, cOffset: 3, seed: seed++ }, { kernel, threads: 1 });
        }
      }
    }
  });

  it('does not read C when beta = 0 (NaN in C does not leak into the result)', () => {
    for (const dtype of dtypes) {
      for (const kernel of kernels) {
        const c: GemmCase = { dtype, transA: false, transB: false, m: 9, n: 10, k: 40, alpha: 1, beta: 0, seed: 300 };
        const o = makeOperands(c);
        o.C.fill(Number.NaN);
        callGemm(c, o, { kernel, threads: 1 });
        expect(o.C.slice(0, 90).every((v) => Number.isFinite(v)), `${dtype} ${kernel}`).toBe(true);
      }
    }
  });

  it('k = 0 or alpha = 0 only scales C by beta (and zeroes it for beta = 0)', () => {
    for (const dtype of dtypes) {
      const c: GemmCase = { dtype, transA: false, transB: false, m: 5, n: 6, k: 0, alpha: 1, beta: 3, padC: 2, seed: 400 };
      const o = makeOperands(c);
      const before = Array.from(o.C);
      callGemm(c, o);
      for (let i = 0; i < 5; i++) for (let j = 0; j < 6; j++) expect(o.C[i * 8 + j]).toBeCloseTo(3 * before[i * 8 + j], 5);
      const z: GemmCase = { ...c, k: 12, alpha: 0, beta: 0 };
      const oz = makeOperands(z);
      oz.C.fill(Number.NaN, 0, 5 * 8);
      callGemm(z, oz);
      for (let i = 0; i < 5; i++) for (let j = 0; j < 6; j++) expect(oz.C[i * 8 + j]).toBe(0);
      expect(oz.C[6]).toBeNaN(); // padding column: untouched
    }
  });

  it('lets A, B and C be one array when the written block is disjoint from what is read (blocked updates)', () => {
    // X is [90, 90]: X[0:50, 60:90] −= X[0:50, 0:40] · X[50:90, 0:30], three disjoint blocks of one array.
    for (const kernel of kernels) {
      for (const dtype of dtypes) {
        const Ctor = dtype === 'f32' ? Float32Array : Float64Array;
        const X = new Ctor(90 * 90).map((_, i) => ((i * 37) % 101) / 50 - 1);
        const before = X.slice();
        const [m, n, k] = [50, 30, 40];
        const expected = new Float64Array(m * n);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let p = 0; p < k; p++) s += before[i * 90 + p] * before[(50 + p) * 90 + j];
            expected[i * n + j] = before[i * 90 + 60 + j] - s;
          }
        }
        if (dtype === 'f32') gemmF32(false, false, m, n, k, -1, X as Float32Array, 0, 90, X as Float32Array, 50 * 90, 90, 1, X as Float32Array, 60, 90, { kernel, threads: 1 });
        else gemmF64(false, false, m, n, k, -1, X as Float64Array, 0, 90, X as Float64Array, 50 * 90, 90, 1, X as Float64Array, 60, 90, { kernel, threads: 1 });
        for (let i = 0; i < 90; i++) {
          for (let j = 0; j < 90; j++) {
            const inC = i < m && j >= 60;
            const want = inC ? expected[i * n + j - 60] : before[i * 90 + j];
            const tol = inC ? (dtype === 'f32' ? 1e-4 : 1e-12) : 0;
            if (Math.abs(X[i * 90 + j] - want) > tol) expect(X[i * 90 + j], `${kernel} ${dtype} (${i}, ${j})`).toBeCloseTo(want, 12);
          }
        }
      }
    }
  });

  it('m = 0 or n = 0 is a no-op', () => {
    const C = new Float64Array([SENTINEL]);
    gemmF64(false, false, 0, 1, 3, 1, new Float64Array(3), 0, 3, new Float64Array(3), 0, 1, 0, C, 0, 1);
    gemmF64(false, false, 1, 0, 3, 1, new Float64Array(3), 0, 3, new Float64Array(3), 0, 1, 0, C, 0, 1);
    expect(C[0]).toBe(SENTINEL);
  });

  it("accumulate: 'f64' gives f32 products f64 accumulation (within the much tighter f64 bound)", () => {
    // k = 4000: f32 accumulation errors (~√k·2⁻²⁴ relative) would exceed this bound.
    checkCase({ dtype: 'f32', transA: false, transB: false, m: 9, n: 17, k: 4000, alpha: 1, beta: 0, seed: 500 }, { accumulate: 'f64', threads: 1 });
    checkCase({ dtype: 'f32', transA: true, transB: true, m: 65, n: 63, k: 257, alpha: -2, beta: 0.5, seed: 501 }, { accumulate: 'f64', threads: 1 });
  });

  it('splits products whose scratch exceeds maxScratchBytes along m, n and k with the same result', () => {
    let seed = 600;
    for (const dtype of dtypes) {
      for (const [m, n, k] of [
        [300, 20, 30],
        [20, 300, 30],
        [20, 30, 300],
      ]) {
        checkCase({ dtype, transA: seed % 2 === 0, transB: seed % 3 === 0, m, n, k, alpha: 1.5, beta: -1, padA: 1, padC: 3, cOffset: 2, seed: seed++ }, { maxScratchBytes: 8192, threads: 1 });
      }
    }
  });

  it(`uses the direct path only up to m·n·k = ${DIRECT_MAX_VOLUME} and agrees with the packed path around it`, () => {
    for (const k of [Math.floor(DIRECT_MAX_VOLUME / 64), Math.floor(DIRECT_MAX_VOLUME / 64) + 1]) {
      checkCase({ dtype: 'f64', transA: false, transB: false, m: 8, n: 8, k, alpha: 1, beta: 0, seed: 700 + k });
    }
  });
});

describe('gemm argument validation', () => {
  const A = new Float32Array(12);
  const B = new Float32Array(12);
  const C = new Float32Array(9).fill(SENTINEL);

  it('names the op, the bad value and what was expected, and leaves C untouched', () => {
    expect(() => gemmF32(false, false, 3, 3, 4, 1, A, 0, 3, B, 0, 3, 0, C, 0, 3)).toThrow(ShapeError);
    expect(() => gemmF32(false, false, 3, 3, 4, 1, A, 0, 3, B, 0, 3, 0, C, 0, 3)).toThrow(/gemmF32: leading dimension of A must be an integer ≥ max\(1, 4\).*got 3/);
    expect(() => gemmF32(false, false, 3, 3, 4, 1, A, 1, 4, B, 0, 3, 0, C, 0, 3)).toThrow(/A: stored \[3, 4\] at offset 1 .* reaches element 12, but A has length 12/);
    expect(() => gemmF32(false, true, 3, 3, 4, 1, A, 0, 4, B, 0, 4, 0, C, 1, 3)).toThrow(/C: stored \[3, 3\] at offset 1/);
    expect(() => gemmF32(false, false, -1, 3, 4, 1, A, 0, 4, B, 0, 3, 0, C, 0, 3)).toThrow(ValueError);
    expect(() => gemmF32(false, false, 3, 3, 4.5, 1, A, 0, 4, B, 0, 3, 0, C, 0, 3)).toThrow(/k must be a non-negative integer, got 4.5/);
    expect(() => gemmF64(false, false, 1, 1, 1, 1, new Float32Array(1) as unknown as Float64Array, 0, 1, new Float64Array(1), 0, 1, 0, new Float64Array(1), 0, 1)).toThrow(DTypeError);
    expect(() => gemmF32(false, false, 3, 3, 4, 1, A, 0, 4, B, 0, 3, 0, C, 0, 3, { threads: 0 })).toThrow(/threads must be a positive integer, got 0/);
    expect(() => gemmF32(false, false, 3, 3, 4, 1, A, 0, 4, B, 0, 3, 0, C, 0, 3, { kernel: 'gpu' as GemmKernel, threads: 1 })).toThrow(/kernel must be 'auto', 'wasm', 'js' or 'direct', got 'gpu'/);
    expect(Array.from(C).every((v) => v === SENTINEL)).toBe(true);
  });
});
