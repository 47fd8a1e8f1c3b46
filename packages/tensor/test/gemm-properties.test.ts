import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type GemmKernel, type GemmOptions, gemmF32, gemmF64, gemmPoolSize, gemmWasmAvailable, stopGemmPool } from '../src/backends/cpu/gemm/index.js';
import { type GemmCase, checkCase, makeOperands } from './gemm-oracle.js';

const kernels: GemmKernel[] = ['auto', 'js', 'direct', ...(gemmWasmAvailable() ? (['wasm'] as const) : [])];
const poolPossible = gemmWasmAvailable() && gemmPoolSize() > 1;

afterAll(async () => {
  await stopGemmPool();
});

const caseArb = fc.record({
  dtype: fc.constantFrom('f32' as const, 'f64' as const),
  transA: fc.boolean(),
  transB: fc.boolean(),
  m: fc.integer({ min: 1, max: 90 }),
  n: fc.integer({ min: 1, max: 90 }),
  k: fc.integer({ min: 1, max: 90 }),
  alpha: fc.constantFrom(1, -1.5, 0.5, 2),
  beta: fc.constantFrom(0, 1, -0.5),
  padA: fc.integer({ min: 0, max: 3 }),
  padB: fc.integer({ min: 0, max: 3 }),
  padC: fc.integer({ min: 0, max: 3 }),
  aOffset: fc.integer({ min: 0, max: 5 }),
  bOffset: fc.integer({ min: 0, max: 5 }),
  cOffset: fc.integer({ min: 0, max: 5 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

const optionsArb: fc.Arbitrary<GemmOptions> = fc.record({
  kernel: fc.constantFrom(...kernels),
  // minParallelFlops 0 sends every packed product to the pool where one exists.
  threads: fc.constantFrom(1, poolPossible ? 4 : 1),
  minParallelFlops: fc.constantFrom(0, 2e6),
});

describe('gemm properties (fast-check)', () => {
  it('random shapes, flags, scalars, offsets and leading dimensions match the naive oracle', () => {
    fc.assert(
      fc.property(caseArb, optionsArb, (c: GemmCase, options) => {
        checkCase(c, options);
      }),
      { numRuns: 200, seed: 20240611 },
    );
  });

  it('(A·B)ᵀ = Bᵀ·Aᵀ exactly: the swapped, transposed call sums every entry in the same order', () => {
    fc.assert(
      fc.property(caseArb, optionsArb, (c: GemmCase, options) => {
        const o = makeOperands({ ...c, beta: 0 });
        const C1 = new (c.dtype === 'f32' ? Float32Array : Float64Array)(c.m * c.n);
        const C2 = new (c.dtype === 'f32' ? Float32Array : Float64Array)(c.n * c.m);
        // C1 = op(A)·op(B) is [m, n]; C2 = op(B)ᵀ·op(A)ᵀ is [n, m], reading the same storage with the
        // opposite transpose flags.
        if (c.dtype === 'f32') {
          const [A, B] = [o.A as Float32Array, o.B as Float32Array];
          gemmF32(c.transA, c.transB, c.m, c.n, c.k, c.alpha, A, o.aOffset, o.lda, B, o.bOffset, o.ldb, 0, C1 as Float32Array, 0, c.n, options);
          gemmF32(!c.transB, !c.transA, c.n, c.m, c.k, c.alpha, B, o.bOffset, o.ldb, A, o.aOffset, o.lda, 0, C2 as Float32Array, 0, c.m, options);
        } else {
          const [A, B] = [o.A as Float64Array, o.B as Float64Array];
          gemmF64(c.transA, c.transB, c.m, c.n, c.k, c.alpha, A, o.aOffset, o.lda, B, o.bOffset, o.ldb, 0, C1 as Float64Array, 0, c.n, options);
          gemmF64(!c.transB, !c.transA, c.n, c.m, c.k, c.alpha, B, o.bOffset, o.ldb, A, o.aOffset, o.lda, 0, C2 as Float64Array, 0, c.m, options);
        }
        for (let i = 0; i < c.m; i++) {
          for (let j = 0; j < c.n; j++) {
            if (C2[j * c.m + i] !== C1[i * c.n + j]) {
              expect(C2[j * c.m + i], `entry (${i}, ${j}) of ${JSON.stringify(c)}`).toBe(C1[i * c.n + j]);
            }
          }
        }
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});
