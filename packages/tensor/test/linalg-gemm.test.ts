import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SHARED_MIN_VOLUME, gemmAcc, gemmAccJs } from '../src/linalg/gemm.js';
import { matmul64 } from '../src/linalg/index.js';
import { ShapeError } from '../src/errors.js';
import { Rng, diffNorm, frob, naiveMul, randn } from './linalg-helpers.js';

describe('gemmAcc (shared gemmF64 for large products, packed 4×4 JS kernel below)', () => {
  it('both paths match the naive product for every transpose combination and awkward sizes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 3, 4, 7, 63, 65, 257),
        fc.constantFrom(1, 5, 8, 63, 65),
        fc.constantFrom(1, 2, 7, 64, 300),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 1e6 }),
        (m, n, k, tA, tB, seed) => {
          const rng = new Rng(seed);
          const A = tA ? randn(rng, k, m) : randn(rng, m, k);
          const B = tB ? randn(rng, n, k) : randn(rng, k, n);
          const C = randn(rng, m, n);
          const ref = naiveMul(A, B, tA, tB);
          for (let i = 0; i < ref.data.length; i++) ref.data[i] = C.data[i] - 0.5 * ref.data[i];
          const C2 = { data: C.data.slice(), rows: m, cols: n };
          gemmAcc(m, n, k, -0.5, A.data, 0, A.cols, tA, B.data, 0, B.cols, tB, C.data, 0, n);
          gemmAccJs(m, n, k, -0.5, A.data, 0, A.cols, tA, B.data, 0, B.cols, tB, C2.data, 0, n);
          expect(diffNorm(C, ref)).toBeLessThanOrEqual(1e-13 * Math.max(1, frob(ref)) * Math.sqrt(k));
          expect(diffNorm(C2, ref)).toBeLessThanOrEqual(1e-13 * Math.max(1, frob(ref)) * Math.sqrt(k));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('the size grid exercises both paths', () => {
    expect(63 * 65 * 257).toBeGreaterThanOrEqual(SHARED_MIN_VOLUME);
    expect(7 * 5 * 64).toBeLessThan(SHARED_MIN_VOLUME);
  });

  it.each([
    { R: 20, Cc: 30, m: 5, n: 7, k: 6, r0: 3, c0: 10 },
    { R: 200, Cc: 300, m: 100, n: 120, k: 60, r0: 30, c0: 100 },
  ])('updates only the addressed sub-block (offsets, leading dimensions) for [$m, $n, $k]', ({ R, Cc, m, n, k, r0, c0 }) => {
    const rng = new Rng(7);
    const big = randn(rng, R, Cc);
    const before = big.data.slice();
    const A = randn(rng, m, k);
    const B = randn(rng, k, n);
    gemmAcc(m, n, k, 1, A.data, 0, k, false, B.data, 0, n, false, big.data, r0 * Cc + c0, Cc);
    const ref = naiveMul(A, B);
    let worst = 0;
    for (let i = 0; i < R; i++) {
      for (let j = 0; j < Cc; j++) {
        const inside = i >= r0 && i < r0 + m && j >= c0 && j < c0 + n;
        const want = before[i * Cc + j] + (inside ? ref.data[(i - r0) * n + (j - c0)] : 0);
        worst = Math.max(worst, Math.abs(big.data[i * Cc + j] - want));
      }
    }
    expect(worst).toBeLessThanOrEqual(1e-12);
  });

  it('matmul64 rejects mismatched inner dimensions naming both shapes', () => {
    const rng = new Rng(1);
    expect(() => matmul64(randn(rng, 2, 3), randn(rng, 4, 2))).toThrow(ShapeError);
    expect(() => matmul64(randn(rng, 2, 3), randn(rng, 4, 2))).toThrow(/\[2, 3\].*\[4, 2\]/);
    expect(matmul64(randn(rng, 2, 3), randn(rng, 4, 3), false, true).rows).toBe(2);
  });
});
