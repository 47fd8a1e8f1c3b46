/**
 * GEMM benchmarks (tinybench): GFLOP/s medians of `gemmF32` / `gemmF64` on the calling thread alone
 * (`threads: 1`) and on the worker pool, at the sizes the models use — a 768³ product and a BERT-base
 * FFN projection `[4096, 768]·[768, 3072]` (4096 tokens) — plus f64 768³ (linear algebra) and a batch of
 * attention-sized products. `bench/reference/gemm.py` times numpy (OpenBLAS) on the same shapes.
 *
 * Run: `node --import tsx bench/gemm.bench.ts [--quick] [--json out.json]`
 * (`SYMFUSE_THREADS` sets the pool size; the numbers are wall-clock medians and include packing and
 * copy-out, so they are only meaningful on an otherwise idle machine — the load average is printed.)
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { Bench } from 'tinybench';
import { type GemmOptions, gemmF32, gemmF64, gemmPoolInfo, startGemmPool } from '@symfuse/tensor/gemm';
import { Rng } from '@symfuse/tensor';

interface Case {
  name: string;
  dtype: 'f32' | 'f64';
  m: number;
  n: number;
  k: number;
  /** Independent products per timed call (small products are timed as a batch). */
  batch: number;
}

function uniform(rng: Rng, ctor: typeof Float32Array | typeof Float64Array, len: number): Float32Array | Float64Array {
  const out = new ctor(len);
  for (let i = 0; i < len; i++) out[i] = 2 * rng.uniform() - 1;
  return out;
}

/** A timed closure running `batch` products `C_b = A_b · B_b` with the given options. */
function runner(c: Case, options: GemmOptions): () => void {
  const rng = new Rng(c.m * 7 + c.n * 13 + c.k);
  const ctor = c.dtype === 'f32' ? Float32Array : Float64Array;
  const A = uniform(rng, ctor, c.batch * c.m * c.k);
  const B = uniform(rng, ctor, c.batch * c.k * c.n);
  const C = new ctor(c.batch * c.m * c.n);
  const { m, n, k } = c;
  if (c.dtype === 'f32') {
    const [a, b, out] = [A as Float32Array, B as Float32Array, C as Float32Array];
    return () => {
      for (let i = 0; i < c.batch; i++) gemmF32(false, false, m, n, k, 1, a, i * m * k, k, b, i * k * n, n, 0, out, i * m * n, n, options);
    };
  }
  const [a, b, out] = [A as Float64Array, B as Float64Array, C as Float64Array];
  return () => {
    for (let i = 0; i < c.batch; i++) gemmF64(false, false, m, n, k, 1, a, i * m * k, k, b, i * k * n, n, 0, out, i * m * n, n, options);
  };
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const jsonAt = process.argv.indexOf('--json');
  const cases: Case[] = [
    { name: 'f32 768×768×768', dtype: 'f32', m: 768, n: 768, k: 768, batch: 1 },
    { name: 'f32 [4096,768]·[768,3072]', dtype: 'f32', m: 4096, n: 3072, k: 768, batch: 1 },
    { name: 'f64 768×768×768', dtype: 'f64', m: 768, n: 768, k: 768, batch: 1 },
    { name: 'f32 96× [128,64]·[64,128]', dtype: 'f32', m: 128, n: 128, k: 64, batch: 96 },
  ];
  const pool = startGemmPool({ wait: true });
  console.error(`pool: ${pool.size} threads, ${pool.ready} workers ready${pool.disabled === '' ? '' : ` (${pool.disabled})`}`);
  console.error(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')} on ${availableParallelism()} cores`);
  const modes: { label: string; options: GemmOptions }[] = [
    { label: '1 thread', options: { threads: 1 } },
    // The default call: the pool (caller + ready workers) for products ≥ PARALLEL_MIN_FLOPS, else 1 thread.
    { label: `auto (pool of ${pool.ready + 1})`, options: {} },
  ];
  const rows: { task: string; mode: string; medianMs: number; gflops: number; bestGflops: number; samples: number }[] = [];
  for (const c of cases) {
    const flops = 2 * c.m * c.n * c.k * c.batch;
    const big = flops > 5e9;
    const bench = new Bench({ name: c.name, time: quick ? 300 : big ? 0 : 1500, iterations: big ? (quick ? 3 : 7) : 10, warmupIterations: 2 });
    for (const mode of modes) bench.add(`${c.name} | ${mode.label}`, runner(c, mode.options));
    await bench.run();
    for (const t of bench.tasks) {
      const r = t.result as { latency?: { p50: number; min: number; samplesCount: number }; state?: string; error?: unknown };
      if (r.latency === undefined) throw new Error(`${t.name}: ${String(r.error ?? r.state)}`);
      const [task, mode] = t.name.split(' | ');
      const { p50, min, samplesCount } = r.latency;
      rows.push({ task, mode, medianMs: p50, gflops: flops / (p50 * 1e6), bestGflops: flops / (min * 1e6), samples: samplesCount });
    }
  }
  // Best-of alongside the median: on a shared machine the fastest sample is the one that had the cores.
  console.table(rows.map((r) => ({ task: r.task, mode: r.mode, 'median ms': r.medianMs.toFixed(2), 'GFLOP/s': r.gflops.toFixed(1), 'best GFLOP/s': r.bestGflops.toFixed(1), samples: r.samples })));
  const info = gemmPoolInfo();
  console.error(`pool jobs ${info.jobs}, tasks computed by workers ${info.workerTasks}; load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  if (jsonAt > 0) writeFileSync(process.argv[jsonAt + 1], `${JSON.stringify({ runtime: `node ${process.version}`, rows }, null, 1)}\n`);
}

await main();
