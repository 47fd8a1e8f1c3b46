/**
 * Linear assignment benchmark (tinybench): symfuse's exact `linearSumAssignment` on the workload of
 * correlation matching, beside scipy on the same matrices.
 *
 *   node --import tsx bench/assignment.bench.ts            # writes matrices + TS medians
 *   python3 bench/reference/assignment.py                  # times scipy on those files, prints both
 *
 * Matrices (all square, seeded, written as raw little-endian f64 to $SYMFUSE_ASSIGNMENT_BENCH_DIR,
 * default `<tmpdir>/symfuse-assignment-bench`, with `manifest.json`):
 * - `corr`: the real workload at n ≤ 1024 — features X ∈ R^{N×n} (N = 4096 tokens, i.i.d. N(0,1)),
 *   Y = X[:, π] + σ·Z, cost = sample correlation of X and Y, maximised.
 * - `corr-model`: the same at every size from the large-N law of that correlation,
 *   C = P_π/√(1+σ²) + G/√N with G i.i.d. N(0,1) — the exact product costs 2·n²·N ≈ 77 GFLOP at 3072,
 *   too slow to generate here; scipy's times on the two families agree (see the report).
 * - `uniform`: U[0, 1) costs, minimised.
 * σ runs from easy (0.5: strong diagonal) to hard (40: the planted signal is ~1.5 noise s.d.).
 *
 * Sizes 64 and 256 stand for the many small solves (per-head blocks, head pairings) of one merge.
 *
 * Environment: SYMFUSE_BENCH_SIZES (default "64,256,768,3072"), SYMFUSE_BENCH_ITERATIONS (default 200
 * up to n = 256, 7 at 768, 5 at 3072),
 * SYMFUSE_BENCH_DENSE=1 also times the dense JV solver (the algorithm without the candidate graph).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
// bench/ is not a package: import the sources directly (the package index also boots the tensor runtime).
import { lapjv, linearSumAssignment } from '@symfuse/tensor';
import { Rng } from '@symfuse/tensor';

/** One benchmark matrix as written to disk. */
export interface AssignmentCase {
  name: string;
  family: 'corr' | 'corr-model' | 'uniform';
  n: number;
  sigma: number | null;
  maximize: boolean;
  file: string;
  /** Optimal total found by symfuse (python checks scipy's against it). */
  total?: number;
  /** tinybench median latency, ms. */
  tsMedianMs?: number;
  denseMedianMs?: number;
  iterations?: number;
}

const GENERATOR_VERSION = 1;
const TOKENS = 4096;
const SIGMAS = [0.5, 10, 20, 40];

export function benchDir(): string {
  return process.env.SYMFUSE_ASSIGNMENT_BENCH_DIR ?? join(tmpdir(), 'symfuse-assignment-bench');
}

/** Cases to run for the given sizes (exact correlation only at 768, see the header). */
export function planCases(sizes: readonly number[]): AssignmentCase[] {
  const cases: AssignmentCase[] = [];
  for (const n of sizes) {
    if (n <= 1024) {
      for (const s of SIGMAS) cases.push(mk('corr', n, s, true));
    }
    for (const s of SIGMAS) cases.push(mk('corr-model', n, s, true));
    cases.push(mk('uniform', n, null, false));
  }
  return cases;
}

function mk(family: AssignmentCase['family'], n: number, sigma: number | null, maximize: boolean): AssignmentCase {
  const name = sigma === null ? `${family}-${n}` : `${family}-${n}-s${sigma}`;
  return { name, family, n, sigma, maximize, file: `${name}.v${GENERATOR_VERSION}.f64` };
}

function seedOf(c: AssignmentCase): number {
  return c.n * 1000 + (c.family === 'corr' ? 1 : c.family === 'corr-model' ? 2 : 3);
}

/** Builds (or reloads from the bench directory) the cost matrix of a case, row-major `[n, n]`. */
export function loadOrBuild(c: AssignmentCase, dir: string, exactCache: Map<number, ExactMoments>): Float64Array {
  const path = join(dir, c.file);
  if (existsSync(path)) {
    const buf = readFileSync(path);
    if (buf.byteLength === c.n * c.n * 8) return new Float64Array(buf.buffer, buf.byteOffset, c.n * c.n).slice();
  }
  const data = build(c, exactCache);
  writeFileSync(path, new Uint8Array(data.buffer));
  return data;
}

function build(c: AssignmentCase, exactCache: Map<number, ExactMoments>): Float64Array {
  const n = c.n;
  const rng = new Rng(seedOf(c)).fork(c.sigma === null ? 'uniform' : `sigma=${c.sigma}`);
  if (c.family === 'uniform') return rng.fillUniform(new Float64Array(n * n));
  const sigma = c.sigma ?? 0;
  const perm = rng.fork('perm').permutation(n);
  if (c.family === 'corr-model') {
    const out = rng.fillNormal(new Float64Array(n * n), 0, 1 / Math.sqrt(TOKENS));
    const a = 1 / Math.sqrt(1 + sigma * sigma);
    for (let j = 0; j < n; j++) out[perm[j] * n + j] += a;
    return out;
  }
  let mom = exactCache.get(n);
  if (mom === undefined) {
    mom = exactMoments(n, new Rng(seedOf(c)));
    exactCache.set(n, mom);
  }
  return correlationFromMoments(mom, perm, sigma);
}

/** Centred second moments of X, Z ∈ R^{N×n}: G = XᵀX/N, H = XᵀZ/N, zz = diag(ZᵀZ)/N. */
interface ExactMoments {
  n: number;
  g: Float64Array;
  h: Float64Array;
  zz: Float64Array;
}

function exactMoments(n: number, rng: Rng): ExactMoments {
  const x = centredGaussian(TOKENS, n, rng.fork('X'));
  const z = centredGaussian(TOKENS, n, rng.fork('Z'));
  const zz = new Float64Array(n);
  for (let t = 0; t < TOKENS; t++) for (let j = 0; j < n; j++) zz[j] += z[t * n + j] ** 2 / TOKENS;
  return { n, g: gramT(x, x, TOKENS, n), h: gramT(x, z, TOKENS, n), zz };
}

function centredGaussian(rows: number, n: number, rng: Rng): Float64Array {
  const a = rng.fillNormal(new Float64Array(rows * n));
  const mean = new Float64Array(n);
  for (let t = 0; t < rows; t++) for (let j = 0; j < n; j++) mean[j] += a[t * n + j] / rows;
  for (let t = 0; t < rows; t++) for (let j = 0; j < n; j++) a[t * n + j] -= mean[j];
  return a;
}

/** `AᵀB / rows` for row-major `[rows, n]` A and B; blocked over output rows so they stay in cache. */
function gramT(a: Float64Array, b: Float64Array, rows: number, n: number): Float64Array {
  const out = new Float64Array(n * n);
  const block = 32;
  for (let i0 = 0; i0 < n; i0 += block) {
    const i1 = Math.min(n, i0 + block);
    for (let t = 0; t < rows; t++) {
      const at = t * n;
      for (let i = i0; i < i1; i++) {
        const s = a[at + i];
        const oi = i * n;
        for (let j = 0; j < n; j++) out[oi + j] += s * b[at + j];
      }
    }
  }
  for (let q = 0; q < n * n; q++) out[q] /= rows;
  return out;
}

/** corr(X_i, Y_j) with Y_j = X_{π(j)} + σ Z_j, from the moments (no second pass over tokens). */
function correlationFromMoments(m: ExactMoments, perm: Int32Array, sigma: number): Float64Array {
  const { n, g, h, zz } = m;
  const out = new Float64Array(n * n);
  const sdY = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const p = perm[j];
    sdY[j] = Math.sqrt(g[p * n + p] + 2 * sigma * h[p * n + j] + sigma * sigma * zz[j]);
  }
  for (let i = 0; i < n; i++) {
    const sdX = Math.sqrt(g[i * n + i]);
    for (let j = 0; j < n; j++) out[i * n + j] = (g[i * n + perm[j]] + sigma * h[i * n + j]) / (sdX * sdY[j]);
  }
  return out;
}

/** Runs the suite, prints a table of medians and writes `manifest.json` for the scipy reference. */
export async function runAssignmentBench(): Promise<AssignmentCase[]> {
  const sizes = (process.env.SYMFUSE_BENCH_SIZES ?? '64,256,768,3072').split(',').map((s) => Number(s.trim()));
  const dense = process.env.SYMFUSE_BENCH_DENSE === '1';
  const dir = benchDir();
  mkdirSync(dir, { recursive: true });
  const cases = planCases(sizes);
  const exactCache = new Map<number, ExactMoments>();
  for (const c of cases) {
    const data = loadOrBuild(c, dir, exactCache);
    const n = c.n;
    const iterations = Number(process.env.SYMFUSE_BENCH_ITERATIONS ?? (n > 1024 ? 5 : n > 256 ? 7 : 200));
    const bench = new Bench({ name: c.name, time: 0, iterations, warmupIterations: 1, warmupTime: 0 });
    let total = Number.NaN;
    bench.add('linearSumAssignment', () => {
      total = linearSumAssignment({ data, rows: n, cols: n }, { maximize: c.maximize }).total;
    });
    if (dense) {
      const minForm = c.maximize ? data.map((v) => -v) : data;
      bench.add('lapjv (dense)', () => {
        lapjv(minForm, n, n);
      });
    }
    await bench.run();
    const med = (name: string): number | undefined => {
      const r = bench.getTask(name)?.result;
      return r !== undefined && 'latency' in r ? r.latency.p50 : undefined;
    };
    c.tsMedianMs = med('linearSumAssignment');
    c.denseMedianMs = dense ? med('lapjv (dense)') : undefined;
    c.total = total;
    c.iterations = iterations;
    const extra = dense ? `  dense JV ${c.denseMedianMs?.toFixed(1)} ms` : '';
    console.log(`${c.name.padEnd(22)} median ${c.tsMedianMs?.toFixed(3).padStart(10)} ms  total ${total}${extra}`);
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ generatorVersion: GENERATOR_VERSION, cases }, null, 2));
  console.log(`matrices and manifest in ${dir}; now run: python3 bench/reference/assignment.py`);
  return cases;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await runAssignmentBench();
}
