/**
 * WebGPU benchmarks (tinybench): the kernels the models and statistics spend their time in, and the
 * GPU auction against the exact CPU assignment solver. Every GPU timing includes completion (each
 * iteration ends with `await backend.sync()`, or with the solver's own reads).
 *
 * - matmul 768³ and 1024³, both program families (`register`: vec4 register blocking, no workgroup
 *   memory; `tiled`: workgroup-memory tiles + 4×4 register blocks);
 * - layerNorm [4096, 768]; attention [1,12,512,64] and [8,12,128,64] (fused online softmax);
 * - covariance: centeredCross [4096,768]ᵀ·[4096,768];
 * - auction on correlation matrices n = 768 and 3072 (`C = P_π/√(1+σ²) + G/√N`, σ = 10, N = 4096:
 *   the large-N law of the sample correlation the permutation aligner solves, maximised) vs the exact
 *   CPU solver `linearSumAssignment`.
 *
 * Run: `node --import tsx bench/webgpu.bench.ts [--quick] [--json out.json]`. On Mesa lavapipe the
 * "GPU" is the CPU's cores: the numbers measure the kernels' design on a SIMD CPU, not a GPU. Wall
 * times only mean something on an otherwise idle machine (the load average is printed);
 * `GFLOP/cpu-s` divides by the process's CPU time (lavapipe's threads included), which stays
 * comparable on a loaded machine (×cores ≈ what an idle machine would reach).
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { Bench } from 'tinybench';
import { linearSumAssignment } from '@symfuse/tensor';
import { type WebGpuBackend, auctionAssignmentGpu, chooseMatmulProgram, createWebGpuBackend } from '@symfuse/tensor/webgpu';
import { attention, centeredCross, layerNorm, matmul, type Tensor, tensor } from '@symfuse/tensor';
import { Rng } from '@symfuse/tensor';

interface Row {
  task: string;
  variant: string;
  medianMs: number;
  minMs: number;
  /** GFLOP per call (or undefined for the solvers). */
  gflop?: number;
  samples: number;
  /** Process CPU seconds per call (lavapipe's worker threads included): a load-independent cost. */
  cpuS: number;
  note?: string;
}

function uniform(rng: Rng, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = 2 * rng.uniform() - 1;
  return out;
}

async function timeTask(name: string, fn: () => Promise<void>, iterations: number, quick: boolean): Promise<{ p50: number; min: number; samples: number; cpuS: number }> {
  const bench = new Bench({ name, time: 0, iterations: quick ? Math.min(3, iterations) : iterations, warmupIterations: 1, warmupTime: 0 });
  let calls = 0;
  let cpu = 0;
  bench.add(name, async () => {
    const c0 = process.cpuUsage();
    await fn();
    const c = process.cpuUsage(c0);
    cpu += (c.user + c.system) / 1e6;
    calls++;
  });
  await bench.run();
  const r = bench.tasks[0].result as { latency?: { p50: number; min: number; samplesCount: number }; error?: unknown; state?: string };
  if (r.latency === undefined) throw new Error(`${name}: ${String(r.error ?? r.state)}`);
  return { p50: r.latency.p50, min: r.latency.min, samples: r.latency.samplesCount, cpuS: cpu / Math.max(1, calls) };
}

async function kernelRows(gpu: WebGpuBackend, quick: boolean): Promise<Row[]> {
  const rows: Row[] = [];
  const rng = new Rng(1);
  const on = (data: Float32Array, shape: number[]): Tensor => tensor(data, shape, { backend: gpu });
  const run = async (task: string, variant: string, gflop: number, iterations: number, op: () => Tensor): Promise<void> => {
    const t = await timeTask(`${task} ${variant}`, async () => {
      const out = op();
      await gpu.sync();
      out.dispose();
    }, iterations, quick);
    rows.push({ task, variant, medianMs: t.p50, minMs: t.min, gflop, samples: t.samples, cpuS: t.cpuS });
  };
  for (const n of [768, 1024]) {
    const a = on(uniform(rng, n * n), [n, n]);
    const b = on(uniform(rng, n * n), [n, n]);
    for (const variant of ['register', 'tiled'] as const) {
      gpu.tuning.matmul = variant;
      const program = chooseMatmulProgram(gpu, { transA: false, transB: false, m: n, n, k: n }).kind;
      await run(`matmul ${n}³`, `${variant} (${program})`, (2 * n ** 3) / 1e9, 7, () => matmul(a, b));
      gpu.tuning.matmul = variant;
      await run(`matmul ${n}×${n}·(${n}×${n})ᵀ`, `${variant} (${chooseMatmulProgram(gpu, { transA: false, transB: true, m: n, n, k: n }).kind})`, (2 * n ** 3) / 1e9, 5, () => matmul(a, b, { transB: true }));
    }
    a.dispose();
    b.dispose();
  }
  gpu.tuning.matmul = 'register';
  {
    const x = on(uniform(rng, 4096 * 768), [4096, 768]);
    const g = on(uniform(rng, 768), [768]);
    const be = on(uniform(rng, 768), [768]);
    // ~8 flops per element (two reductions, normalise, scale, shift); the kernel is memory-bound.
    await run('layerNorm [4096,768]', `${gpu.tuning.rowThreads} threads/row`, (8 * 4096 * 768) / 1e9, 10, () => layerNorm(x, g, be, 1e-12));
    for (const t of [x, g, be]) t.dispose();
  }
  for (const shape of [[1, 12, 512, 64], [8, 12, 128, 64]]) {
    const size = shape.reduce((p, d) => p * d);
    const [B, H, T, dk] = shape;
    const q = on(uniform(rng, size), shape);
    const k = on(uniform(rng, size), shape);
    const v = on(uniform(rng, size), shape);
    await run(`attention [${shape}]`, 'fused online softmax', (4 * B * H * T * T * dk) / 1e9, 7, () => attention(q, k, v));
    for (const t of [q, k, v]) t.dispose();
  }
  {
    const x = on(uniform(rng, 4096 * 768), [4096, 768]);
    const y = on(uniform(rng, 4096 * 768), [4096, 768]);
    const mx = on(uniform(rng, 768), [768]);
    const my = on(uniform(rng, 768), [768]);
    for (const variant of ['register', 'tiled'] as const) {
      gpu.tuning.matmul = variant;
      const program = chooseMatmulProgram(gpu, { transA: true, transB: false, m: 768, n: 768, k: 4096, centered: { meanA: mx.storage, meanB: my.storage } }).kind;
      await run('covariance [4096,768]ᵀ·[4096,768]', `${variant} (${program})`, (2 * 4096 * 768 * 768) / 1e9, 5, () => centeredCross(x, y, mx, my));
    }
    gpu.tuning.matmul = 'register';
    for (const t of [x, y, mx, my]) t.dispose();
  }
  return rows;
}

/** `C = P_π/√(1+σ²) + G/√N`, row-major `[n, n]` (see the header). */
function correlationModel(n: number, seed: number, sigma = 10, tokens = 4096): Float64Array {
  const rng = new Rng(seed);
  const c = new Float64Array(n * n);
  const noise = 1 / Math.sqrt(tokens);
  for (let i = 0; i < c.length; i++) c[i] = noise * rng.normal();
  const perm = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  for (let i = 0; i < n; i++) c[i * n + perm[i]] += 1 / Math.sqrt(1 + sigma * sigma);
  return c;
}

async function auctionRows(gpu: WebGpuBackend, quick: boolean): Promise<Row[]> {
  const rows: Row[] = [];
  for (const n of [768, 3072]) {
    const cost = correlationModel(n, n);
    const iterations = n > 1024 ? 3 : 5;
    let exactTotal = Number.NaN;
    const cpu = await timeTask(`exact ${n}`, async () => {
      exactTotal = linearSumAssignment({ data: cost, rows: n, cols: n }, { maximize: true }).total;
    }, iterations, quick);
    rows.push({ task: `assignment corr n=${n}`, variant: 'CPU exact (linearSumAssignment)', medianMs: cpu.p50, minMs: cpu.min, samples: cpu.samples, cpuS: cpu.cpuS, note: `total ${exactTotal.toFixed(6)}` });
    let note = '';
    const g = await timeTask(`auction ${n}`, async () => {
      const r = await auctionAssignmentGpu(gpu, cost, n, { maximize: true });
      note = `total ${r.total.toFixed(6)}, gap ${(exactTotal - r.total).toExponential(2)} ≤ ${r.gapBound.toExponential(2)}; ${r.phases} phases, ${r.rounds} rounds, ${r.tailDispatches} tail dispatches`;
    }, iterations, quick);
    rows.push({ task: `assignment corr n=${n}`, variant: 'GPU auction', medianMs: g.p50, minMs: g.min, samples: g.samples, cpuS: g.cpuS, note });
  }
  return rows;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const jsonAt = process.argv.indexOf('--json');
  const gpu = await createWebGpuBackend();
  console.error(`${gpu.describe()}`);
  console.error(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(' ')} on ${availableParallelism()} cores`);
  const rows = [...(await kernelRows(gpu, quick)), ...(await auctionRows(gpu, quick))];
  console.table(
    rows.map((r) => ({
      task: r.task,
      variant: r.variant,
      'median ms': r.medianMs.toFixed(2),
      'GFLOP/s': r.gflop === undefined ? '' : (r.gflop / (r.medianMs / 1e3)).toFixed(2),
      'best GFLOP/s': r.gflop === undefined ? '' : (r.gflop / (r.minMs / 1e3)).toFixed(2),
      'GFLOP/cpu-s': r.gflop === undefined ? '' : (r.gflop / r.cpuS).toFixed(2),
      'cpu-s/call': r.cpuS.toFixed(3),
      samples: r.samples,
      note: r.note ?? '',
    })),
  );
  console.error(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  if (jsonAt > 0) writeFileSync(process.argv[jsonAt + 1], `${JSON.stringify({ device: gpu.describe(), runtime: `node ${process.version}`, rows }, null, 1)}\n`);
  gpu.dispose();
}

await main();
