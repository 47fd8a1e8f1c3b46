/**
 * Waiting for the GPU without stealing a CPU core.
 *
 * dawn.node resolves its promises by re-queuing a tick with the global `setImmediate` for as long
 * as any promise (mapAsync, onSubmittedWorkDone…) is pending: one core busy-looping (measured:
 * ~48,000 ticks in 1.9 s of waiting). On lavapipe the "GPU" is the CPU's cores, so that loop slows
 * the very work being awaited. Strategies:
 *
 * - `throttle` (default): while our own await is pending, `globalThis.setImmediate` is swapped for a
 *   `setTimeout(fn, pollMs)` wrapper, so dawn.node polls about once per ms instead of spinning
 *   (measured: ~550 ticks per second, main-thread CPU near zero, completion seen within ~1 ms).
 *   dawn.node looks the global up on every tick, which is what makes this work; if a future build
 *   caches it, this silently degrades to `immediate` (still correct). The swap is reference-counted
 *   across concurrent waits and undone when the last one settles; `clearImmediate` is wrapped to
 *   cancel the timeouts it hands out. Side effect: other code calling the *global* `setImmediate`
 *   during a GPU wait runs ≥ pollMs later (Node's internals use their own reference).
 * - `sleep-first`: estimate when the submitted work will finish (a throughput in cost units per ms:
 *   kernels pass FLOPs or bytes as `cost`, plus a fixed per-dispatch overhead), sleep a fraction of
 *   that with a plain `setTimeout` (no dawn promise pending), then await. Adapts from what it sees,
 *   but oversleeps whenever the machine's speed changes (e.g. other processes competing).
 * - `immediate`: await at once (spins a core; fastest only on real GPUs with spare CPU).
 */

/** How reads wait for the GPU. */
export type WaitStrategy = 'throttle' | 'sleep-first' | 'immediate';

type ImmediateFn = typeof globalThis.setImmediate;
type ClearImmediateFn = typeof globalThis.clearImmediate;

let throttleDepth = 0;
let savedSetImmediate: ImmediateFn | undefined;
let savedClearImmediate: ClearImmediateFn | undefined;
const throttledHandles = new WeakSet<object>();

function beginThrottle(pollMs: number): void {
  if (throttleDepth++ > 0) return;
  const realSet = globalThis.setImmediate;
  const realClear = globalThis.clearImmediate;
  savedSetImmediate = realSet;
  savedClearImmediate = realClear;
  const throttled = (fn: (...args: unknown[]) => void, ...args: unknown[]) => {
    const handle = setTimeout(fn, pollMs, ...args);
    throttledHandles.add(handle);
    return handle;
  };
  globalThis.setImmediate = Object.assign(throttled, { __promisify__: realSet.__promisify__ }) as unknown as ImmediateFn;
  globalThis.clearImmediate = ((h: unknown) => {
    // A Timeout passed to the real clearImmediate would corrupt Node's immediate queue.
    if (h && typeof h === 'object' && throttledHandles.has(h)) clearTimeout(h as NodeJS.Timeout);
    else realClear(h as NodeJS.Immediate);
  }) as ClearImmediateFn;
}

function endThrottle(): void {
  if (--throttleDepth > 0) return;
  if (savedSetImmediate) globalThis.setImmediate = savedSetImmediate;
  if (savedClearImmediate) globalThis.clearImmediate = savedClearImmediate;
  savedSetImmediate = undefined;
  savedClearImmediate = undefined;
}

/** Options of a {@link GpuWaiter}. */
export interface WaitOptions {
  /** Default `throttle`. */
  readonly strategy?: WaitStrategy;
  /** `throttle`: dawn.node's polling interval while waiting (default 1 ms). */
  readonly pollMs?: number;
  /** Sleep only this fraction of the estimated remaining time (default 0.9: undershoot, then await). */
  readonly fraction?: number;
  /** Never sleep longer than this at once (default 2000 ms). */
  readonly maxSleepMs?: number;
  /** Cost units charged per dispatch on top of its own cost (default 3e5 ≈ 35 µs at 10 GFLOP/s). */
  readonly dispatchOverhead?: number;
  /** Initial throughput guess in cost units per ms (default 1e7 = 10 GFLOP/s). */
  readonly initialRate?: number;
}

/** Counters of the waiter (for benchmarks and tuning). */
export interface WaitStats {
  readonly waits: number;
  /** Total ms slept before awaiting. */
  readonly sleptMs: number;
  /** Total ms spent inside awaited dawn promises (spinning unless throttled). */
  readonly awaitedMs: number;
  /** Current throughput estimate (cost units per ms). */
  readonly rate: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Tracks submitted work and waits for it economically (see module doc). */
export class GpuWaiter {
  readonly #strategy: WaitStrategy;
  readonly #pollMs: number;
  readonly #fraction: number;
  readonly #maxSleep: number;
  readonly #overhead: number;
  #rate: number;
  /** Estimated time (performance.now) at which all submitted work is done. */
  #busyUntil = 0;
  /** When the current busy span began (first submit after the GPU was last seen idle). */
  #spanStart = -1;
  /** Cost units submitted since #spanStart. */
  #spanUnits = 0;
  #waits = 0;
  #slept = 0;
  #awaited = 0;

  constructor(options: WaitOptions = {}) {
    this.#strategy = options.strategy ?? 'throttle';
    this.#pollMs = options.pollMs ?? 1;
    this.#fraction = options.fraction ?? 0.9;
    this.#maxSleep = options.maxSleepMs ?? 2000;
    this.#overhead = options.dispatchOverhead ?? 3e5;
    this.#rate = options.initialRate ?? 1e7;
  }

  /** Records a submit of `dispatches` dispatches with total `cost` units. */
  onSubmit(cost: number, dispatches: number): void {
    const now = performance.now();
    const units = cost + dispatches * this.#overhead;
    if (this.#spanStart < 0 || now >= this.#busyUntil + 50) {
      // Probably idle before this submit: a new span starts now.
      this.#spanStart = now;
      this.#spanUnits = 0;
      this.#busyUntil = now;
    }
    this.#spanUnits += units;
    this.#busyUntil = Math.max(this.#busyUntil, now) + units / this.#rate;
  }

  /** The strategy in use. */
  get strategy(): WaitStrategy {
    return this.#strategy;
  }

  /**
   * Waits for `start()`'s promise (a `mapAsync` of a buffer written by submitted work, or
   * `onSubmittedWorkDone`) according to the strategy.
   */
  async wait<T>(start: () => Promise<T>): Promise<T> {
    this.#waits++;
    if (this.#strategy === 'sleep-first') {
      const remaining = (this.#busyUntil - performance.now()) * this.#fraction;
      if (remaining >= 1) {
        const ms = Math.min(remaining, this.#maxSleep);
        await sleep(ms);
        this.#slept += ms;
      }
    }
    const t0 = performance.now();
    let result: T;
    if (this.#strategy === 'throttle') {
      beginThrottle(this.#pollMs);
      try {
        result = await start();
      } finally {
        endThrottle();
      }
    } else {
      result = await start();
    }
    const t1 = performance.now();
    this.#awaited += t1 - t0;
    this.#learn(t1, t1 - t0);
    return result;
  }

  #learn(done: number, awaited: number): void {
    if (this.#spanStart >= 0 && this.#spanUnits > 0) {
      const span = done - this.#spanStart;
      if (awaited > 0.5 && span > 0) {
        // The GPU was still busy when we woke: the span is a fair measure of its speed.
        const measured = this.#spanUnits / span;
        this.#rate = 0.5 * this.#rate + 0.5 * measured;
      } else {
        // Done before we woke: we overslept by an unknown amount; probe a faster rate quickly.
        this.#rate *= 2;
      }
    }
    // Everything submitted so far is complete.
    this.#spanStart = -1;
    this.#spanUnits = 0;
    this.#busyUntil = done;
  }

  /** Counters so far. */
  stats(): WaitStats {
    return { waits: this.#waits, sleptMs: this.#slept, awaitedMs: this.#awaited, rate: this.#rate };
  }
}
