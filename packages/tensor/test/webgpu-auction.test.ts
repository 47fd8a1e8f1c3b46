/**
 * The GPU auction against the exact CPU solver (`linearSumAssignment`, shortest augmenting paths):
 * the total is within n·ε_final of the optimum on random and correlation matrices, exactly optimal
 * on integer matrices, and the output is always a permutation. Also the `Solver`-shaped wrapper on
 * rectangular problems, determinism, and input errors.
 */
import { linearSumAssignment } from '@symfuse/tensor';
import { TestRng } from '@symfuse/tensor/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WebGpuBackend, auctionAssignmentGpu, auctionGpuSolver, createWebGpuBackend } from '../src/backends/webgpu/index.js';
import { gateWebGpu } from './webgpu-gate.js';

const adapter = await gateWebGpu('webgpu-auction.test');

function expectPermutation(cols: Int32Array, n: number): void {
  expect(cols.length).toBe(n);
  const seen = new Set<number>();
  for (const j of cols) {
    expect(Number.isInteger(j) && j >= 0 && j < n, `column ${j}`).toBe(true);
    seen.add(j);
  }
  expect(seen.size).toBe(n);
}

function uniform(rng: TestRng, n: number): Float64Array {
  return Float64Array.from({ length: n * n }, () => rng.next());
}

function integers(rng: TestRng, n: number, hi: number): Float64Array {
  return Float64Array.from({ length: n * n }, () => rng.int(0, hi));
}

/**
 * Pearson correlations between the n features of X `[s, n]` and of Y = X with permuted, noisy
 * features: what correlation matching feeds the solver (maximised).
 */
function correlation(rng: TestRng, n: number, samples: number): Float64Array {
  const x = new Float64Array(samples * n);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const p = rng.permutation(n);
  const y = new Float64Array(samples * n);
  for (let s = 0; s < samples; s++) for (let j = 0; j < n; j++) y[s * n + j] = x[s * n + p[j]] + 0.7 * rng.normal();
  const stats = (a: Float64Array): { mean: Float64Array; sd: Float64Array } => {
    const mean = new Float64Array(n);
    const sd = new Float64Array(n);
    for (let s = 0; s < samples; s++) for (let j = 0; j < n; j++) mean[j] += a[s * n + j] / samples;
    for (let s = 0; s < samples; s++) for (let j = 0; j < n; j++) sd[j] += (a[s * n + j] - mean[j]) ** 2;
    for (let j = 0; j < n; j++) sd[j] = Math.sqrt(sd[j]);
    return { mean, sd };
  };
  const sx = stats(x);
  const sy = stats(y);
  const c = new Float64Array(n * n);
  for (let s = 0; s < samples; s++) {
    for (let i = 0; i < n; i++) {
      const xi = (x[s * n + i] - sx.mean[i]) / sx.sd[i];
      for (let j = 0; j < n; j++) c[i * n + j] += xi * ((y[s * n + j] - sy.mean[j]) / sy.sd[j]);
    }
  }
  return c;
}

describe.skipIf(!adapter)('GPU auction assignment', () => {
  let gpu: WebGpuBackend;
  beforeAll(async () => {
    gpu = await createWebGpuBackend();
  });
  afterAll(() => gpu?.dispose());

  async function agree(cost: Float64Array, n: number, maximize: boolean, epsFinal?: number): Promise<number> {
    const exact = linearSumAssignment({ data: cost, rows: n, cols: n }, { maximize });
    const r = await auctionAssignmentGpu(gpu, cost, n, { maximize, epsFinal });
    expectPermutation(r.cols, n);
    let total = 0;
    for (let i = 0; i < n; i++) total += cost[i * n + r.cols[i]];
    expect(r.total).toBeCloseTo(total, 9);
    if (epsFinal !== undefined) expect(r.gapBound).toBeLessThanOrEqual(n * epsFinal + 1e-12);
    const gap = maximize ? exact.total - r.total : r.total - exact.total;
    expect(gap, `n=${n}: GPU ${r.total} vs exact ${exact.total}`).toBeGreaterThanOrEqual(-1e-9 * Math.max(1, Math.abs(exact.total)));
    expect(gap, `n=${n}: gap ${gap} beyond the bound ${r.gapBound}`).toBeLessThanOrEqual(r.gapBound + 1e-9 * Math.max(1, Math.abs(exact.total)));
    return gap;
  }

  it('uniform random costs at awkward sizes: within n·ε of the optimum (minimise and maximise)', async () => {
    const rng = new TestRng(1);
    for (const n of [1, 2, 7, 63, 65, 257]) {
      await agree(uniform(rng, n), n, false);
      await agree(uniform(rng, n), n, true, 1e-4);
    }
  });

  it('integer costs: exactly optimal (default, and with ε_final < 1/n)', async () => {
    const rng = new TestRng(2);
    for (const [n, hi] of [[7, 3], [64, 100], [257, 1000], [512, 20]] as const) {
      expect(await agree(integers(rng, n, hi), n, false)).toBe(0);
      expect(await agree(integers(rng, n, hi), n, true, 1 / (n + 1))).toBe(0);
    }
  });

  it('correlation matrices (n = 256 and 1024, maximised): within n·ε', async () => {
    const rng = new TestRng(3);
    await agree(correlation(rng, 256, 48), 256, true, 1e-4);
    await agree(correlation(rng, 1024, 32), 1024, true);
  });

  it('a 1024 × 1024 uniform matrix: within n·ε', async () => {
    await agree(uniform(new TestRng(4), 1024), 1024, false, 1e-5);
  });

  it('the smallest resolvable ε_final (fixed-point magnitudes near 2²⁸, many phases): no overflow, within n·ε', async () => {
    const n = 300;
    // Uniform costs have a per-row range below 1, so this is at least the documented minimum (n+1)·range/2²⁸.
    await agree(uniform(new TestRng(8), n), n, false, ((n + 1) / 2 ** 28) * 1.001);
    await agree(integers(new TestRng(9), n, 2 ** 28 / (n + 1) - 1), n, true);
  });

  it('random small integer problems: exact totals, always a permutation', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 6 }), fc.boolean(), fc.integer(), async (n, hi, maximize, seed) => {
        const cost = integers(new TestRng(seed), n, hi);
        expect(await agree(cost, n, maximize)).toBe(0);
      }),
      { numRuns: 25 },
    );
  });

  it('is deterministic', async () => {
    const cost = uniform(new TestRng(5), 200);
    const a = await auctionAssignmentGpu(gpu, cost, 200);
    const b = await auctionAssignmentGpu(gpu, cost, 200);
    expect(Array.from(b.cols)).toEqual(Array.from(a.cols));
  });

  it('the Solver-shaped wrapper handles rectangles (rows < cols) like the exact solver', async () => {
    const solver = auctionGpuSolver(gpu);
    expect(solver.id).toBe('auction-gpu');
    expect(solver.prettyName).toMatch(/auction/i);
    const rng = new TestRng(6);
    for (const [rows, cols] of [[5, 9], [40, 41], [1, 3]] as const) {
      const cost = Float64Array.from({ length: rows * cols }, () => rng.int(-50, 50));
      for (const maximize of [false, true]) {
        const got = await solver.solve(cost, rows, cols, { maximize });
        const want = linearSumAssignment({ data: cost, rows, cols }, { maximize });
        expect(got.total).toBe(want.total);
        expect(new Set(got.cols).size).toBe(rows);
      }
    }
    await expect(solver.solve(new Float64Array(6), 3, 2, { maximize: false })).rejects.toThrow(/rows ≤ cols/);
  });

  it('rejects non-finite costs, a wrong length and an unresolvable ε_final, naming them', async () => {
    await expect(auctionAssignmentGpu(gpu, Float64Array.of(0, 1, NaN, 2), 2)).rejects.toThrow(/entry \(1, 0\) is NaN/);
    await expect(auctionAssignmentGpu(gpu, new Float64Array(5), 2)).rejects.toThrow(/got 5 costs for n=2/);
    await expect(auctionAssignmentGpu(gpu, uniform(new TestRng(7), 64), 64, { epsFinal: 1e-12 })).rejects.toThrow(/epsFinal 1e-12 is below/);
  });
});
