import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../src/errors.js';
import { type Matrix64, procrustes } from '../src/linalg/index.js';
import { Rng, diffNorm, frob, naiveMul, orthoError, randn } from './linalg-helpers.js';

function objective(R: Matrix64, X: Matrix64, Y: Matrix64): number {
  return diffNorm(naiveMul(R, X), Y);
}

function permutationMatrix(perm: Int32Array): Matrix64 {
  const p = perm.length;
  const d = new Float64Array(p * p);
  for (let i = 0; i < p; i++) d[i * p + perm[i]] = 1;
  return { data: d, rows: p, cols: p };
}

describe('procrustes', () => {
  it('R is orthogonal and never worse than the identity or any random permutation (or random orthogonal)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 1e9 }), (p, c, seed) => {
        const rng = new Rng(seed);
        const X = randn(rng, p, c);
        const Y = randn(rng, p, c);
        const { R, residual } = procrustes(X, Y);
        expect(orthoError(R)).toBeLessThanOrEqual(1e-13);
        // Square with orthonormal columns ⇒ R Rᵀ = I as well; check it independently.
        const RRt = naiveMul(R, R, false, true);
        for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) expect(Math.abs(RRt.data[i * p + j] - (i === j ? 1 : 0))).toBeLessThanOrEqual(1e-13);
        const best = objective(R, X, Y);
        expect(Math.abs(best - residual)).toBeLessThanOrEqual(1e-12 * (frob(X) + frob(Y)));
        const slack = 1e-12 * (frob(X) + frob(Y));
        const I = permutationMatrix(Int32Array.from({ length: p }, (_, i) => i));
        expect(best).toBeLessThanOrEqual(objective(I, X, Y) + slack);
        for (let t = 0; t < 5; t++) {
          expect(best).toBeLessThanOrEqual(objective(permutationMatrix(rng.permutation(p)), X, Y) + slack);
          expect(best).toBeLessThanOrEqual(objective({ data: rng.orthogonal(p), rows: p, cols: p }, X, Y) + slack);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('recovers a planted orthogonal map exactly (residual ≈ 0), including det = −1', () => {
    const rng = new Rng(12);
    const p = 16;
    const X = randn(rng, p, 50);
    const Q = { data: rng.orthogonal(p), rows: p, cols: p };
    // Flip one row to make det(Q) = −1 whatever it was, then flip again: both signs are covered by seeds.
    for (const flip of [false, true]) {
      const Qf = { data: Q.data.slice(), rows: p, cols: p };
      if (flip) for (let j = 0; j < p; j++) Qf.data[j] = -Qf.data[j];
      const Y = naiveMul(Qf, X);
      const { R, residual } = procrustes(X, Y);
      expect(diffNorm(R, Qf)).toBeLessThanOrEqual(1e-12);
      expect(residual).toBeLessThanOrEqual(1e-12 * frob(Y));
    }
  });

  it('rejects mismatched shapes naming both', () => {
    const rng = new Rng(1);
    expect(() => procrustes(randn(rng, 4, 5), randn(rng, 4, 6))).toThrow(ShapeError);
    expect(() => procrustes(randn(rng, 4, 5), randn(rng, 4, 6))).toThrow(/procrustes: X is \[4, 5\] and Y is \[4, 6\]; expected equal shapes/);
  });
});
