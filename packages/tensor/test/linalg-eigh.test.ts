import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../src/errors.js';
import { eigh } from '../src/linalg/index.js';
import { Rng, diffNorm, frob, naiveMul, orthoError, randLowRank, randSym } from './linalg-helpers.js';

describe('eigh', () => {
  it('reconstructs A = V Λ Vᵀ with orthonormal V and ascending eigenvalues', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 3, 7, 16, 63, 65), fc.integer({ min: 0, max: 1e9 }), (n, seed) => {
        const A = randSym(new Rng(seed), n);
        const { values, vectors: V } = eigh(A);
        for (let j = 1; j < n; j++) expect(values[j]).toBeGreaterThanOrEqual(values[j - 1]);
        expect(orthoError(V)).toBeLessThanOrEqual(1e-13 * n);
        const VL = { data: V.data.slice(), rows: n, cols: n };
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) VL.data[i * n + j] *= values[j];
        expect(diffNorm(naiveMul(VL, V, false, true), A) / frob(A)).toBeLessThanOrEqual(1e-13 * Math.sqrt(n));
        // Trace is the eigenvalue sum (independent check on the values alone).
        let tr = 0;
        let sum = 0;
        for (let i = 0; i < n; i++) {
          tr += A.data[i * n + i];
          sum += values[i];
        }
        expect(Math.abs(tr - sum)).toBeLessThanOrEqual(1e-12 * frob(A) * n);
      }),
      { numRuns: 30 },
    );
  });

  it('PSD low-rank Gram matrices: n − r eigenvalues ≈ 0, none meaningfully negative', () => {
    const rng = new Rng(2);
    const X = randLowRank(rng, 40, 12, 5);
    const G = naiveMul(X, X, true, false);
    const { values } = eigh(G);
    const top = values[11];
    for (let j = 0; j < 7; j++) expect(Math.abs(values[j])).toBeLessThanOrEqual(1e-12 * top);
    for (let j = 7; j < 12; j++) expect(values[j]).toBeGreaterThan(1e-6 * top);
  });

  it('reads only the lower triangle and handles repeated eigenvalues', () => {
    const n = 6;
    const I = new Float64Array(n * n);
    for (let i = 0; i < n; i++) I[i * n + i] = 3;
    for (let j = 1; j < n; j++) I[0 * n + j] = 99; // garbage above the diagonal
    const { values, vectors } = eigh({ data: I, rows: n, cols: n });
    expect(Array.from(values)).toEqual([3, 3, 3, 3, 3, 3]);
    expect(orthoError(vectors)).toBeLessThanOrEqual(1e-15);
  });

  it('rejects non-square input naming the shape', () => {
    expect(() => eigh({ data: new Float64Array(6), rows: 2, cols: 3 })).toThrow(ShapeError);
    expect(() => eigh({ data: new Float64Array(6), rows: 2, cols: 3 })).toThrow(/eigh: A is \[2, 3\]; expected a square matrix/);
  });
});
