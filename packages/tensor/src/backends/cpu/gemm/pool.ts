/**
 * The GEMM worker pool: `size − 1` Node worker threads (the calling thread is the `size`-th) that share
 * the wasm module and memory of `wasm-runtime.ts` and take tasks of a job from the same atomic counter
 * as the caller. The caller stays synchronous: it publishes the job in a shared control block, wakes the
 * workers with `Atomics.notify`, runs tasks itself, then sleeps in `Atomics.wait` until the workers are
 * done (allowed on Node's main thread and in workers).
 *
 * - Size: `min(os.availableParallelism(), 4)`, or `SYMFUSE_THREADS` (1 = no workers).
 * - Lazy: nothing starts until the first big product (or {@link startGemmPool}); workers boot in the
 *   background and join jobs once READY, so a call never blocks on a boot unless it is very large.
 * - Workers are `unref()`ed and sleep in `Atomics.wait`, so an idle pool never keeps Node alive.
 * - A worker that fails to boot or exits is never woken again (its `error`/`exit` event marks it). A task
 *   that throws in a worker fails the call with the worker's message; the worker stays in the pool.
 *   (A worker killed in the middle of a product cannot be noticed while the caller sleeps — its events
 *   need the caller's event loop — but nothing in the worker allocates or throws past its catch.)
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { ValueError } from '../../../errors.js';
import { CTL, controlLength } from './gemm-core.mjs';
import { type WasmRuntime, wasmRuntime } from './wasm-runtime.js';

/** State of the pool, as reported by {@link gemmPoolInfo}. */
export interface GemmPoolInfo {
  /** Threads a product may use: the caller plus the workers (from `SYMFUSE_THREADS` or the core count). */
  readonly size: number;
  /** Whether the workers have been created. */
  readonly started: boolean;
  /** Workers that finished booting and take jobs now. */
  readonly ready: number;
  /** Why the pool cannot run workers (no wasm SIMD, size 1, a worker died…), or `''`. */
  readonly disabled: string;
  /** Products run on the pool since it started. */
  readonly jobs: number;
  /** Tasks (blocks of C) that workers, not the caller, computed since the pool started. */
  readonly workerTasks: number;
}

interface PoolWorker {
  readonly worker: Worker;
  readonly port: MessagePort;
  failed: string;
}

interface Pool {
  readonly rt: WasmRuntime;
  readonly ctl: Int32Array;
  readonly workers: PoolWorker[];
  jobs: number;
  /** Workers woken for the current job. */
  helpers: number[];
}

const MAX_THREADS_ENV = 64;
/** Slice of a blocking wait for booting workers (ms), so the deadline is honoured. */
const BOOT_POLL_MS = 50;
let pool: Pool | null = null;
let disabledReason = '';

/** Threads of the pool (caller included): `SYMFUSE_THREADS` if set, else `min(availableParallelism(), 4)`. */
export function gemmPoolSize(): number {
  const env = process.env.SYMFUSE_THREADS;
  if (env !== undefined && env.trim() !== '') {
    const v = Number(env);
    if (!Number.isInteger(v) || v < 1 || v > MAX_THREADS_ENV) {
      throw new ValueError('gemm', `SYMFUSE_THREADS must be an integer in [1, ${MAX_THREADS_ENV}], got '${env}'`);
    }
    return v;
  }
  return Math.max(1, Math.min(availableParallelism(), 4));
}

function spawn(rt: WasmRuntime, ctl: Int32Array, index: number): PoolWorker {
  const { port1, port2 } = new MessageChannel();
  // Resolved next to this file, so it works from sources (vitest, tsx) and from a build that ships the
  // .mjs files beside the compiled JS. execArgv: [] keeps the parent's loaders out of a plain-JS worker.
  const worker = new Worker(new URL('./gemm-worker.mjs', import.meta.url), {
    workerData: { memory: rt.memory, module: rt.module, ctl, index, port: port2 },
    transferList: [port2],
    execArgv: [],
  });
  const entry: PoolWorker = { worker, port: port1, failed: '' };
  worker.on('error', (err) => {
    entry.failed = err instanceof Error ? err.message : String(err);
  });
  worker.on('exit', (code) => {
    if (entry.failed === '') entry.failed = `exited with code ${code}`;
  });
  worker.unref();
  port1.unref();
  return entry;
}

function createPool(): Pool | null {
  if (pool !== null || disabledReason !== '') return pool;
  const size = gemmPoolSize();
  if (size <= 1) {
    disabledReason = 'pool size is 1 (SYMFUSE_THREADS=1 or a single core)';
    return null;
  }
  const rt = wasmRuntime();
  if (rt === null) {
    disabledReason = 'WebAssembly SIMD is unavailable; products run on the calling thread';
    return null;
  }
  const ctl = new Int32Array(new SharedArrayBuffer(4 * controlLength(size - 1)));
  const workers: PoolWorker[] = [];
  try {
    for (let index = 0; index < size - 1; index++) workers.push(spawn(rt, ctl, index));
  } catch (err) {
    for (const w of workers) void w.worker.terminate();
    disabledReason = `cannot start gemm workers: ${err instanceof Error ? err.message : String(err)}`;
    return null;
  }
  pool = { rt, ctl, workers, jobs: 0, helpers: [] };
  return pool;
}

/** A worker is usable once it set READY and has not failed or exited (as far as the events told). */
function alive(w: PoolWorker): boolean {
  return w.failed === '' && w.worker.threadId !== -1;
}

function readyIndices(p: Pool): number[] {
  const out: number[] = [];
  for (let w = 0; w < p.workers.length; w++) {
    if (alive(p.workers[w]) && Atomics.load(p.ctl, CTL.WORKERS + 2 * w + 1) === 1) out.push(w);
  }
  return out;
}

/**
 * Starts the workers if they are not running. With `wait`, blocks (at most `timeoutMs`, default 10 s)
 * until every worker has booted, so that the next product uses all of them — for benchmarks and tests.
 */
export function startGemmPool(options: { wait?: boolean; timeoutMs?: number } = {}): GemmPoolInfo {
  const p = createPool();
  if (p !== null && options.wait === true) {
    const deadline = performance.now() + (options.timeoutMs ?? 10_000);
    for (let w = 0; w < p.workers.length; w++) {
      const slot = CTL.WORKERS + 2 * w + 1;
      while (Atomics.load(p.ctl, slot) === 0 && alive(p.workers[w])) {
        const left = deadline - performance.now();
        if (left <= 0) break;
        Atomics.wait(p.ctl, slot, 0, Math.min(left, BOOT_POLL_MS));
      }
    }
  }
  return gemmPoolInfo();
}

/** Size, readiness and (if any) why the pool cannot run. Starts nothing. */
export function gemmPoolInfo(): GemmPoolInfo {
  let size = 1;
  try {
    size = gemmPoolSize();
  } catch {
    // An invalid SYMFUSE_THREADS is reported by the next product, not by this query.
  }
  const p = pool;
  return {
    size,
    started: p !== null,
    ready: p === null ? 0 : readyIndices(p).length,
    disabled: disabledReason,
    jobs: p === null ? 0 : p.jobs,
    workerTasks: p === null ? 0 : Atomics.load(p.ctl, CTL.WORKER_TASKS),
  };
}

/** Terminates the workers and forgets a disabled state (tests; an idle pool never keeps Node alive). */
export async function stopGemmPool(): Promise<void> {
  const p = pool;
  pool = null;
  disabledReason = '';
  if (p !== null) await Promise.all(p.workers.map((w) => w.worker.terminate()));
}

/**
 * Threads available to a product right now (the caller plus ready workers), starting the pool on first
 * use. `want` caps it; `waitForBoot` blocks until booting workers are ready (worth it for big products).
 */
export function acquireThreads(want: number, waitForBoot: boolean): number {
  if (want <= 1) return 1;
  const p = createPool();
  if (p === null) return 1;
  let ready = readyIndices(p).length;
  if (ready + 1 < want && waitForBoot) {
    startGemmPool({ wait: true, timeoutMs: 2000 });
    ready = readyIndices(p).length;
  }
  return Math.min(want, ready + 1);
}

/** The shared control block to fill before {@link wakeWorkers}; null when there is no pool. */
export function poolControl(): Int32Array | null {
  return pool === null ? null : pool.ctl;
}

/**
 * Starts the job already written in the pool's control block on `threads − 1` ready workers (fewer if
 * fewer are ready) and returns how many were woken. The caller then takes part itself and must end
 * with {@link waitWorkers}.
 */
export function wakeWorkers(threads: number): number {
  const p = pool;
  if (p === null) throw new Error('gemm: wakeWorkers called without a pool (internal error)');
  const ctl = p.ctl;
  p.helpers = readyIndices(p).slice(0, Math.max(0, threads - 1));
  p.jobs++;
  Atomics.store(ctl, CTL.ERROR, 0);
  Atomics.store(ctl, CTL.PENDING, p.helpers.length);
  for (const w of p.helpers) {
    const gen = CTL.WORKERS + 2 * w;
    Atomics.add(ctl, gen, 1);
    Atomics.notify(ctl, gen);
  }
  return p.helpers.length;
}

/** The message of the woken worker whose task threw in the current job, or null if none did. */
export function poolFailure(): string | null {
  const p = pool;
  if (p === null) return null;
  const failed = Atomics.load(p.ctl, CTL.ERROR);
  if (failed === 0) return null;
  const msg = receiveMessageOnPort(p.workers[failed - 1].port)?.message ?? 'unknown error';
  return `gemm: pool worker ${failed - 1} failed: ${String(msg)}`;
}

/** Sleeps until every woken worker has left the current job. */
export function waitWorkers(): void {
  const p = pool;
  if (p === null) return;
  const ctl = p.ctl;
  for (let v = Atomics.load(ctl, CTL.PENDING); v !== 0; v = Atomics.load(ctl, CTL.PENDING)) {
    Atomics.wait(ctl, CTL.PENDING, v);
  }
}
