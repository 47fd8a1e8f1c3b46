import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gemmAcc } from '../src/linalg/gemm.js';
import { matmul64 } from '../src/linalg/index.js';
import { ShapeError } from '../src/errors.js';
import { Rng, diffNorm, frob, naiveMul, randn } from './linalg-helpers.js';

describe('gemmAcc (blocked, packed 4×4 kernel)', () => {
  it('matches the naive product for every transpose combination and awkward sizes', () => {
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
          gemmAcc(m, n, k, -0.5, A.data, 0, A.cols, tA, B.data, 0, B.cols, tB, C.data, 0, n);
          expect(diffNorm(C, ref)).toBeLessThanOrEqual(1e-13 * Math.max(1, frob(ref)) * Math.sqrt(k));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('updates only the addressed sub-block (offsets and leading dimensions)', () => {
    const rng = new Rng(7);
    const big = randn(rng, 20, 30);
    const before = big.data.slice();
    const A = randn(rng, 5, 6);
    const B = randn(rng, 6, 7);
    // C = big[3:8, 10:17]
    gemmAcc(5, 7, 6, 1, A.data, 0, 6, false, B.data, 0, 7, false, big.data, 3 * 30 + 10, 30);
    const ref = naiveMul(A, B);
    for (let i = 0; i < 20; i++) {
      for (let j = 0; j < 30; j++) {
        const inside = i >= 3 && i < 8 && j >= 10 && j < 17;
        const want = before[i * 30 + j] + (inside ? ref.data[(i - 3) * 7 + (j - 10)] : 0);
        expect(big.data[i * 30 + j]).toBeCloseTo(want, 12);
      }
    }
  });

  it('matmul64 rejects mismatched inner dimensions naming both shapes', () => {
    const rng = new Rng(1);
    expect(() => matmul64(randn(rng, 2, 3), randn(rng, 4, 2))).toThrow(ShapeError);
    expect(() => matmul64(randn(rng, 2, 3), randn(rng, 4, 2))).toThrow(/\[2, 3\].*\[4, 2\]/);
    expect(matmul64(randn(rng, 2, 3), randn(rng, 4, 3), false, true).rows).toBe(2);
  });
});
