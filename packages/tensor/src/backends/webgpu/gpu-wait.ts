/**
 * Waiting for the GPU without stealing a CPU core.
 *
 * dawn.node resolves its promises by re-queuing a tick with `setImmediate` for as long as any
 * promise (mapAsync, onSubmittedWorkDone, popErrorScope…) is pending: about one core busy-looping.
 * On lavapipe the "GPU" is the CPU's cores, so awaiting `mapAsync` right after a submit slows the
 * very work being awaited. The waiter therefore keeps an estimate of when the submitted work will
 * finish and sleeps (a plain `setTimeout`, no dawn promise pending) until shortly before, and only
 * then calls `mapAsync`.
 *
 * The estimate is a throughput in cost units per ms (kernels pass FLOPs or bytes as `cost`; each
 * dispatch adds a fixed overhead). It adapts: if the await after the sleep still had to wait, the
 * GPU was slower than thought and the measured span corrects the rate; if it resolved at once we
 * overslept, and the rate is raised a little to probe for a shorter sleep next time.
 */

/** How reads wait for the GPU. */
export type WaitStrategy = 'sleep-first' | 'immediate';

/** Options of a {@link GpuWaiter}. */
export interface WaitOptions {
  readonly strategy?: WaitStrategy;
  /** Sleep only this fraction of the estimated remaining time (default 0.85: undershoot, then await). */
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
  /** Total ms spent inside awaited dawn promises (the spinning part). */
  readonly awaitedMs: number;
  /** Current throughput estimate (cost units per ms). */
  readonly rate: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Tracks submitted work and waits for it economically (see module doc). */
export class GpuWaiter {
  readonly #strategy: WaitStrategy;
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
    this.#strategy = options.strategy ?? 'sleep-first';
    this.#fraction = options.fraction ?? 0.85;
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

  /**
   * Waits for `start()`'s promise (a `mapAsync` of a buffer written by submitted work), sleeping
   * first when the strategy says so.
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
    const result = await start();
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
        // Done before we woke: we overslept by an unknown amount; probe a faster rate.
        this.#rate *= 1.15;
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
