import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { auctionAssignment, linearSumAssignment } from '../src/assignment/index.js';
import { Rng } from '../src/random/index.js';

/** Solver agreement: the ε-scaling auction against the exact solver (an independent algorithm). */
describe('auctionAssignment', () => {
  it('is exactly optimal on integer costs when ε < 1/max(R, C) (both directions, rectangles)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 30 }),
        fc.boolean(),
        (seed, rows, cols, maximize) => {
          const rng = new Rng(seed);
          const c = Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.uniformInt(50) - 25));
          const eps = 0.99 / Math.max(rows, cols);
          const a = auctionAssignment(c, { maximize, epsilonFinal: eps });
          const exact = linearSumAssignment(c, { maximize });
          expect(a.total).toBe(exact.total);
          expect(a.rows.length).toBe(Math.min(rows, cols));
          expect(new Set(a.cols).size).toBe(a.cols.length);
          for (let t = 1; t < a.rows.length; t++) expect(a.rows[t]).toBeGreaterThan(a.rows[t - 1]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('stays within its gap bound on real costs, and the default ε is near-exact', () => {
    const rng = new Rng(3);
    const n = 120;
    const data = rng.fillNormal(new Float64Array(n * n));
    for (const eps of [1e-1, 1e-3]) {
      const a = auctionAssignment({ data, rows: n, cols: n }, { maximize: true, epsilonFinal: eps });
      const exact = linearSumAssignment({ data, rows: n, cols: n }, { maximize: true });
      expect(a.gapBound).toBeCloseTo(n * eps, 12);
      expect(a.total).toBeLessThanOrEqual(exact.total + 1e-9);
      expect(exact.total - a.total).toBeLessThanOrEqual(a.gapBound);
    }
    const d = auctionAssignment({ data, rows: n, cols: n });
    const e = linearSumAssignment({ data, rows: n, cols: n });
    expect(d.total - e.total).toBeLessThanOrEqual(d.gapBound + 1e-9);
    expect(d.gapBound).toBeLessThan(1e-6);
  });

  it('rejects forbidden and invalid entries, and handles empty input', () => {
    expect(() => auctionAssignment([[1, Infinity], [2, 3]])).toThrow(/\(0, 1\).*finite/);
    expect(() => auctionAssignment([[1, 2], [3, 4], [Infinity, 5]])).toThrow(/\(2, 0\)/);
    expect(() => auctionAssignment([[NaN]])).toThrow(/NaN/);
    expect(() => auctionAssignment([[1]], { epsilonFinal: 0 })).toThrow(/epsilonFinal/);
    expect(auctionAssignment([]).rows.length).toBe(0);
  });
});
