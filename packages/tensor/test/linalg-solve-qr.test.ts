import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../src/errors.js';
import { SingularMatrixError, qr, solve } from '../src/linalg/index.js';
import { Rng, diffNorm, frob, naiveMul, orthoError, randLowRank, randn } from './linalg-helpers.js';

describe('solve (LU with partial pivoting)', () => {
  it('residual ‖A X − B‖ is at rounding level for random square systems', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 7, 63, 65), fc.constantFrom(1, 4), fc.integer({ min: 0, max: 1e9 }), (n, r, seed) => {
        const rng = new Rng(seed);
        const A = randn(rng, n, n);
        const B = randn(rng, n, r);
        const X = solve(A, B);
        expect(diffNorm(naiveMul(A, X), B)).toBeLessThanOrEqual(1e-12 * n * (frob(A) * frob(X) + frob(B)));
      }),
      { numRuns: 25 },
    );
  });

  it('needs pivoting: a zero leading entry is fine', () => {
    const A = { data: Float64Array.from([0, 1, 1, 0]), rows: 2, cols: 2 };
    const X = solve(A, { data: Float64Array.from([2, 3]), rows: 2, cols: 1 });
    expect(Array.from(X.data)).toEqual([3, 2]);
  });

  it('reports a singular matrix naming the pivot', () => {
    const A = { data: Float64Array.from([1, 2, 3, 2, 4, 6, 1, 0, 1]), rows: 3, cols: 3 };
    let err: unknown;
    try {
      solve(A, { data: Float64Array.from([1, 2, 3]), rows: 3, cols: 1 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SingularMatrixError);
    expect((err as SingularMatrixError).pivot).toBe(2);
    expect((err as Error).message).toMatch(/solve: matrix \[3, 3\] is singular to working precision: pivot 2 is/);
    // Numerically singular (rank 3 of 8) is caught too.
    const L = randLowRank(new Rng(1), 8, 8, 3);
    expect(() => solve(L, randn(new Rng(2), 8, 1))).toThrow(SingularMatrixError);
  });

  it('rejects shape mismatches naming both shapes', () => {
    const rng = new Rng(1);
    expect(() => solve(randn(rng, 3, 3), randn(rng, 2, 1))).toThrow(ShapeError);
    expect(() => solve(randn(rng, 3, 3), randn(rng, 2, 1))).toThrow(/solve: A is \[3, 3\] and B is \[2, 1\]; expected B to have 3 rows/);
    expect(() => solve(randn(rng, 3, 2), randn(rng, 3, 1))).toThrow(/solve: A is \[3, 2\]; expected a square matrix/);
  });
});

describe('qr (thin Householder)', () => {
  it('A = Q R, Q orthonormal, R upper triangular, for tall, square and wide shapes', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 7, 63, 65), fc.constantFrom(1, 3, 7, 64), fc.integer({ min: 0, max: 1e9 }), (m, n, seed) => {
        const A = randn(new Rng(seed), m, n);
        const { Q, R } = qr(A);
        const k = Math.min(m, n);
        expect([Q.rows, Q.cols, R.rows, R.cols]).toEqual([m, k, k, n]);
        for (let i = 0; i < k; i++) for (let j = 0; j < Math.min(i, n); j++) expect(R.data[i * n + j]).toBe(0);
        expect(orthoError(Q)).toBeLessThanOrEqual(1e-14 * Math.max(m, 4));
        expect(diffNorm(naiveMul(Q, R), A) / frob(A)).toBeLessThanOrEqual(1e-14 * Math.max(m, 4));
      }),
      { numRuns: 30 },
    );
  });

  it('rank-deficient input still gives orthonormal Q and exact reconstruction', () => {
    const A = randLowRank(new Rng(4), 20, 10, 3);
    const { Q, R } = qr(A);
    expect(orthoError(Q)).toBeLessThanOrEqual(1e-13);
    expect(diffNorm(naiveMul(Q, R), A) / frob(A)).toBeLessThanOrEqual(1e-14);
  });
});
