import { prepareCost, type CostMatrixInput } from './cost-matrix.js';
import type { AssignmentResult } from './linear-sum-assignment.js';

/** Options for {@link auctionAssignment}. */
export interface AuctionOptions {
  /** Maximise the total instead of minimising it (default false). */
  readonly maximize?: boolean;
  /**
   * Final bid increment. The total is within `max(R, C)·epsilonFinal` of the optimum (rectangles are
   * padded to a square); with integer costs and `epsilonFinal < 1/max(R, C)` it is exactly optimal.
   * Default: `1e-9 · range / max(R, C)` where range bounds the magnitude of the entries.
   */
  readonly epsilonFinal?: number;
  /** Factor by which ε shrinks between scaling phases (default 5). */
  readonly scalingFactor?: number;
}

/** Auction result: an assignment plus its guarantee. */
export interface AuctionResult extends AssignmentResult {
  /** The ε of the last phase. */
  readonly epsilon: number;
  /** Upper bound on |optimum − total|: `max(R, C)·epsilon`. */
  readonly gapBound: number;
  /** Bids placed over all phases (a work measure). */
  readonly bids: number;
}

/**
 * Bertsekas' ε-scaling auction (Gauss–Seidel: one unassigned row bids at a time) on the CPU, in f64.
 * Each row bids for its best column j₁ at values `a_ij − p_j` (a = benefit: −cost when minimising),
 * raising `p_{j₁}` by `(v₁ − v₂) + ε`; the previous owner becomes unassigned. ε shrinks geometrically from
 * half the cost range to `epsilonFinal`, keeping prices between phases. Rectangular inputs are padded
 * with zero-benefit dummy rows to a square.
 *
 * This is the reference for the GPU auction (which bids for all rows in parallel, see ALGORITHMS.md
 * "Linear assignment") and for solver-agreement tests; {@link linearSumAssignment} is exact and faster on
 * the CPU, so use this only for what it guarantees: optimal within `gapBound`.
 *
 * @param cost `[R, C]` finite costs (same input forms as linearSumAssignment).
 * @throws RangeError for non-finite entries: forbidden pairs are not supported by the auction.
 */
export function auctionAssignment(cost: CostMatrixInput, options: AuctionOptions = {}): AuctionResult {
  const maximize = options.maximize ?? false;
  const p = prepareCost(cost, maximize); // minimisation form, rows ≤ cols
  const { n, m } = p;
  const k = n;
  if (k === 0) {
    return { rows: new Int32Array(0), cols: new Int32Array(0), total: 0, epsilon: 0, gapBound: 0, bids: 0 };
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (let t = 0; t < n * m; t++) {
    const c = p.cost[t];
    if (!Number.isFinite(c)) {
      const i = Math.floor(t / m);
      const j = t % m;
      const [r, q] = p.transposed ? [j, i] : [i, j];
      throw new RangeError(
        `auctionAssignment: cost entry (${r}, ${q}) is ${p.at(r, q)}; the auction needs finite costs`,
      );
    }
    if (c < lo) lo = c;
    if (c > hi) hi = c;
  }
  // Square benefit matrix: rows 0..n-1 are −cost, rows n..m-1 are zero-benefit dummies.
  const a = new Float64Array(m * m);
  for (let t = 0; t < n * m; t++) a[t] = -p.cost[t];
  const range = Math.max(hi - lo, Math.abs(hi), Math.abs(lo), Number.MIN_VALUE);
  const epsFinal = options.epsilonFinal ?? (1e-9 * range) / m;
  if (!(epsFinal > 0)) throw new RangeError(`auctionAssignment: epsilonFinal must be > 0, got ${epsFinal}`);
  const factor = options.scalingFactor ?? 5;
  if (!(factor > 1)) throw new RangeError(`auctionAssignment: scalingFactor must be > 1, got ${factor}`);

  const price = new Float64Array(m);
  const owner = new Int32Array(m);
  const assigned = new Int32Array(m);
  const queue = new Int32Array(m);
  let bids = 0;
  let eps = Math.max(range / 2, epsFinal);
  for (;;) {
    owner.fill(-1);
    assigned.fill(-1);
    for (let i = 0; i < m; i++) queue[i] = i;
    // Circular queue of unassigned rows; each bid unassigns at most one row, so m slots suffice.
    let head = 0;
    let size = m;
    while (size > 0) {
      const i = queue[head];
      head = head + 1 === m ? 0 : head + 1;
      size--;
      const off = i * m;
      let best = -Infinity;
      let second = -Infinity;
      let jb = 0;
      for (let j = 0; j < m; j++) {
        const val = a[off + j] - price[j];
        if (val > best) {
          second = best;
          best = val;
          jb = j;
        } else if (val > second) {
          second = val;
        }
      }
      // A single column has no competitor: bid just ε.
      price[jb] += (m > 1 ? best - second : 0) + eps;
      bids++;
      const prev = owner[jb];
      owner[jb] = i;
      assigned[i] = jb;
      if (prev >= 0) {
        assigned[prev] = -1;
        queue[(head + size) % m] = prev;
        size++;
      }
    }
    if (eps <= epsFinal) break;
    eps = Math.max(eps / factor, epsFinal);
  }
  // Report in the caller's orientation, rows ascending.
  const rows = new Int32Array(k);
  const cols = new Int32Array(k);
  if (!p.transposed) {
    for (let i = 0; i < k; i++) {
      rows[i] = i;
      cols[i] = assigned[i];
    }
  } else {
    const colOfRow = new Int32Array(p.rows).fill(-1);
    for (let j = 0; j < k; j++) colOfRow[assigned[j]] = j;
    let t = 0;
    for (let i = 0; i < p.rows; i++) {
      if (colOfRow[i] >= 0) {
        rows[t] = i;
        cols[t++] = colOfRow[i];
      }
    }
  }
  let total = 0;
  for (let t = 0; t < k; t++) total += p.at(rows[t], cols[t]);
  return { rows, cols, total, epsilon: eps, gapBound: m * eps, bids };
}
