/**
 * The timing harness of `bench/run.ts`: one tinybench task per case, wall-clock latency statistics
 * (median, best) and the load average around it. A task may be asynchronous: GPU cases end every call
 * with `await backend.sync()` (or a read), so their times include completion, not just enqueueing.
 */
import { loadavg } from 'node:os';
import { Bench } from 'tinybench';

/** Latency statistics of one case, in milliseconds. */
export interface Timing {
  readonly medianMs: number;
  readonly minMs: number;
  readonly meanMs: number;
  readonly samples: number;
  /** 1-, 5- and 15-minute load averages before the first timed call and after the last. */
  readonly loadBefore: readonly number[];
  readonly loadAfter: readonly number[];
}

/** How many calls to time. */
export interface TimeOptions {
  /** Timed calls (at least this many; tinybench stops when both this and `minTimeMs` are reached). */
  readonly iterations: number;
  /** Untimed calls before (default 1): the first GPU call compiles pipelines, the first CPU call packs. */
  readonly warmup?: number;
  /** Minimum total timed duration (default 0: exactly `iterations` calls). */
  readonly minTimeMs?: number;
}

/** Rounds the load average to two decimals, the form every report prints. */
export function loadAverage(): number[] {
  return loadavg().map((x) => Math.round(x * 100) / 100);
}

/**
 * Times `fn` with tinybench.
 * @throws Error naming the task when a call throws (tinybench records it; we surface it).
 */
export async function timeIt(name: string, fn: () => unknown, options: TimeOptions): Promise<Timing> {
  const warmup = options.warmup ?? 1;
  const bench = new Bench({
    name,
    time: options.minTimeMs ?? 0,
    iterations: Math.max(1, options.iterations),
    warmup: warmup > 0,
    warmupIterations: warmup,
    warmupTime: 0,
    throws: true,
  });
  bench.add(name, fn as () => Promise<void> | void);
  const loadBefore = loadAverage();
  await bench.run();
  const loadAfter = loadAverage();
  const r = bench.tasks[0].result as { state: string; latency?: { p50: number; min: number; mean: number; samplesCount: number }; error?: unknown };
  if (r.latency === undefined) throw new Error(`bench task '${name}' did not complete (state ${r.state}): ${String(r.error ?? '')}`);
  return { medianMs: r.latency.p50, minMs: r.latency.min, meanMs: r.latency.mean, samples: r.latency.samplesCount, loadBefore, loadAfter };
}

/** Median of a list (NaN for an empty one). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : 0.5 * (s[h - 1] + s[h]);
}
