/**
 * Linear-algebra benchmarks (tinybench): the SVD batch of one BERT-base layer (144 heads × [64, 64]),
 * the RegMean-sized SPD solve ([3072, 3072] with 768 right-hand sides), and smaller eigh / svd / LU /
 * Procrustes cases. `bench/reference/linalg.py` times numpy on bit-identical inputs (same counter-hash
 * generator), so the two tables can be read side by side.
 *
 * Run: `node --import tsx bench/linalg.bench.ts [--quick] [--json out.json]` (`--quick`: 1024 instead of
 * 3072 for the SPD solves). Prints wall-clock medians (tinybench) and CPU-time medians (all threads):
 * on a shared machine the CPU column is the steadier comparison with the Python reference's.
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Bench } from 'tinybench';
import { startGemmPool } from '@symfuse/tensor/gemm';
import { linalg } from '@symfuse/tensor';

const { cholesky, choleskySolve, eigh, procrustes, solve, solveSpd, svd, svdBatch } = linalg;
type Matrix64 = linalg.Matrix64;

/**
 * Uniform [−1, 1) from a 32-bit integer hash of (stream, index) — the same arithmetic as `_hash_uniform`
 * in the Python reference, so both sides see identical doubles.
 */
export function hashUniform(stream: number, count: number): Float64Array {
  const out = new Float64Array(count);
  const base = Math.imul(stream, 0x9e3779b9) >>> 0;
  for (let i = 0; i < count; i++) {
    let x = (Math.imul(i, 0x85ebca6b) + base) >>> 0;
    x ^= x >>> 16;
    x = Math.imul(x, 0x7feb352d) >>> 0;
    x ^= x >>> 15;
    x = Math.imul(x, 0x846ca68b) >>> 0;
    x ^= x >>> 16;
    out[i] = (x >>> 0) / 2147483648 - 1;
  }
  return out;
}

/** `[rows, cols]` of {@link hashUniform}(stream) values (identical in `reference/linalg.py`). */
export function uniformMatrix(stream: number, rows: number, cols: number): Matrix64 {
  return { data: hashUniform(stream, rows * cols), rows, cols };
}

/** Diagonally dominant SPD: `(U + Uᵀ)/2 + n·I` (cheap to build at n = 3072, unlike `M Mᵀ`). */
export function spdMatrix(stream: number, n: number): Matrix64 {
  const u = hashUniform(stream, n * n);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = 0.5 * (u[i * n + j] + u[j * n + i]);
      a[i * n + j] = v;
      a[j * n + i] = v;
    }
    a[i * n + i] += n;
  }
  return { data: a, rows: n, cols: n };
}

function symmetricMatrix(stream: number, n: number): Matrix64 {
  const u = hashUniform(stream, n * n);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = 0.5 * (u[i * n + j] + u[j * n + i]);
  return { data: a, rows: n, cols: n };
}

/** CPU time (all threads of the process, ms) of every call of each task, beside tinybench's wall time. */
const cpuSamples = new Map<string, number[]>();

/** Wraps a task so that each call also records its process CPU time (meaningful on a shared machine). */
function withCpu(name: string, fn: () => void): [string, () => void] {
  const list: number[] = [];
  cpuSamples.set(name, list);
  return [
    name,
    () => {
      const t = process.cpuUsage();
      fn();
      const d = process.cpuUsage(t);
      list.push((d.user + d.system) / 1000);
    },
  ];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[h] : 0.5 * (s[h - 1] + s[h]);
}

function checksum(m: Matrix64): number {
  let s = 0;
  for (let i = 0; i < m.data.length; i++) s += m.data[i] * ((i % 7) + 1);
  return s;
}

/** Runs the suite, prints wall and CPU medians, and optionally writes them as JSON. */
export async function runLinalgBench(): Promise<void> {
  const quick = process.argv.includes('--quick');
  // The large solves run their GEMMs on the shared pool; boot it before timing.
  startGemmPool({ wait: true });
  const jsonAt = process.argv.indexOf('--json');
  const big = quick ? 1024 : 3072;
  const rhs = big / 4;

  const heads: Matrix64[] = [];
  const all = hashUniform(1, 144 * 64 * 64);
  for (let h = 0; h < 144; h++) heads.push({ data: all.slice(h * 4096, (h + 1) * 4096), rows: 64, cols: 64 });
  const sq256 = uniformMatrix(2, 256, 256);
  const sym256 = symmetricMatrix(3, 256);
  const spd = spdMatrix(4, big);
  const rhsB = uniformMatrix(5, big, rhs);
  const lu = uniformMatrix(6, 512, 512);
  const luB = uniformMatrix(7, 512, 16);
  const px: Matrix64[] = [];
  const py: Matrix64[] = [];
  for (let h = 0; h < 12; h++) {
    px.push(uniformMatrix(100 + h, 64, 1538));
    py.push(uniformMatrix(200 + h, 64, 1538));
  }
  console.error(`checksums: heads ${checksum(heads[143]).toFixed(6)} spd ${checksum(spd).toFixed(3)} rhs ${checksum(rhsB).toFixed(6)}`);
  const L = cholesky(spd);

  const fast = new Bench({ name: 'linalg (fast)', time: 2000, iterations: 10, warmupIterations: 2 });
  fast
    .add(...withCpu('svdBatch 144×[64,64]', () => void svdBatch(heads)))
    .add(...withCpu('svd [256,256]', () => void svd(sq256)))
    .add(...withCpu('eigh [256,256]', () => void eigh(sym256)))
    .add(...withCpu('solve (LU) [512,512]×16', () => void solve(lu, luB)))
    .add(
      ...withCpu('procrustes 12 heads [64,1538]', () => {
        for (let h = 0; h < 12; h++) procrustes(px[h], py[h]);
      }),
    );
  const slow = new Bench({ name: 'linalg (large)', time: 0, iterations: quick ? 3 : 4, warmupIterations: 1 });
  slow
    .add(...withCpu(`cholesky [${big},${big}]`, () => void cholesky(spd)))
    .add(...withCpu(`choleskySolve [${big},${big}]×${rhs}`, () => void choleskySolve(L, rhsB)))
    .add(...withCpu(`solveSpd [${big},${big}]×${rhs}`, () => void solveSpd(spd, rhsB)));

  const rows: { task: string; medianMs: number; cpuMedianMs: number; samples: number }[] = [];
  for (const b of [fast, slow]) {
    await b.run();
    for (const t of b.tasks) {
      const r = t.result as { latency?: { p50: number; samplesCount: number }; state?: string; error?: unknown };
      if (r.latency === undefined) throw new Error(`${t.name}: ${String(r.error ?? r.state)}`);
      rows.push({ task: t.name, medianMs: r.latency.p50, cpuMedianMs: median(cpuSamples.get(t.name) ?? []), samples: r.latency.samplesCount });
    }
  }
  // Wall-clock medians are tinybench's; CPU medians include warm-up calls and every thread of the process.
  console.table(rows.map((r) => ({ task: r.task, 'median ms': r.medianMs.toFixed(1), 'cpu ms': r.cpuMedianMs.toFixed(1), samples: r.samples })));
  if (jsonAt > 0) writeFileSync(process.argv[jsonAt + 1], `${JSON.stringify({ runtime: `node ${process.version}`, rows }, null, 1)}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runLinalgBench();
