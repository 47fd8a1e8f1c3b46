/**
 * Peak resident memory of the end-to-end job, three ways:
 * - the kernel's high-water mark `VmHWM` (`/proc/self/status`), reset at the start of every stage by
 *   writing `5` to `/proc/self/clear_refs`, so each stage gets its own exact peak;
 * - a sampler on a worker thread reading `process.memoryUsage.rss()` every 50 ms — it keeps sampling
 *   while the main thread is blocked in synchronous CPU kernels, unlike a timer on the main thread;
 * - the RSS and V8 heap at stage boundaries after a full garbage collection (what is live, not what
 *   is waiting to be collected).
 * Linux only for VmHWM; elsewhere the sampler alone gives the peak.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';

const MiB = 2 ** 20;

/** `VmHWM` / `VmRSS` of this process in bytes (undefined off Linux). */
export function procStatus(): { hwm: number; rss: number } | undefined {
  try {
    const s = readFileSync('/proc/self/status', 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? Number.NaN) * 1024;
    return { hwm: kb('VmHWM'), rss: kb('VmRSS') };
  } catch {
    return undefined;
  }
}

/** Resets the kernel's peak-RSS counter to the current RSS; false when the kernel refuses. */
export function resetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

let gcFn: (() => void) | undefined;

/**
 * A full garbage collection, also without `--expose-gc` (the flag is set at run time and `gc` taken
 * from a fresh context): large typed arrays live outside the V8 heap and are only returned to the
 * system when their wrappers are collected, so boundaries measured without it over-count.
 */
export function fullGc(): void {
  if (!gcFn) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  gcFn();
  gcFn();
}

/** Samples RSS on a worker thread; {@link RssSampler.stop} returns the maximum and the timeline. */
export class RssSampler {
  private readonly worker: Worker;
  private readonly shared: Float64Array;

  constructor(periodMs = 50) {
    // [0] = max RSS seen, [1] = samples taken; the worker writes, the main thread reads.
    this.shared = new Float64Array(new SharedArrayBuffer(16));
    this.worker = new Worker(
      `const { workerData } = require('node:worker_threads');
       const s = new Float64Array(workerData.buffer);
       setInterval(() => { const r = process.memoryUsage.rss(); if (r > s[0]) s[0] = r; s[1]++; }, workerData.period);`,
      { eval: true, workerData: { buffer: this.shared.buffer, period: periodMs } },
    );
    this.worker.unref();
  }

  /** Largest RSS sampled since the last reset, bytes. */
  get max(): number {
    return this.shared[0];
  }

  /** Starts a new maximum from the current RSS. */
  reset(): void {
    this.shared[0] = process.memoryUsage.rss();
  }

  stop(): Promise<number> {
    return this.worker.terminate();
  }
}

/** Memory at a moment, MiB. */
export interface MemorySnapshot {
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
  /** Array buffers and other memory V8 knows about outside its heap. */
  readonly externalMiB: number;
}

/** RSS and V8 heap now (after a full GC when `collect`). */
export function snapshot(collect = true): MemorySnapshot {
  if (collect) fullGc();
  const m = process.memoryUsage();
  return { rssMiB: m.rss / MiB, heapUsedMiB: m.heapUsed / MiB, externalMiB: m.external / MiB };
}

export { MiB };
