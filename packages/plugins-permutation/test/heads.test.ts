/**
 * The head-structured assignment against brute force: head-perm is the best head-structured
 * permutation (any σ, any within-head permutations), monotonic the best with σ = identity, and a free
 * assignment (ignore-heads) is at least as good as both.
 */
import fc from 'fast-check';
import { lapjvSolver } from '@symfuse/symmetry';
import { describe, expect, it } from 'vitest';
import { flatPermOf, headAssignment, headElementOf, maximizeAssignment } from '../src/index.js';
import { assignedSum } from '../src/assignment/solve.js';

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  const out: number[][] = [];
  for (const p of permutations(n - 1)) for (let k = 0; k <= p.length; k++) out.push([...p.slice(0, k), n - 1, ...p.slice(k)]);
  return out;
}

/** Best Σ_j Σ_i S[j·dk+i, σ(j)·dk+π_j(i)] over all σ and π_j, by enumeration. */
function bruteForce(s: Float64Array, h: number, dk: number, monotonic: boolean): number {
  const n = h * dk;
  const inner = permutations(dk);
  const best = (j: number, k: number) => Math.max(...inner.map((pi) => pi.reduce((acc, c, i) => acc + s[(j * dk + i) * n + k * dk + c], 0)));
  const sigmas = monotonic ? [Array.from({ length: h }, (_, j) => j)] : permutations(h);
  return Math.max(...sigmas.map((sg) => sg.reduce((acc, k, j) => acc + best(j, k), 0)));
}

const arbProblem = fc.record({ h: fc.integer({ min: 1, max: 3 }), dk: fc.integer({ min: 1, max: 3 }) }).chain(({ h, dk }) =>
  fc.record({ h: fc.constant(h), dk: fc.constant(dk), s: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: h * dk * h * dk, maxLength: h * dk * h * dk }) }),
);

describe('head-structured assignment', () => {
  it('head-perm and monotonic are optimal among their permutations; ignore-heads bounds both', async () => {
    const solver = lapjvSolver();
    await fc.assert(
      fc.asyncProperty(arbProblem, async ({ h, dk, s: values }) => {
        const s = Float64Array.from(values);
        const n = h * dk;
        const hp = await headAssignment(solver, [s], h, dk, { monotonic: false, what: 'test' });
        const mono = await headAssignment(solver, [s], h, dk, { monotonic: true, what: 'test' });
        expect(hp.total).toBeCloseTo(bruteForce(s, h, dk, false), 9);
        expect(mono.total).toBeCloseTo(bruteForce(s, h, dk, true), 9);
        // the flat permutation realises the reported total
        expect(assignedSum(s, n, flatPermOf(hp, dk))).toBeCloseTo(hp.total, 9);
        expect(Array.from(mono.headPerm)).toEqual(Array.from({ length: h }, (_, j) => j));
        const free = await maximizeAssignment(solver, s, n, 'test');
        expect(free.total).toBeGreaterThanOrEqual(hp.total - 1e-9);
        expect(hp.total).toBeGreaterThanOrEqual(mono.total - 1e-9);
        expect(hp.innerSolves).toBe(h * h);
        expect(mono.innerSolves).toBe(h);
      }),
      { numRuns: 60 },
    );
  });

  it('builds the head element: slot j·dk+i takes σ(j)·dk + π(i)', async () => {
    // S rewards anchor slot j·2+i ← model index perm[j·2+i] with perm from σ = [1, 0], π_0 = [1, 0], π_1 = [0, 1].
    const perm = [3, 2, 0, 1];
    const s = new Float64Array(16);
    perm.forEach((c, r) => (s[r * 4 + c] = 1));
    const hp = await headAssignment(lapjvSolver(), [s], 2, 2, { monotonic: false, what: 'test' });
    expect(Array.from(flatPermOf(hp, 2))).toEqual(perm);
    const e = headElementOf(hp, 2);
    expect(Array.from(e.headPerm)).toEqual([1, 0]);
    expect(e.blockKind).toBe('permutation');
    expect(Array.from(e.blocks![0])).toEqual([0, 1, 1, 0]);
    expect(Array.from(e.blocks![1])).toEqual([1, 0, 0, 1]);
  });

  it('shares σ across several matrices while keeping their own within-head permutations', async () => {
    const h = 2;
    const dk = 2;
    const make = (perm: number[]) => {
      const s = new Float64Array(16);
      perm.forEach((c, r) => (s[r * 4 + c] = 1));
      return s;
    };
    const hp = await headAssignment(lapjvSolver(), [make([3, 2, 0, 1]), make([2, 3, 1, 0])], h, dk, { monotonic: false, what: 'test' });
    expect(Array.from(hp.headPerm)).toEqual([1, 0]);
    expect(Array.from(flatPermOf(hp, dk, 0))).toEqual([3, 2, 0, 1]);
    expect(Array.from(flatPermOf(hp, dk, 1))).toEqual([2, 3, 1, 0]);
    expect(hp.total).toBe(8);
  });
});
