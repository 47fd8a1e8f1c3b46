import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShapeError, ValueError } from '../src/errors.js';
import { NotPositiveDefiniteError, cholesky, choleskySolve, ridgePivotTolerance, solveSpd, solveSpdWithRidge } from '../src/linalg/index.js';
import { Rng, diffNorm, frob, naiveMul, randLowRank, randSpd, randn } from './linalg-helpers.js';

describe('cholesky', () => {
  it('L is lower triangular with positive diagonal and L Lᵀ = A (sizes across the 128 block edge)', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 7, 63, 65, 129, 200), fc.integer({ min: 0, max: 1e9 }), (n, seed) => {
        const A = randSpd(new Rng(seed), n);
        const L = cholesky(A);
        for (let i = 0; i < n; i++) {
          expect(L.data[i * n + i]).toBeGreaterThan(0);
          for (let j = i + 1; j < n; j++) expect(L.data[i * n + j]).toBe(0);
        }
        expect(diffNorm(naiveMul(L, L, false, true), A) / frob(A)).toBeLessThanOrEqual(1e-14 * Math.sqrt(n));
      }),
      { numRuns: 12 },
    );
  });

  it('choleskySolve / solveSpd: residual ‖A X − B‖ small for many right-hand sides', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 7, 65, 130, 257), fc.constantFrom(1, 3, 17), fc.integer({ min: 0, max: 1e9 }), (n, r, seed) => {
        const rng = new Rng(seed);
        const A = randSpd(rng, n);
        const B = randn(rng, n, r);
        const X = solveSpd(A, B);
        const X2 = choleskySolve(cholesky(A), B);
        expect(diffNorm(X, X2)).toBeLessThanOrEqual(1e-12 * frob(X));
        const res = diffNorm(naiveMul(A, X), B);
        expect(res).toBeLessThanOrEqual(1e-12 * (frob(A) * frob(X) + frob(B)));
      }),
      { numRuns: 15 },
    );
  });

  it('throws NotPositiveDefiniteError naming the pivot and its value', () => {
    // Leading 2×2 block is PD, the third pivot is 1 − 4·... < 0.
    const A = { data: Float64Array.from([4, 2, 0, 2, 2, 3, 0, 3, 1]), rows: 3, cols: 3 };
    let err: unknown;
    try {
      cholesky(A);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NotPositiveDefiniteError);
    const e = err as NotPositiveDefiniteError;
    expect(e.pivot).toBe(2);
    // l = [[2,0,0],[1,1,0],[0,3,?]] → pivot = 1 − 9 = −8.
    expect(e.value).toBeCloseTo(-8, 12);
    expect(e.message).toMatch(/cholesky: matrix \[3, 3\] is not positive definite: pivot 2 is -8/);
    // A zero matrix fails at pivot 0.
    expect(() => cholesky({ data: new Float64Array(4), rows: 2, cols: 2 })).toThrow(/pivot 0 is 0/);
  });

  it('a failure beyond the first block reports the global pivot index', () => {
    const n = 150;
    const A = randSpd(new Rng(9), n);
    A.data[140 * n + 140] = -1e3;
    expect(() => cholesky(A)).toThrow(/pivot 140 is -/);
  });

  it('shape and value errors name the function, the shapes and the expectation', () => {
    const rng = new Rng(1);
    expect(() => cholesky(randn(rng, 2, 3))).toThrow(ShapeError);
    expect(() => solveSpd(randSpd(rng, 3), randn(rng, 4, 2))).toThrow(/solveSpd: A is \[3, 3\] and B is \[4, 2\]; expected B to have 3 rows/);
    expect(() => choleskySolve(cholesky(randSpd(rng, 3)), randn(rng, 2, 2))).toThrow(/choleskySolve: L is \[3, 3\] and B is \[2, 2\]/);
    expect(() => solveSpd(randSpd(rng, 3), randn(rng, 3, 1), { ridge: -1 })).toThrow(ValueError);
    const A = randSpd(rng, 3);
    A.data[3] = Number.NaN;
    expect(() => solveSpd(A, randn(rng, 3, 1))).toThrow(/solveSpd: A\[1, 0\] is NaN; expected finite entries/);
  });
});

describe('solveSpdWithRidge', () => {
  it('returns ridge 0 and the plain solution for an SPD matrix', () => {
    const rng = new Rng(3);
    const A = randSpd(rng, 20);
    const B = randn(rng, 20, 4);
    const r = solveSpdWithRidge(A, B);
    expect(r.ridge).toBe(0);
    expect(r.attempts).toBe(1);
    expect(diffNorm(r.X, solveSpd(A, B))).toBe(0);
  });

  it('on a singular PSD Gram matrix returns the smallest ridge of the sequence that works, and reports it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 8, max: 64 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 1e9 }), (n, r, seed) => {
        const rng = new Rng(seed);
        const X = randLowRank(rng, 3 * n, n, r);
        const G = naiveMul(X, X, true, false);
        const B = randn(rng, n, 2);
        const res = solveSpdWithRidge(G, B);
        let mean = 0;
        for (let i = 0; i < n; i++) mean += G.data[i * n + i];
        mean /= n;
        expect(res.ridge).toBeGreaterThan(0);
        // The ridge is a member of the documented sequence 1e-10·mean·10^j ...
        const j = Math.round(Math.log10(res.ridge / (1e-10 * mean)));
        expect(res.ridge).toBeCloseTo(1e-10 * mean * 10 ** j, 5 - Math.log10(res.ridge));
        expect(res.attempts).toBe(j + 2);
        // ... it really works: the solve is consistent with (G + λI) ...
        const Gr = { data: G.data.slice(), rows: n, cols: n };
        for (let i = 0; i < n; i++) Gr.data[i * n + i] += res.ridge;
        expect(diffNorm(naiveMul(Gr, res.X), B)).toBeLessThanOrEqual(1e-6 * frob(B) * (1 + frob(Gr) * frob(res.X) / frob(B)));
        // ... and it is the smallest that works: the previous element of the sequence (or 0) fails
        // under the same (documented default) pivot tolerance.
        const prev = j === 0 ? 0 : res.ridge / 10;
        expect(() => solveSpd(G, B, { ridge: prev, relativePivotTolerance: ridgePivotTolerance(n) })).toThrow(NotPositiveDefiniteError);
        expect(() => solveSpd(G, B, { ridge: res.ridge, relativePivotTolerance: ridgePivotTolerance(n) })).not.toThrow();
      }),
      { numRuns: 20 },
    );
  });

  it('a tiny-but-positive pivot passes plain cholesky and fails under a relative tolerance', () => {
    // [[1, 1], [1, 1 + ε]]: second pivot ε > 0, but below the default 100·2·ε of the ridge search.
    const A = { data: Float64Array.from([1, 1, 1, 1 + 2 ** -52]), rows: 2, cols: 2 };
    expect(() => cholesky(A)).not.toThrow();
    expect(() => cholesky(A, { relativePivotTolerance: 1e-12 })).toThrow(/pivot 1 is 2\.22\d*e-16; expected a value > 1\.0\d*e-12/);
    expect(solveSpdWithRidge(A, { data: Float64Array.from([1, 0]), rows: 2, cols: 1 }).ridge).toBeGreaterThan(0);
  });

  it('indefinite matrices need a ridge above |λ_min|', () => {
    const A = { data: Float64Array.from([1, 0, 0, -0.5]), rows: 2, cols: 2 };
    const r = solveSpdWithRidge(A, { data: Float64Array.from([1, 1]), rows: 2, cols: 1 });
    // mean diag = 0.25; sequence 2.5e-11 · 10^j; the first above 0.5 is 2.5.
    expect(r.ridge).toBeCloseTo(2.5, 10);
    expect(r.X.data[1]).toBeCloseTo(1 / 2, 12);
  });

  it('gives up with the last NotPositiveDefiniteError when maxTries is exhausted', () => {
    const A = { data: Float64Array.from([1, 0, 0, -1e6]), rows: 2, cols: 2 };
    expect(() => solveSpdWithRidge(A, { data: Float64Array.from([1, 1]), rows: 2, cols: 1 }, { maxTries: 3 })).toThrow(NotPositiveDefiniteError);
  });
});
