/**
 * Bertsekas' auction with ε-scaling on the GPU, all unassigned rows bidding in parallel (Jacobi).
 *
 * **Decision (fixed point):** benefits are quantised to multiples of a quantum δ = ε_final and scaled
 * by (n + 1), `a″ = (n+1)·round(a/δ)` as i32, and the auction runs on a″ with integer ε down to 1.
 * Every bid and price is then an exact integer (f32 prices would lose the ε-complementary-slackness
 * guarantee to rounding once prices are ~10⁴ ulps above ε), bids are resolved exactly with `atomicMax`
 * on an order-preserving u32 encoding, and:
 * - on a″ the final ε = 1 < (n+1)/n makes the result exactly optimal for the quantised benefits;
 * - quantising moves each entry by ≤ δ/2, so the total is within n·δ = n·ε_final of the true optimum;
 * - integer costs with δ = 1 are not rounded at all: the result is exactly optimal.
 * Magnitudes are kept ≤ 2²⁸, and prices are shifted by their minimum between phases (bids depend on
 * price differences only), so prices stay within about 2·2²⁸ — far from i32 overflow. That bounds the
 * smallest ε_final (`(n+1)·range/2²⁸`); a smaller request throws.
 *
 * The host reads one u32 (the number of unassigned rows) after batches of 2, 4, 8 … `checkEvery`
 * rounds, never every round; rounds enqueued past convergence do nothing. When few rows are left
 * (or their number stalls — a price war, where each Jacobi round places about one effective bid),
 * the phase is finished by Gauss–Seidel bidding inside one workgroup (`auction-tail`), thousands of
 * bids per dispatch.
 *
 * @see ALGORITHMS.md "Linear assignment"; Bertsekas, "The auction algorithm" (1988).
 */
import { ValueError } from '../../errors.js';
import { isLavapipe } from '../../backends/webgpu/gpu-context.js';
import type { WebGpuBackend, WebGpuStorage } from '../../backends/webgpu/webgpu-backend.js';
import { AUCTION_U, LINE_WG, assignProgram, bidProgram, compactProgram, normalizeProgram, phaseProgram, resolveProgram, tailProgram } from './programs.js';

/** Options of {@link auctionAssignmentGpu}. */
export interface AuctionGpuOptions {
  /** Maximise the total instead of minimising it (default false). */
  readonly maximize?: boolean;
  /**
   * The total is within `n·epsFinal` of the optimum. Default: exact (δ = 1) for integer costs, else
   * `max(1e-6·range, minimum)`, the minimum being `(n+1)·range/2²⁸`.
   */
  readonly epsFinal?: number;
  /** Factor by which ε shrinks between phases (default 6). */
  readonly scalingFactor?: number;
  /**
   * Most rounds enqueued between reads of the convergence counter (default 16). Each phase starts
   * with 2 and doubles up to this: most phases converge within a few rounds, and rounds enqueued past
   * convergence still cost their dispatches.
   */
  readonly checkEvery?: number;
  /** Safety cap on Jacobi rounds over all phases (default 50·n + 10 000); exceeding it throws. */
  readonly maxRounds?: number;
  /**
   * When at most this many rows are unassigned, the phase finishes with Gauss–Seidel bidding in one
   * workgroup (default max(16, n/64)): the Jacobi tail is a chain of single evictions, one bid per round.
   */
  readonly tailRows?: number;
}

/** Result of {@link auctionAssignmentGpu}. */
export interface AuctionGpuResult {
  /** `cols[i]` = column of row i: a permutation of 0..n−1. */
  readonly cols: Int32Array;
  /** Σᵢ cost[i, cols[i]] in f64, in the input's sign. */
  readonly total: number;
  /** The quantum δ actually used (= epsFinal when given). */
  readonly epsilon: number;
  /** Bound on |optimum − total|: 0 when exact (integer costs with δ = 1/k), else n·δ. */
  readonly gapBound: number;
  /** Jacobi rounds enqueued, Gauss–Seidel tail dispatches, and ε phases run. */
  readonly rounds: number;
  readonly tailDispatches: number;
  readonly phases: number;
}

/** Bids per dispatch of the Gauss–Seidel tail (bounds one dispatch's run time). */
const TAIL_BIDS = 4096;

/** Largest |a″| entry: keeps prices (≲ 2·range) far from i32 overflow. */
const MAX_FIXED = 2 ** 28;

interface Prepared {
  readonly fixed: Int32Array;
  readonly range: number;
  readonly delta: number;
  readonly exact: boolean;
}

function prepare(cost: Float32Array | Float64Array, n: number, options: AuctionGpuOptions): Prepared {
  const sign = options.maximize ? 1 : -1;
  const a = new Float64Array(n * n);
  let range = 0;
  let integer = true;
  for (let i = 0; i < n; i++) {
    let mx = -Infinity;
    for (let j = 0; j < n; j++) {
      const c = cost[i * n + j];
      if (!Number.isFinite(c)) throw new ValueError('auctionAssignmentGpu', `cost entry (${i}, ${j}) is ${c}; the auction needs finite costs`);
      if (integer && !Number.isInteger(c)) integer = false;
      const v = sign * c;
      a[i * n + j] = v;
      if (v > mx) mx = v;
    }
    // Subtracting a row constant changes every assignment's total by the same amount.
    for (let j = 0; j < n; j++) {
      const v = a[i * n + j] - mx;
      a[i * n + j] = v;
      if (-v > range) range = -v;
    }
  }
  const minDelta = ((n + 1) * range) / MAX_FIXED;
  let delta: number;
  if (options.epsFinal !== undefined) {
    const e = options.epsFinal;
    if (!(e > 0) || !Number.isFinite(e)) throw new ValueError('auctionAssignmentGpu', `epsFinal is ${e}; expected a positive finite number`);
    // Integer costs: a quantum 1/k ≤ 1 loses nothing (exact); 1 is the cheapest such quantum.
    delta = integer && e < 1 ? 1 : e;
    if (delta < minDelta) {
      throw new ValueError(
        'auctionAssignmentGpu',
        `epsFinal ${e} is below what 32-bit fixed point resolves for n=${n} and cost range ${range}: at least ${minDelta} (= (n+1)·range/2^28)`,
      );
    }
  } else {
    delta = integer && minDelta <= 1 ? 1 : Math.max(minDelta, 1e-6 * range);
  }
  const exact = integer && delta === 1;
  const scale = n + 1;
  const fixed = new Int32Array(n * n);
  for (let t = 0; t < n * n; t++) fixed[t] = scale * Math.round(a[t] / delta);
  return { fixed, range, delta, exact };
}

/**
 * Solves the square assignment problem `cost` `[n, n]` (row-major) on `backend` with the auction
 * algorithm (see the module comment): a permutation whose total is within `n·ε_final` of the
 * optimum, exactly optimal for integer costs (by default, or with `epsFinal < 1`).
 * @throws ValueError for non-finite costs, a bad `epsFinal`, or `cost.length ≠ n²`.
 */
export async function auctionAssignmentGpu(
  backend: WebGpuBackend, cost: Float32Array | Float64Array, n: number, options: AuctionGpuOptions = {},
): Promise<AuctionGpuResult> {
  if (!Number.isInteger(n) || n < 0 || cost.length !== n * n) {
    throw new ValueError('auctionAssignmentGpu', `got ${cost.length} costs for n=${n}; expected n² = ${n * n}`);
  }
  const totalOf = (cols: Int32Array): number => {
    let s = 0;
    for (let i = 0; i < n; i++) s += cost[i * n + cols[i]];
    return s;
  };
  if (n <= 1) {
    const cols = new Int32Array(n);
    return { cols, total: totalOf(cols), epsilon: 0, gapBound: 0, rounds: 0, tailDispatches: 0, phases: 0 };
  }
  const prep = prepare(cost, n, options);
  if (prep.range === 0) {
    // Every assignment has the same total.
    const cols = Int32Array.from({ length: n }, (_, i) => i);
    return { cols, total: totalOf(cols), epsilon: prep.delta, gapBound: 0, rounds: 0, tailDispatches: 0, phases: 0 };
  }
  const factor = options.scalingFactor ?? 6;
  if (!(factor > 1)) throw new ValueError('auctionAssignmentGpu', `scalingFactor is ${factor}; expected > 1`);
  const checkEvery = Math.max(1, Math.floor(options.checkEvery ?? 16));
  const maxRounds = options.maxRounds ?? 50 * n + 10_000;
  const tailRows = options.tailRows ?? Math.max(16, Math.floor(n / 64));
  // Bidding workgroups loop over the unassigned rows: enough to fill the device, few enough that
  // idle ones (rows finish, the count shrinks) cost little. Lavapipe runs them on the CPU's cores.
  const maxGroups = isLavapipe(backend.context.adapterInfo) ? 32 : 4096;

  const gpu = backend;
  const op = 'auctionAssignmentGpu';
  const maxBinding = backend.context.limits.maxStorageBufferBindingSize;
  if (n * n * 4 > maxBinding) {
    throw new ValueError(op, `n=${n}: the ${n}×${n} benefit matrix needs ${n * n * 4} bytes in one storage binding; this device allows ${maxBinding} (n ≤ ${Math.floor(Math.sqrt(maxBinding / 4))})`);
  }
  const alloc = (size: number): WebGpuStorage => gpu.allocate('i32', size);
  const ben = gpu.upload(prep.fixed, 'i32');
  const price = alloc(n);
  const owner = alloc(n);
  const assign = alloc(n);
  const list = alloc(n);
  const bidCol = alloc(n);
  const bidVal = alloc(n);
  const best = alloc(n);
  const winner = alloc(n);
  const state = alloc(4);
  const all = [ben, price, owner, assign, list, bidCol, bidVal, best, winner, state];
  const b = (s: WebGpuStorage): GPUBufferBinding => gpu.binding(s, op);
  try {
    gpu.batcher.clear(price.buffer, 0, n * 4, 'auction prices');
    const lines = Math.ceil(n / LINE_WG);
    let eps = Math.max(1, Math.floor((prep.range * (n + 1)) / prep.delta / 8));
    let rounds = 0;
    let tails = 0;
    let phases = 0;
    for (;;) {
      phases++;
      const values = { n, eps, groups: 1 };
      if (phases > 1) gpu.dispatch({ program: normalizeProgram, storage: [b(price)], uniforms: { layout: AUCTION_U, values }, workgroups: 1, sizes: `[${n}]` });
      gpu.dispatch({ program: phaseProgram, storage: [b(state), b(best), b(winner), b(owner), b(assign), b(list)], uniforms: { layout: AUCTION_U, values }, workgroups: { linear: lines }, sizes: `[${n}] eps=${eps}` });
      // The unassigned count never grows within a phase (each win assigns one row and frees at most one).
      let upper = n;
      let batch = Math.min(2, checkEvery);
      for (;;) {
        const groups = Math.min(upper, maxGroups);
        const v = { n, eps, groups };
        for (let r = 0; r < batch; r++) {
          gpu.dispatch({ program: bidProgram, storage: [b(ben), b(price), b(list), b(state), b(bidCol), b(bidVal), b(best)], uniforms: { layout: AUCTION_U, values: v }, workgroups: groups, sizes: `[${n}]`, cost: upper * n });
          gpu.dispatch({ program: resolveProgram, storage: [b(list), b(bidCol), b(bidVal), b(state), b(best), b(winner)], uniforms: { layout: AUCTION_U, values: v }, workgroups: { linear: Math.ceil(upper / LINE_WG) }, cost: upper });
          gpu.dispatch({ program: assignProgram, storage: [b(state), b(best), b(winner), b(owner), b(assign), b(price)], uniforms: { layout: AUCTION_U, values: v }, workgroups: { linear: lines }, cost: n });
          gpu.dispatch({ program: compactProgram, storage: [b(assign), b(list), b(state)], uniforms: { layout: AUCTION_U, values: v }, workgroups: { linear: lines }, cost: n });
        }
        rounds += batch;
        const ran = batch;
        batch = Math.min(2 * batch, checkEvery);
        let left = new Uint32Array(await gpu.readBuffer(state.buffer, 0, 4))[0];
        if (left > upper) throw new Error(`${op}: internal error: ${left} unassigned rows after ${upper} (the count must not grow)`);
        // Tail: few rows left, or a stall (a price war among a shrinking group of rows: Jacobi rounds
        // then place about one effective bid each).
        const stalled = left <= n / 8 && 4 * left > 3 * upper && ran >= 8;
        if (left > 0 && (left <= tailRows || stalled)) {
          const tv = { n, eps, groups: TAIL_BIDS };
          while (left > 0) {
            gpu.dispatch({ program: tailProgram, storage: [b(ben), b(price), b(owner), b(assign), b(list), b(state)], uniforms: { layout: AUCTION_U, values: tv }, workgroups: 1, sizes: `[${n}] tail`, cost: TAIL_BIDS * n });
            tails++;
            left = new Uint32Array(await gpu.readBuffer(state.buffer, 0, 4))[0];
            if (tails > maxRounds) throw new Error(`${op}: no convergence after ${tails} tail dispatches (phase ε=${eps}, ${left} rows unassigned)`);
          }
        }
        if (left === 0) break;
        upper = left;
        if (rounds > maxRounds) {
          throw new Error(`${op}: no convergence after ${rounds} rounds (phase ε=${eps}, ${left} rows unassigned); raise maxRounds or epsFinal`);
        }
      }
      if (eps === 1) break;
      eps = Math.max(1, Math.floor(eps / factor));
    }
    const cols = (await gpu.read(assign)) as Int32Array;
    const seen = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const j = cols[i];
      if (!(j >= 0 && j < n) || seen[j]) throw new Error(`${op}: internal error: row ${i} got column ${j}; the result is not a permutation`);
      seen[j] = 1;
    }
    return { cols, total: totalOf(cols), epsilon: prep.delta, gapBound: prep.exact ? 0 : n * prep.delta, rounds, tailDispatches: tails, phases };
  } finally {
    for (const s of all) gpu.release(s);
  }
}
