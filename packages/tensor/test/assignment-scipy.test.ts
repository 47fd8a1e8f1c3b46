import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { linearSumAssignment } from '../src/assignment/index.js';
import { mix32 } from '../src/random/seed-hash.js';

/**
 * Compares with scipy.optimize.linear_sum_assignment results stored by
 * `fixtures/assignment-scipy.py`, which rebuilds the same matrices from an integer hash.
 */
interface Case {
  kind: 'uniform' | 'integer' | 'planted' | 'forbidden';
  seed: number;
  rows: number;
  cols: number;
  maximize: boolean;
  rowInd: number[];
  colInd: number[];
  total: number;
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/assignment-scipy.json', import.meta.url), 'utf8'),
) as { cases: Case[] };

/** Same as the Python `unit`: mix32 chain → exact multiple of 2⁻³². */
const unit = (seed: number, i: number, j: number): number => mix32(mix32(mix32(seed) ^ i) ^ j) / 4294967296;

function build(k: Case): number[][] {
  const n = Math.max(k.rows, k.cols);
  let perm: number[] = [];
  if (k.kind === 'planted') {
    const keys = Array.from({ length: n }, (_, i) => unit(k.seed ^ 0x5bd1e995, i, 7));
    perm = Array.from({ length: n }, (_, i) => i).sort((a, b) => keys[a] - keys[b]);
  }
  const forbid = k.maximize ? -Infinity : Infinity;
  return Array.from({ length: k.rows }, (_, i) =>
    Array.from({ length: k.cols }, (_, j) => {
      const u = unit(k.seed, i, j);
      switch (k.kind) {
        case 'uniform':
          return u;
        case 'integer':
          return Math.floor(u * 10);
        case 'planted':
          return 0.1 * u + (perm[i] === j ? 1 : 0);
        case 'forbidden':
          return unit(k.seed + 1, i, j) < 0.3 ? forbid : u;
      }
    }),
  );
}

describe('linearSumAssignment matches scipy', () => {
  it('has a non-trivial fixture', () => {
    expect(fixture.cases.length).toBeGreaterThan(10);
  });
  for (const k of fixture.cases) {
    it(`${k.kind} ${k.rows}×${k.cols} maximize=${k.maximize}`, () => {
      const c = build(k);
      const res = linearSumAssignment(c, { maximize: k.maximize });
      expect(Array.from(res.rows)).toEqual(k.rowInd);
      expect(Math.abs(res.total - k.total)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(k.total)));
      // Continuous costs have a unique optimum almost surely, so the pairs must agree too; integer costs
      // have ties, where only the total is determined.
      if (k.kind !== 'integer') expect(Array.from(res.cols)).toEqual(k.colInd);
      // The same matrix as a dense typed buffer (the in-place path for large squares).
      const data = Float64Array.from(c.flat());
      const dense = linearSumAssignment({ data, rows: k.rows, cols: k.cols }, { maximize: k.maximize });
      expect(Math.abs(dense.total - k.total)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(k.total)));
    });
  }
});
