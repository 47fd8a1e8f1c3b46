/**
 * Scratch benchmark (phase 1): f32 matmul variants on the current WebGPU adapter (lavapipe here).
 * Run: `node --import tsx packages/tensor/src/backends/webgpu/scratch/matmul-bench.ts [sizes] [filter]`
 * GFLOP/s counts 2·M·N·K per matmul and includes completion (the timed loop ends with sync()).
 */
import { WebGpuBackend } from '../webgpu-backend.js';
import type { WaitStrategy } from '../gpu-wait.js';
import type { GpuProgram } from '../pipeline-cache.js';
import { MATMUL_UNIFORMS, laneBlockProgram, registerBlockProgram, rowLanesProgram, sharedTileProgram } from './matmul-variants.js';

import { readFileSync, readdirSync } from 'node:fs';
import { loadavg } from 'node:os';

/** CPU seconds per thread name (from /proc; Linux only) — shows lavapipe's worker threads vs the JS thread. */
function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) + ':' + tid;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const secs = (Number(f[11]) + Number(f[12])) / 100;
      out.set(name, (out.get(name) ?? 0) + secs);
    }
  } catch {
    // not Linux
  }
  return out;
}

/** CPU seconds of every thread except the JS main thread (lavapipe's workers, Dawn's). */
function workerCpu(a: Map<string, number>, b: Map<string, number>): number {
  let t = 0;
  for (const [k, v] of b) if (!k.endsWith(`:${process.pid}`)) t += v - (a.get(k) ?? 0);
  return t;
}

function cpuDiff(a: Map<string, number>, b: Map<string, number>, ms: number): string {
  const parts: string[] = [];
  for (const [k, v] of b) {
    const d = v - (a.get(k) ?? 0);
    if (d / (ms / 1000) >= 0.05) parts.push(`${k}:${((d / (ms / 1000)) * 100).toFixed(0)}%`);
  }
  return parts.join(' ');
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

interface Variant {
  readonly label: string;
  readonly program: GpuProgram;
  /** Workgroups for an M×N output. */
  readonly workgroups: (m: number, n: number) => [number, number, number];
}

function variants(sizes: number[]): Variant[] {
  const aligned = (t: number) => sizes.every((s) => s % t === 0);
  const out: Variant[] = [];
  for (const tk of [8, 16, 32]) {
    out.push({
      label: `shared 64x64 tk${tk}`,
      program: sharedTileProgram({ tileM: 64, tileN: 64, tileK: tk, bounds: !aligned(64) }),
      workgroups: (m, n) => [Math.ceil(n / 64), Math.ceil(m / 64), 1],
    });
  }
  for (const [rows, vecs, wgX, wgY] of [
    [4, 1, 8, 8], [8, 1, 16, 4], [4, 2, 8, 8], [8, 2, 8, 4],
    [4, 1, 64, 1], [8, 1, 64, 1], [8, 1, 32, 1], [16, 1, 64, 1], [8, 2, 32, 1], [4, 2, 32, 1], [12, 1, 64, 1],
    [4, 2, 16, 4], [4, 2, 8, 4], [4, 2, 16, 8], [4, 2, 64, 1], [4, 2, 8, 16], [2, 2, 16, 8], [4, 3, 8, 8], [2, 4, 8, 8], [4, 4, 8, 8],
  ] as const) {
    out.push({
      label: `vec4 ${rows}x${vecs * 4} wg${wgX}x${wgY}`,
      program: registerBlockProgram({ rows, vecs, wgX, wgY, bounds: !aligned(rows * 4 * vecs * Math.max(wgX, wgY)) }),
      workgroups: (m, n) => [Math.ceil(n / 4 / vecs / wgX), Math.ceil(m / rows / wgY), 1],
    });
  }
  for (const [rows, cols, wgX, wgY, aVec4] of [
    [4, 8, 8, 8, false], [8, 4, 8, 8, true],
    [8, 4, 64, 1, false], [8, 4, 64, 1, true], [16, 2, 64, 1, true], [8, 2, 64, 1, true], [4, 4, 64, 1, true], [16, 1, 64, 1, true],
  ] as const) {
    out.push({
      label: `lanes ${rows}x${cols} wg${wgX}x${wgY}${aVec4 ? ' a4' : ''}`,
      program: laneBlockProgram({ rows, cols, wgX, wgY, aVec4, bounds: !(aligned(rows * wgY) && aligned(cols * wgX)) }),
      workgroups: (m, n) => [Math.ceil(n / (wgX * cols)), Math.ceil(m / (rows * wgY)), 1],
    });
  }
  for (const [rows, vecs, wgX] of [
    [1, 2, 8], [1, 4, 8], [1, 8, 8], [2, 2, 8], [2, 4, 8], [1, 4, 16], [1, 4, 64], [1, 8, 64], [2, 4, 32], [1, 2, 64],
  ] as const) {
    out.push({
      label: `rowlanes ${rows}x${vecs * 4} wg${wgX}`,
      program: rowLanesProgram({ rows, vecs, wgX, bounds: !(aligned(rows * wgX) && aligned(vecs * 4)) }),
      workgroups: (m, n) => [Math.ceil(m / (wgX * rows)), Math.ceil(n / 4 / vecs), 1],
    });
  }
  return out;
}

async function main(): Promise<void> {
  const sizes = (process.argv[2] ?? '768,1024').split(',').map(Number);
  const filter = process.argv[3] ?? '';
  const strategies = (process.argv[4] ?? 'throttle').split(',') as WaitStrategy[];
  const rounds = Number(process.argv[5] ?? 1);
  const best = new Map<string, { wall: number; proj: number }>();
  console.log(`loadavg at start: ${loadavg().map((v) => v.toFixed(1)).join(' ')} (2 cores)`);
  for (let round = 0; round < rounds; round++)
  for (const strategy of strategies) {
    const backend = await WebGpuBackend.create({
      wait: { strategy },
      dawnFlags: (process.env.DAWN_FLAGS ?? '').split(' ').filter(Boolean),
      robustness: (process.env.ROBUSTNESS as 'auto' | 'on' | 'off' | undefined) ?? 'auto',
    });
    console.log(`${backend.describe()} — wait strategy: ${strategy}`);
    for (const n of sizes) {
      const rnd = lcg(n);
      const a = new Float32Array(n * n).map(() => rnd());
      const b = new Float32Array(n * n).map(() => rnd());
      // Oracle: a few entries in f64.
      const probes = [0, 1, n + 3, (n * n) >> 1, n * n - 1];
      const expect = probes.map((p) => {
        const i = Math.floor(p / n);
        const j = p % n;
        let s = 0;
        for (let k = 0; k < n; k++) s += a[i * n + k] * b[k * n + j];
        return s;
      });
      const sa = backend.upload(a, 'f32');
      const sb = backend.upload(b, 'f32');
      const sc = backend.allocate('f32', n * n);
      const flops = 2 * n * n * n;
      for (const v of variants(sizes)) {
        if (filter && !new RegExp(filter).test(v.label)) continue;
        const run = (): void =>
          backend.dispatch({
            program: v.program,
            storage: [backend.binding(sa, 'bench'), backend.binding(sb, 'bench'), backend.binding(sc, 'bench')],
            uniforms: { layout: MATMUL_UNIFORMS, values: { M: n, N: n, K: n } },
            workgroups: v.workgroups(n, n),
            sizes: `[${n}x${n}x${n}]`,
            cost: flops,
          });
        run();
        const got = await backend.read(sc);
        const err = Math.max(...probes.map((p, i) => Math.abs(got[p] - expect[i])));
        // Timed: enough reps for ~1.5 s at the first rep's speed.
        const t0 = performance.now();
        run();
        await backend.sync();
        const one = performance.now() - t0;
        const reps = Math.max(2, Math.min(40, Math.round(1500 / one)));
        const w0 = backend.stats().wait;
        const cpu0 = process.cpuUsage();
        const th0 = threadCpu();
        const t1 = performance.now();
        for (let r = 0; r < reps; r++) run();
        await backend.read(sc);
        const ms = performance.now() - t1;
        const cpu = process.cpuUsage(cpu0);
        const th1 = threadCpu();
        const w1 = backend.stats().wait;
        const waitInfo = `slept ${(w1.sleptMs - w0.sleptMs).toFixed(0)} awaited ${(w1.awaitedMs - w0.awaitedMs).toFixed(0)} rate ${(w1.rate / 1e6).toFixed(2)}`;
        const threads = cpuDiff(th0, th1, ms);
        const workerSecs = workerCpu(th0, th1);
        const gflops = (flops * reps) / (ms * 1e6);
        const cpuMs = (cpu.user + cpu.system) / 1000;
        // Throughput per CPU-second of the whole process (lavapipe's threads + JS): robust to other
        // load on the machine; two idle cores would give about twice this.
        const perCpu = (flops * reps) / (cpuMs * 1e6);
        // What two idle cores fully used by the worker threads would reach.
        const projected = workerSecs > 0 ? (2 * flops * reps) / (workerSecs * 1e9) : NaN;
        const key = `${n} ${v.label} ${strategy}`;
        const prev = best.get(key) ?? { wall: 0, proj: 0 };
        best.set(key, { wall: Math.max(prev.wall, gflops), proj: Math.max(prev.proj, projected) });
        console.log(
          `${String(n).padStart(5)}  ${v.label.padEnd(24)} ${gflops.toFixed(2).padStart(7)} GFLOP/s  ` +
            `${perCpu.toFixed(2).padStart(6)} GFLOP/cpu-s  2-core proj ${projected.toFixed(1).padStart(5)}  ${(ms / reps).toFixed(1).padStart(7)} ms/matmul  reps ${reps}  maxerr ${err.toExponential(1)}  ` +
            `${waitInfo} process cpu ${(((cpu.user + cpu.system) / 1000 / ms) * 100).toFixed(0)}% [${threads}]`,
        );
      }
      for (const s of [sa, sb, sc]) backend.release(s);
    }
    const st = backend.stats();
    console.log(`wait: ${JSON.stringify(st.wait)}  batcher: ${JSON.stringify(st.batcher)}  pipelines: ${JSON.stringify(st.pipelines)}`);
    backend.dispose();
  }
  console.log(`loadavg at end: ${loadavg().map((v) => v.toFixed(1)).join(' ')}`);
  if (rounds > 1) {
    console.log('best over rounds (wall GFLOP/s, 2-core projection):');
    for (const [k, v] of best) console.log(`  ${k.padEnd(40)} ${v.wall.toFixed(2).padStart(6)}  ${v.proj.toFixed(1).padStart(5)}`);
  }
}

await main();
