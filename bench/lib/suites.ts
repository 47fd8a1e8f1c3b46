/**
 * The suites of `bench/run.ts`, at the sizes of one BERT-base layer over 4096 tokens (d = 768,
 * d_ff = 3072, 12 heads of 64): each suite returns one row per case and backend, or says why it does
 * not run on a backend (f64 linear algebra and the exact assignment are CPU-only by design).
 *
 * Inputs are reused from the single-purpose suites beside this file, so the numpy/scipy references
 * see identical data: `linalg.bench.ts`'s counter-hash matrices, `assignment.bench.ts`'s correlation
 * matrices (cached on disk).
 */
import {
  type Backend,
  CrossMoments,
  Rng,
  type Tensor,
  attention,
  cast,
  centeredCross,
  layerNorm,
  linalg,
  linearSumAssignment,
  matmul,
  tensor,
} from '@symfuse/tensor';
import { type AssignmentCase, benchDir, loadOrBuild, planCases } from '../assignment.bench.js';
import { hashUniform, spdMatrix, uniformMatrix } from '../linalg.bench.js';
import { type Timing, timeIt } from './harness.js';

/** Suite names accepted by `--only` (lower-case). */
export const SUITE_NAMES = ['matmul', 'layernorm', 'attention', 'covariance', 'assignment', 'svd', 'cholesky'] as const;
export type SuiteName = (typeof SUITE_NAMES)[number];

/** Which reference script and task (and, for gemm.py, thread mode) times the same work in numpy. */
export interface RefKey {
  readonly script: 'gemm' | 'linalg' | 'kernels' | 'assignment';
  readonly task: string;
}

/** One timed case on one backend. */
export interface CaseRow extends Timing {
  readonly suite: SuiteName;
  readonly case: string;
  readonly backend: string;
  /** GFLOP per call (for GFLOP/s), when counting FLOPs is meaningful. */
  readonly gflop?: number;
  /** GB moved per call (for GB/s) for memory-bound kernels. */
  readonly gbytes?: number;
  readonly note?: string;
  readonly ref?: RefKey;
}

/** A suite (or part of one) that did not run on a backend, and why. */
export interface Skip {
  readonly suite: SuiteName;
  readonly backend: string;
  readonly reason: string;
}

/** What a suite needs. */
export interface SuiteContext {
  readonly backend: Backend;
  readonly quick: boolean;
  /** Tiny sizes: checks that everything runs, measures nothing. */
  readonly smoke: boolean;
  readonly log: (line: string) => void;
}

export type SuiteOutput = { rows: CaseRow[]; skips: Skip[] };

/** Problem sizes: BERT-base, or tiny ones for `--smoke`. */
export interface Sizes {
  readonly tokens: number;
  readonly d: number;
  readonly dff: number;
  readonly heads: number;
  readonly headDim: number;
  /** Attention shapes `[B, H, T, dk]` (4096 tokens each at full size). */
  readonly attention: readonly (readonly [number, number, number, number])[];
  readonly assignment: readonly number[];
  readonly svdCount: number;
  readonly svdSize: number;
  readonly spd: number;
  readonly rhs: number;
}

export function sizesFor(smoke: boolean): Sizes {
  if (smoke) {
    return { tokens: 64, d: 32, dff: 64, heads: 2, headDim: 16, attention: [[2, 2, 16, 16]], assignment: [64], svdCount: 4, svdSize: 8, spd: 48, rhs: 12 };
  }
  return {
    tokens: 4096,
    d: 768,
    dff: 3072,
    heads: 12,
    headDim: 64,
    attention: [
      [32, 12, 128, 64],
      [8, 12, 512, 64],
    ],
    assignment: [768, 3072],
    svdCount: 144,
    svdSize: 64,
    spd: 3072,
    rhs: 768,
  };
}

function uniformF32(seed: number, n: number): Float32Array {
  return new Rng(seed).fillUniform(new Float32Array(n), -1, 1);
}

/** Iteration counts: fewer for heavy cases and in quick mode. */
function iters(ctx: SuiteContext, gflop: number): number {
  if (ctx.smoke) return 2;
  if (ctx.quick) return gflop > 20 ? 1 : 3;
  return gflop > 50 ? 3 : gflop > 5 ? 5 : 10;
}

/** Times an op that returns a tensor on `ctx.backend`; device work is awaited (`sync`) inside the call. */
async function timeOp(ctx: SuiteContext, name: string, gflop: number, op: () => Tensor): Promise<Timing> {
  const device = ctx.backend.name !== 'cpu';
  return timeIt(name, async () => {
    const out = op();
    if (device) await ctx.backend.sync();
    out.dispose();
  }, { iterations: iters(ctx, gflop), warmup: ctx.smoke ? 0 : 1 });
}

function on(ctx: SuiteContext, data: Float32Array | Float64Array, shape: number[]): Tensor {
  return tensor(data, shape, { backend: ctx.backend });
}

function cpuOnly(suite: SuiteName, ctx: SuiteContext, why: string): SuiteOutput | undefined {
  return ctx.backend.name === 'cpu' ? undefined : { rows: [], skips: [{ suite, backend: ctx.backend.name, reason: why }] };
}

const shape = (s: readonly number[]) => `[${s.join(',')}]`;

async function matmulSuite(ctx: SuiteContext): Promise<SuiteOutput> {
  const z = sizesFor(ctx.smoke);
  const rows: CaseRow[] = [];
  const cases: { name: string; m: number; k: number; n: number; dtype: 'f32' | 'f64'; ref: string }[] = [
    { name: `f32 ${shape([z.tokens, z.d])}·${shape([z.d, z.dff])}`, m: z.tokens, k: z.d, n: z.dff, dtype: 'f32', ref: 'f32 [4096,768]·[768,3072]' },
    { name: `f32 ${z.d}³`, m: z.d, k: z.d, n: z.d, dtype: 'f32', ref: 'f32 768×768×768' },
  ];
  // WebGPU has no f64; on the CPU the f64 product is what the statistics and linear algebra run.
  if (ctx.backend.name === 'cpu') cases.push({ name: `f64 ${z.d}³`, m: z.d, k: z.d, n: z.d, dtype: 'f64', ref: 'f64 768×768×768' });
  for (const c of cases) {
    const a32 = uniformF32(1, c.m * c.k);
    const b32 = uniformF32(2, c.k * c.n);
    const a = on(ctx, c.dtype === 'f32' ? a32 : Float64Array.from(a32), [c.m, c.k]);
    const b = on(ctx, c.dtype === 'f32' ? b32 : Float64Array.from(b32), [c.k, c.n]);
    const gflop = (2 * c.m * c.n * c.k) / 1e9;
    const t = await timeOp(ctx, `matmul ${c.name}`, gflop, () => matmul(a, b));
    rows.push({ suite: 'matmul', case: c.name, backend: ctx.backend.name, gflop, ...t, ref: { script: 'gemm', task: c.ref } });
    a.dispose();
    b.dispose();
  }
  return { rows, skips: [] };
}

async function layerNormSuite(ctx: SuiteContext): Promise<SuiteOutput> {
  const z = sizesFor(ctx.smoke);
  const x = on(ctx, uniformF32(3, z.tokens * z.d), [z.tokens, z.d]);
  const g = on(ctx, uniformF32(4, z.d), [z.d]);
  const b = on(ctx, uniformF32(5, z.d), [z.d]);
  const name = `f32 ${shape([z.tokens, z.d])}`;
  // ~8 flops per element, but the kernel is bound by memory: read x once, write once.
  const gbytes = (2 * z.tokens * z.d * 4) / 1e9;
  const t = await timeOp(ctx, `layerNorm ${name}`, 0, () => layerNorm(x, g, b, 1e-12));
  for (const u of [x, g, b]) u.dispose();
  return { rows: [{ suite: 'layernorm', case: name, backend: ctx.backend.name, gbytes, ...t, ref: { script: 'kernels', task: 'layerNorm [4096,768]' } }], skips: [] };
}

async function attentionSuite(ctx: SuiteContext): Promise<SuiteOutput> {
  const z = sizesFor(ctx.smoke);
  const rows: CaseRow[] = [];
  for (const s of z.attention) {
    const [B, H, T, dk] = s;
    const size = B * H * T * dk;
    const q = on(ctx, uniformF32(6, size), [...s]);
    const k = on(ctx, uniformF32(7, size), [...s]);
    const v = on(ctx, uniformF32(8, size), [...s]);
    // QKᵀ and PV: 2·T·T·dk each per head.
    const gflop = (4 * B * H * T * T * dk) / 1e9;
    const name = `f32 ${shape(s)}`;
    const t = await timeOp(ctx, `attention ${name}`, gflop, () => attention(q, k, v));
    rows.push({ suite: 'attention', case: name, backend: ctx.backend.name, gflop, ...t, ref: { script: 'kernels', task: `attention [${s.join(',')}]` } });
    for (const u of [q, k, v]) u.dispose();
  }
  return { rows, skips: [] };
}

async function covarianceSuite(ctx: SuiteContext): Promise<SuiteOutput> {
  const z = sizesFor(ctx.smoke);
  const rows: CaseRow[] = [];
  const skips: Skip[] = [];
  const n = z.tokens;
  {
    const x = on(ctx, uniformF32(9, n * z.d), [n, z.d]);
    const y = on(ctx, uniformF32(10, n * z.d), [n, z.d]);
    const mx = on(ctx, uniformF32(11, z.d), [z.d]);
    const my = on(ctx, uniformF32(12, z.d), [z.d]);
    const gflop = (2 * n * z.d * z.d) / 1e9;
    const name = `centeredCross f32 ${shape([n, z.d])}ᵀ·${shape([n, z.d])}`;
    const t = await timeOp(ctx, name, gflop, () => centeredCross(x, y, mx, my));
    rows.push({ suite: 'covariance', case: name, backend: ctx.backend.name, gflop, ...t, ref: { script: 'kernels', task: 'centeredCross f32 [4096,768]' } });
    for (const u of [x, y, mx, my]) u.dispose();
  }
  if (ctx.backend.name !== 'cpu') {
    skips.push({ suite: 'covariance', backend: ctx.backend.name, reason: 'CrossMoments and the Gram collector accumulate in f64 on the host (the CPU backend); only the centeredCross kernel runs here' });
    return { rows, skips };
  }
  // What the collectors run per batch of 4096 tokens: CrossMoments (correlation: means, centred
  // squares and the f64 centred cross product) at an attention-context site (768) and an FFN site
  // (3072), and the Gram collector's f64 XᵀX of an FFN input.
  for (const [p, label] of [[z.d, 'attention site'], [z.dff, 'FFN site']] as const) {
    const x = uniformF32(13, n * p);
    const y = uniformF32(14, n * p);
    const gflop = (2 * n * p * p) / 1e9;
    const name = `CrossMoments f64 ${shape([n, p])}×${shape([n, p])} (${label})`;
    const t = await timeIt(name, () => new CrossMoments(p, p).updateArrays(x, y, n), { iterations: iters(ctx, gflop), warmup: ctx.smoke || (ctx.quick && gflop > 20) ? 0 : 1 });
    rows.push({ suite: 'covariance', case: name, backend: 'cpu', gflop, ...t, ref: { script: 'kernels', task: `CrossMoments f64 [4096,${p === z.d ? 768 : 3072}]` } });
  }
  {
    const p = z.dff;
    const x = on(ctx, uniformF32(15, n * p), [n, p]);
    const gflop = (2 * n * p * p) / 1e9;
    const name = `Gram f64 XᵀX ${shape([n, p])} (FFN input)`;
    const t = await timeIt(name, () => {
      const x64 = cast(x, 'f64');
      matmul(x64, x64, { transA: true }).dispose();
      x64.dispose();
    }, { iterations: iters(ctx, gflop), warmup: ctx.smoke || (ctx.quick && gflop > 20) ? 0 : 1 });
    rows.push({ suite: 'covariance', case: name, backend: 'cpu', gflop, ...t, ref: { script: 'kernels', task: 'Gram f64 [4096,3072]' } });
    x.dispose();
  }
  return { rows, skips };
}

/** Assignment cases: the exact sample correlation (σ = 10) where it is cheap to build, else its large-N model. */
function assignmentCases(sizes: readonly number[]): AssignmentCase[] {
  const out: AssignmentCase[] = [];
  for (const n of sizes) {
    const all = planCases([n]);
    const exact = all.find((c) => c.family === 'corr' && c.sigma === 10);
    out.push(exact ?? all.find((c) => c.family === 'corr-model' && c.sigma === 10)!);
  }
  return out;
}

/** Cases run by the last assignment suite (for the scipy reference's manifest). */
export const assignmentRun: { dir: string; cases: AssignmentCase[] } = { dir: '', cases: [] };

async function assignmentSuite(ctx: SuiteContext): Promise<SuiteOutput> {
  const z = sizesFor(ctx.smoke);
  const dir = benchDir();
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true });
  const rows: CaseRow[] = [];
  const cache = new Map();
  const cases = assignmentCases(z.assignment);
  let auction: ((cost: Float64Array, n: number) => Promise<{ total: number; gapBound: number; rounds: number }>) | undefined;
  if (ctx.backend.name !== 'cpu') {
    const { auctionAssignmentGpu, WebGpuBackend } = await import('@symfuse/tensor/webgpu');
    if (!(ctx.backend instanceof WebGpuBackend)) throw new Error(`assignment suite: backend '${ctx.backend.name}' is not the WebGPU backend`);
    const gpu = ctx.backend;
    auction = (cost, n) => auctionAssignmentGpu(gpu, cost, n, { maximize: true });
  }
  for (const c of cases) {
    const t0 = performance.now();
    const data = loadOrBuild(c, dir, cache);
    const built = performance.now() - t0;
    if (built > 1000) ctx.log(`  (built or loaded ${c.name} in ${(built / 1000).toFixed(1)} s; cached in ${dir})`);
    const n = c.n;
    const iterations = ctx.smoke ? 2 : ctx.quick ? 2 : n > 1024 ? 5 : 7;
    const exact = linearSumAssignment({ data, rows: n, cols: n }, { maximize: true }).total;
    const label = `${c.family === 'corr' ? 'sample correlation' : 'correlation model'} n=${n} (σ=${c.sigma}, ${c.name})`;
    if (!auction) {
      const t = await timeIt(`assignment ${c.name}`, () => linearSumAssignment({ data, rows: n, cols: n }, { maximize: true }), { iterations, warmup: 1 });
      rows.push({ suite: 'assignment', case: `exact (linearSumAssignment) ${label}`, backend: 'cpu', ...t, note: `total ${exact.toFixed(6)}`, ref: { script: 'assignment', task: c.name } });
      c.total = exact;
      c.tsMedianMs = t.medianMs;
      c.iterations = iterations;
    } else {
      let note = '';
      const t = await timeIt(`auction ${c.name}`, async () => {
        const r = await auction!(data, n);
        note = `total ${r.total.toFixed(6)}, gap to exact ${(exact - r.total).toExponential(2)} (bound ${r.gapBound.toExponential(2)}), ${r.rounds} rounds`;
      }, { iterations, warmup: 1 });
      rows.push({ suite: 'assignment', case: `GPU auction ${label}`, backend: ctx.backend.name, ...t, note, ref: { script: 'assignment', task: c.name } });
    }
  }
  if (!auction) {
    assignmentRun.dir = dir;
    assignmentRun.cases = cases;
  }
  return { rows, skips: [] };
}

async function svdSuite(ctx: SuiteContext): Promise<SuiteOutput> {
  const skip = cpuOnly('svd', ctx, 'SVD runs in f64 on the CPU (no GPU variant is proven equal by tests; DESIGN.md "Tensor runtime")');
  if (skip) return skip;
  const z = sizesFor(ctx.smoke);
  const s = z.svdSize;
  const all = hashUniform(1, z.svdCount * s * s);
  const heads = Array.from({ length: z.svdCount }, (_, h) => ({ data: all.slice(h * s * s, (h + 1) * s * s), rows: s, cols: s }));
  const name = `svdBatch ${z.svdCount}×[${s},${s}] f64`;
  const t = await timeIt(name, () => linalg.svdBatch(heads), { iterations: ctx.smoke ? 2 : ctx.quick ? 3 : 10, warmup: 1 });
  return { rows: [{ suite: 'svd', case: name, backend: 'cpu', ...t, ref: { script: 'linalg', task: 'svdBatch 144×[64,64]' } }], skips: [] };
}

async function choleskySuite(ctx: SuiteContext): Promise<SuiteOutput> {
  const skip = cpuOnly('cholesky', ctx, 'Cholesky runs in f64 on the CPU (DESIGN.md "Tensor runtime")');
  if (skip) return skip;
  const z = sizesFor(ctx.smoke);
  const n = z.spd;
  const r = z.rhs;
  const A = spdMatrix(4, n);
  const B = uniformMatrix(5, n, r);
  const factor = n ** 3 / 3 / 1e9;
  const solve = (2 * n * n * r) / 1e9;
  const iterations = ctx.smoke ? 2 : ctx.quick ? 1 : 3;
  const rows: CaseRow[] = [];
  // reference/linalg.py names its full-size cases so (the runner always calls it at full size).
  const ref = (task: string): RefKey => ({ script: 'linalg', task });
  let ridge = 0;
  const t1 = await timeIt('solveSpdWithRidge', () => {
    ridge = linalg.solveSpdWithRidge(A, B).ridge;
  }, { iterations, warmup: 1 });
  rows.push({ suite: 'cholesky', case: `solveSpdWithRidge f64 [${n},${n}]×${r}`, backend: 'cpu', gflop: factor + solve, ...t1, note: `ridge ${ridge}`, ref: ref('solveSpd [3072,3072]×768') });
  const t2 = await timeIt('solveSpd', () => linalg.solveSpd(A, B), { iterations, warmup: 1 });
  rows.push({ suite: 'cholesky', case: `solveSpd f64 [${n},${n}]×${r}`, backend: 'cpu', gflop: factor + solve, ...t2, ref: ref('solveSpd [3072,3072]×768') });
  const t3 = await timeIt('cholesky', () => linalg.cholesky(A), { iterations, warmup: 1 });
  rows.push({ suite: 'cholesky', case: `cholesky f64 [${n},${n}]`, backend: 'cpu', gflop: factor, ...t3, ref: ref('cholesky [3072,3072]') });
  return { rows, skips: [] };
}

/** Every suite by name. */
export const SUITES: Readonly<Record<SuiteName, (ctx: SuiteContext) => Promise<SuiteOutput>>> = {
  matmul: matmulSuite,
  layernorm: layerNormSuite,
  attention: attentionSuite,
  covariance: covarianceSuite,
  assignment: assignmentSuite,
  svd: svdSuite,
  cholesky: choleskySuite,
};
