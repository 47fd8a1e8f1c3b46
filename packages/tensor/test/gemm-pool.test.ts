import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { gemmF32, gemmF64, gemmPoolInfo, gemmPoolSize, gemmWasmAvailable, startGemmPool, stopGemmPool } from '../src/backends/cpu/gemm/index.js';
import { CTL } from '../src/backends/cpu/gemm/gemm-core.mjs';
import { poolControl, poolFailure, waitWorkers, wakeWorkers } from '../src/backends/cpu/gemm/pool.js';
import { type GemmCase, callGemm, checkCase, makeOperands } from './gemm-oracle.js';

const hasWasm = gemmWasmAvailable();
/** The pool needs wasm and more than one thread; CI machines have ≥ 2 cores. */
const poolPossible = hasWasm && gemmPoolSize() > 1;
/** Forces the pool on every product, however small. */
const POOL = { minParallelFlops: 0 } as const;

afterAll(async () => {
  await stopGemmPool();
});

describe.runIf(poolPossible)('gemm worker pool', () => {
  it('boots lazily: nothing runs before the first request, then every worker becomes ready', () => {
    expect(gemmPoolInfo().started).toBe(false);
    const info = startGemmPool({ wait: true });
    expect(info).toMatchObject({ started: true, disabled: '' });
    expect(info.ready).toBe(gemmPoolSize() - 1);
  });

  it('pool results equal the oracle for every transpose combination, f32 and f64', () => {
    startGemmPool({ wait: true });
    let seed = 1;
    for (const dtype of ['f32', 'f64'] as const) {
      for (const [transA, transB] of [
        [false, false],
        [false, true],
        [true, false],
        [true, true],
      ] as const) {
        checkCase({ dtype, transA, transB, m: 65, n: 63, k: 257, alpha: 0.75, beta: -0.5, padA: 2, padB: 1, padC: 3, aOffset: 5, bOffset: 4, cOffset: 7, seed: seed++ }, POOL);
        checkCase({ dtype, transA, transB, m: 257, n: 7, k: 63, alpha: 1, beta: 0, seed: seed++ }, POOL);
        checkCase({ dtype, transA, transB, m: 1, n: 257, k: 65, alpha: 1, beta: 1, seed: seed++ }, POOL);
      }
    }
  });

  it('is bit-for-bit equal to the single-thread result (each C tile is summed in the same order)', () => {
    startGemmPool({ wait: true });
    for (const dtype of ['f32', 'f64'] as const) {
      const c: GemmCase = { dtype, transA: false, transB: true, m: 203, n: 190, k: 530, alpha: 1.25, beta: 0.5, seed: 77 };
      const one = makeOperands(c);
      const many = makeOperands(c);
      callGemm(c, one, { threads: 1 });
      callGemm(c, many, POOL);
      expect(Buffer.from(many.C.buffer).equals(Buffer.from(one.C.buffer)), dtype).toBe(true);
    }
  });

  it('keeps working after the shared memory grows between jobs', () => {
    startGemmPool({ wait: true });
    checkCase({ dtype: 'f32', transA: false, transB: false, m: 20, n: 24, k: 30, alpha: 1, beta: 0, seed: 90 }, POOL);
    // ~20 MB of scratch: far beyond what earlier tests used, so the memory must grow under live workers.
    checkCase({ dtype: 'f64', transA: true, transB: false, m: 700, n: 1200, k: 64, alpha: 1, beta: 0, seed: 91 }, POOL);
    checkCase({ dtype: 'f32', transA: false, transB: true, m: 33, n: 40, k: 50, alpha: 1, beta: 0, seed: 92 }, POOL);
  });

  it('threads: 1 keeps a product on the calling thread and the default threshold keeps tiny ones there', () => {
    startGemmPool({ wait: true });
    checkCase({ dtype: 'f64', transA: false, transB: false, m: 64, n: 64, k: 64, alpha: 1, beta: 0, seed: 93 }, { threads: 1, minParallelFlops: 0 });
    checkCase({ dtype: 'f32', transA: false, transB: false, m: 17, n: 18, k: 19, alpha: 1, beta: 0, seed: 94 });
  });

  it('the workers, not only the caller, computed part of the products above', () => {
    const info = gemmPoolInfo();
    expect(info.jobs).toBeGreaterThan(10);
    expect(info.workerTasks).toBeGreaterThan(0);
  });

  it("reports a worker's failing task with its message, and the pool keeps working afterwards", () => {
    startGemmPool({ wait: true });
    const ctl = poolControl();
    expect(ctl).not.toBeNull();
    if (ctl === null) return;
    // A job whose packed A lies far beyond the wasm memory: the worker's kernel traps. The caller does
    // not take part, so the worker is the one that fails.
    ctl.fill(0, 0, CTL.WORKERS);
    Object.assign(ctl, { [CTL.NTASKS]: 1, [CTL.K]: 8, [CTL.A_BASE]: 2 ** 31 - 4096, [CTL.A_STRIDE]: 128, [CTL.M_PANELS]: 1, [CTL.TASK_PA]: 1 });
    Object.assign(ctl, { [CTL.B_STRIDE]: 256, [CTL.N_PANELS]: 1, [CTL.TASK_PB]: 1, [CTL.LDS]: 32, [CTL.COL_TASKS]: 1 });
    Object.assign(ctl, { [CTL.A_READY]: 1, [CTL.B_READY]: 1, [CTL.DONE_BASE]: ctl.length - 1 });
    expect(wakeWorkers(2)).toBe(1);
    waitWorkers();
    expect(poolFailure()).toMatch(/gemm: pool worker 0 failed: .*(memory access out of bounds|RuntimeError)/);
    checkCase({ dtype: 'f32', transA: true, transB: true, m: 150, n: 140, k: 130, alpha: 1, beta: 0, seed: 95 }, POOL);
  });

  it('stopGemmPool terminates the workers and a later product restarts them', async () => {
    startGemmPool({ wait: true });
    await stopGemmPool();
    expect(gemmPoolInfo().started).toBe(false);
    const A = new Float64Array(300 * 300).fill(1);
    const C = new Float64Array(300 * 300);
    gemmF64(false, false, 300, 300, 300, 1, A, 0, 300, A, 0, 300, 0, C, 0, 300, POOL);
    expect(C[12345]).toBe(300);
    expect(gemmPoolInfo().started).toBe(true);
  });
});

describe('gemm pool configuration', () => {
  it('SYMFUSE_THREADS sets the pool size and rejects nonsense with the value seen', () => {
    const saved = process.env.SYMFUSE_THREADS;
    try {
      process.env.SYMFUSE_THREADS = '3';
      expect(gemmPoolSize()).toBe(3);
      process.env.SYMFUSE_THREADS = '1';
      expect(gemmPoolSize()).toBe(1);
      process.env.SYMFUSE_THREADS = 'two';
      expect(() => gemmPoolSize()).toThrow(/SYMFUSE_THREADS must be an integer in \[1, 64\], got 'two'/);
      // Big enough for the packed path, which is where the pool size is consulted.
      const A = new Float32Array(16 * 64);
      expect(() => gemmF32(false, true, 16, 16, 64, 1, A, 0, 64, A, 0, 64, 0, new Float32Array(256), 0, 16)).toThrow(/SYMFUSE_THREADS/);
    } finally {
      if (saved === undefined) delete process.env.SYMFUSE_THREADS;
      else process.env.SYMFUSE_THREADS = saved;
    }
  });

  it('defaults to min(availableParallelism, 4) threads', async () => {
    const saved = process.env.SYMFUSE_THREADS;
    delete process.env.SYMFUSE_THREADS;
    try {
      const { availableParallelism } = await import('node:os');
      expect(gemmPoolSize()).toBe(Math.min(availableParallelism(), 4));
    } finally {
      if (saved !== undefined) process.env.SYMFUSE_THREADS = saved;
    }
  });
});

describe('gemm in a fresh Node process', () => {
  it.runIf(poolPossible)('a process that used the pool exits by itself (the workers are unref()ed)', () => {
    const gemmIndex = fileURLToPath(new URL('../src/backends/cpu/gemm/index.ts', import.meta.url));
    const script = `
      import { gemmF32, gemmPoolInfo, startGemmPool } from ${JSON.stringify(gemmIndex)};
      startGemmPool({ wait: true });
      const n = 256, A = new Float32Array(n * n).fill(1), C = new Float32Array(n * n);
      gemmF32(false, false, n, n, n, 1, A, 0, n, A, 0, n, 0, C, 0, n, { minParallelFlops: 0 });
      console.log(JSON.stringify({ c: C[999], jobs: gemmPoolInfo().jobs }));`;
    // A hang would hit the timeout and throw here.
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'ignore'] });
    expect(JSON.parse(out.trim().split('\n').pop() ?? '{}')).toEqual({ c: 256, jobs: 1 });
  });

  it('falls back to the JS kernel on the calling thread (node --jitless has no wasm)', () => {
    const gemmIndex = fileURLToPath(new URL('../src/backends/cpu/gemm/index.ts', import.meta.url));
    const script = `
      import { gemmF64, gemmPoolInfo, gemmWasmAvailable } from ${JSON.stringify(gemmIndex)};
      const n = 40, A = new Float64Array(n * n).map((_, i) => i % 7), C = new Float64Array(n * n);
      gemmF64(false, true, n, n, n, 1, A, 0, n, A, 0, n, 0, C, 0, n, { minParallelFlops: 0 });
      let s = 0; for (let p = 0; p < n; p++) s += A[3 * n + p] * A[5 * n + p];
      console.log(JSON.stringify({ wasm: gemmWasmAvailable(), exact: C[3 * n + 5] === s, pool: gemmPoolInfo().started }));`;
    const out = execFileSync(process.execPath, ['--jitless', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(JSON.parse(out.trim().split('\n').pop() ?? '{}')).toEqual({ wasm: false, exact: true, pool: false });
  });
});
