import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../src/errors.js';
import { type Matrix64, svd, svdBatch } from '../src/linalg/index.js';
import { Rng, diffNorm, frob, orthoError, randLowRank, randn, usvt } from './linalg-helpers.js';

const SIZES = [1, 2, 7, 16, 63, 65];

function checkSvd(A: Matrix64, tol = 1e-13): void {
  const { U, S, V } = svd(A);
  const k = Math.min(A.rows, A.cols);
  expect([U.rows, U.cols, S.length, V.rows, V.cols]).toEqual([A.rows, k, k, A.cols, k]);
  for (let j = 0; j < k; j++) {
    expect(S[j]).toBeGreaterThanOrEqual(0);
    if (j > 0) expect(S[j]).toBeLessThanOrEqual(S[j - 1]);
  }
  const scale = Math.max(frob(A), Number.MIN_VALUE);
  expect(diffNorm(usvt(U, S, V), A) / scale).toBeLessThanOrEqual(tol);
  expect(orthoError(U)).toBeLessThanOrEqual(tol * Math.max(1, k));
  expect(orthoError(V)).toBeLessThanOrEqual(tol * Math.max(1, k));
}

describe('svd', () => {
  it('reconstructs A = U diag(S) Vᵀ with orthonormal U, V and sorted S on random shapes (incl. m < n)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SIZES), fc.constantFrom(...SIZES), fc.integer({ min: 0, max: 1e9 }), (m, n, seed) => {
        checkSvd(randn(new Rng(seed), m, n));
      }),
      { numRuns: 40 },
    );
  });

  it('handles rank-deficient matrices: trailing singular values ≈ 0, vectors still orthonormal', () => {
    fc.assert(
      fc.property(fc.constantFrom(7, 20, 65), fc.constantFrom(7, 33, 63), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 1e9 }), (m, n, r, seed) => {
        const A = randLowRank(new Rng(seed), m, n, r);
        checkSvd(A);
        const { S } = svd(A);
        const s0 = Math.max(S[0], 1);
        for (let j = r; j < S.length; j++) expect(S[j]).toBeLessThanOrEqual(1e-13 * s0 * Math.max(m, n));
      }),
      { numRuns: 25 },
    );
  });

  it('gives exact results on structured inputs: zero, diagonal, repeated singular values, huge and tiny scales', () => {
    checkSvd({ data: new Float64Array(12), rows: 3, cols: 4 });
    expect(Array.from(svd({ data: new Float64Array(12), rows: 3, cols: 4 }).S)).toEqual([0, 0, 0]);
    const D = { data: Float64Array.from([0, 0, 0, 0, 3, 0, 0, 0, -5]), rows: 3, cols: 3 };
    const r = svd(D);
    expect(Array.from(r.S)).toEqual([5, 3, 0]);
    checkSvd(D);
    // Orthogonal matrix times 2: all singular values equal.
    const Q = new Rng(3).orthogonal(9);
    const A2 = { data: Q.map((x) => 2 * x), rows: 9, cols: 9 };
    const s2 = svd(A2).S;
    for (const s of s2) expect(s).toBeCloseTo(2, 13);
    checkSvd(A2);
    // Scale invariance far from 1 (power-of-two pre-scaling avoids overflow in squares).
    const B = randn(new Rng(4), 6, 5);
    for (const f of [1e-200, 1e200]) {
      const Bs = { data: B.data.map((x) => x * f), rows: 6, cols: 5 };
      const r2 = svd(Bs);
      // Undo the scale before measuring, so that the test's own norms cannot overflow.
      const back = usvt(r2.U, r2.S.map((s) => s / f), r2.V);
      expect(diffNorm(back, B) / frob(B)).toBeLessThanOrEqual(1e-13);
      expect(orthoError(r2.U)).toBeLessThanOrEqual(1e-13);
      const rel = r2.S.map((s, i) => s / f / svd(B).S[i]);
      for (const x of rel) expect(x).toBeCloseTo(1, 12);
    }
  });

  it('a graded bidiagonal-like matrix converges and reconstructs', () => {
    const n = 30;
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      A[i * n + i] = 10 ** (-i / 2);
      if (i + 1 < n) A[i * n + i + 1] = 10 ** (-i / 2) * 0.5;
    }
    checkSvd({ data: A, rows: n, cols: n });
  });

  it('rejects malformed, empty and non-finite input naming the entry', () => {
    expect(() => svd({ data: new Float64Array(5), rows: 2, cols: 3 })).toThrow(ShapeError);
    expect(() => svd({ data: new Float64Array(5), rows: 2, cols: 3 })).toThrow(/svd: A is \[2, 3\] but its data has 5 elements; expected 6/);
    expect(() => svd({ data: new Float64Array(0), rows: 0, cols: 3 })).toThrow(/svd: A is \[0, 3\]; expected at least one row/);
    const bad = new Float64Array(6);
    bad[4] = Number.NaN;
    expect(() => svd({ data: bad, rows: 2, cols: 3 })).toThrow(ValueError);
    expect(() => svd({ data: bad, rows: 2, cols: 3 })).toThrow(/A\[1, 1\] is NaN/);
  });

  it('does not modify its input', () => {
    const A = randn(new Rng(11), 9, 4);
    const copy = A.data.slice();
    svd(A);
    expect(Array.from(A.data)).toEqual(Array.from(copy));
  });
});

describe('svdBatch', () => {
  it('equals svd element by element (mixed shapes, shared workspaces)', () => {
    const rng = new Rng(5);
    const list = [randn(rng, 64, 64), randn(rng, 7, 3), randn(rng, 64, 64), randn(rng, 3, 7), randn(rng, 7, 3)];
    const batch = svdBatch(list);
    expect(batch.length).toBe(list.length);
    list.forEach((A, i) => {
      const one = svd(A);
      expect(Array.from(batch[i].S)).toEqual(Array.from(one.S));
      expect(Array.from(batch[i].U.data)).toEqual(Array.from(one.U.data));
      expect(Array.from(batch[i].V.data)).toEqual(Array.from(one.V.data));
    });
  });

  it('names the index of a bad element', () => {
    const rng = new Rng(6);
    const bad = randn(rng, 3, 3);
    bad.data[2] = Number.POSITIVE_INFINITY;
    expect(() => svdBatch([randn(rng, 3, 3), bad])).toThrow(/svdBatch\[1\]: A\[0, 2\] is Infinity/);
    expect(svdBatch([])).toEqual([]);
  });
});
