import { InfeasibleAssignmentError } from './infeasible-error.js';

/** Exact solution of a dense minimisation LAP in solver orientation (rows ≤ columns). */
export interface LapjvResult {
  /** `[n]` column assigned to each row. */
  readonly rowToCol: Int32Array;
  /** `[m]` row assigned to each column, −1 for the m − n unassigned columns. */
  readonly colToRow: Int32Array;
  /**
   * `[n]` row duals and `[m]` column duals: a certificate of optimality. For every finite entry
   * `u[i] + v[j] ≤ cost[i, j]` (up to rounding), with equality on assigned pairs, and `v[j] ≤ 0` with
   * equality on unassigned columns when n < m. By LP duality Σ u + Σ v = the optimal total.
   */
  readonly u: Float64Array;
  readonly v: Float64Array;
}

/** Options for {@link lapjv}. */
export interface LapjvOptions {
  /**
   * Warm-start column duals `[m]` (e.g. prices from an auction, negated). When given, the column
   * reduction is skipped; rows start unassigned and are matched by augmenting row reduction and shortest
   * augmenting paths from these duals. Must satisfy `v[j] ≤ 0` when n < m. Not modified.
   */
  readonly initialV?: Float64Array;
  /**
   * Upper bound on augmenting-row-reduction row scans, as a multiple of n (default 2). ARR is a
   * heuristic speed-up: whatever it leaves unassigned is finished by shortest augmenting paths, so the
   * cap only bounds the price-war worst case and never affects optimality.
   */
  readonly arrScanFactor?: number;
}

/**
 * Exact linear assignment, minimisation, `rows ≤ cols`: Jonker & Volgenant (1987) "A shortest augmenting
 * path algorithm for dense and sparse linear assignment problems" — column reduction (square only), two
 * passes of augmenting row reduction, then Dijkstra shortest augmenting paths
 * that scan all minimum-distance columns in a batch. The rectangular handling follows Crouse (2016) "On
 * implementing 2D rectangular assignment algorithms": column duals start at 0 and only ever decrease, so
 * the unassigned columns keep `v = 0` and the result is optimal for "every row assigned, each column at
 * most once".
 *
 * `+Infinity` entries are forbidden pairs. NaN and −∞ must be rejected by the caller.
 *
 * @param cost row-major `[n, m]` costs (not modified).
 * @param n rows; @param m columns, `n ≤ m`.
 * @throws InfeasibleAssignmentError when no assignment avoids the +∞ entries.
 * @see ALGORITHMS.md "Linear assignment".
 */
export function lapjv(cost: Float64Array, n: number, m: number, options: LapjvOptions = {}): LapjvResult {
  if (!Number.isInteger(n) || !Number.isInteger(m) || n < 0 || n > m) {
    throw new RangeError(`lapjv: need integers 0 ≤ n ≤ m, got n=${n}, m=${m} (transpose a tall matrix first)`);
  }
  if (cost.length !== n * m) {
    throw new RangeError(`lapjv: cost has ${cost.length} entries, expected n·m = ${n}·${m} = ${n * m}`);
  }
  const x = new Int32Array(n).fill(-1);
  const y = new Int32Array(m).fill(-1);
  const v = new Float64Array(m);
  const free = new Int32Array(n);
  let numFree: number;
  if (options.initialV !== undefined) {
    if (options.initialV.length !== m) {
      throw new RangeError(`lapjv: initialV has length ${options.initialV.length}, expected m = ${m}`);
    }
    v.set(options.initialV);
    for (let i = 0; i < n; i++) free[i] = i;
    numFree = n;
  } else if (n === m && n > 0) {
    numFree = columnReduction(cost, n, x, y, v, free);
  } else {
    for (let i = 0; i < n; i++) free[i] = i;
    numFree = n;
  }
  const scanBudget = { left: Math.max(0, Math.ceil((options.arrScanFactor ?? 2) * n)) };
  for (let pass = 0; pass < 2 && numFree > 0; pass++) {
    numFree = augmentingRowReduction(cost, m, x, y, v, free, numFree, scanBudget);
  }
  if (numFree > 0) augmentShortestPaths(cost, m, x, y, v, free, numFree);
  const u = new Float64Array(n);
  for (let i = 0; i < n; i++) u[i] = cost[i * m + x[i]] - v[x[i]];
  return { rowToCol: x, colToRow: y, u, v };
}

/**
 * JV column reduction (square only): `v[j] = min_i c[i, j]`, and each column's arg-min row is assigned
 * when that row is not yet taken by a column of smaller minimum.
 * @returns number of free rows written to `free`.
 */
function columnReduction(
  cost: Float64Array,
  n: number,
  x: Int32Array,
  y: Int32Array,
  v: Float64Array,
  free: Int32Array,
): number {
  // Column minima by a row-wise (sequential) scan; strict `<` keeps the first row on ties.
  const argMin = new Int32Array(n).fill(-1);
  v.fill(Infinity);
  for (let i = 0; i < n; i++) {
    const off = i * n;
    for (let j = 0; j < n; j++) {
      const c = cost[off + j];
      if (c < v[j]) {
        v[j] = c;
        argMin[j] = i;
      }
    }
  }
  const matches = new Int32Array(n);
  for (let j = n - 1; j >= 0; j--) {
    const iMin = argMin[j];
    if (iMin < 0) {
      throw new InfeasibleAssignmentError(`column ${j} has no finite entry`, -1, j);
    }
    if (++matches[iMin] === 1) {
      x[iMin] = j;
      y[j] = iMin;
    } else if (v[j] < v[x[iMin]]) {
      y[x[iMin]] = -1;
      x[iMin] = j;
      y[j] = iMin;
    }
  }
  // JV's "reduction transfer" (lowering each singly-matched column's dual to its row's second-best
  // value) is skipped: it costs another full pass and measured no gain on correlation or uniform
  // matrices (2× slower on strongly diagonal ones). Assigned rows are already tight: c − v ≥ 0 everywhere.
  let numFree = 0;
  for (let i = 0; i < n; i++) if (matches[i] === 0) free[numFree++] = i;
  return numFree;
}

/**
 * One pass of JV augmenting row reduction: each free row takes its best column at the reduced costs
 * `c − v`, lowering that column's dual to the second-best value (an auction bid with ε = 0); the evicted
 * owner is re-processed at once when the dual strictly dropped, else queued for the next pass. Keeps the
 * invariant "every assigned row sits on a minimum of its reduced costs". `sparse-row-reduction.ts` runs the
 * same rule on the candidate graph (a separate loop: the dense row scan stays monomorphic).
 * @returns number of free rows left in `free`.
 */
function augmentingRowReduction(
  cost: Float64Array,
  m: number,
  x: Int32Array,
  y: Int32Array,
  v: Float64Array,
  free: Int32Array,
  prevNumFree: number,
  budget: { left: number },
): number {
  let k = 0;
  let numFree = 0;
  while (k < prevNumFree) {
    if (budget.left <= 0) {
      // Out of budget: hand the untouched rows to the shortest-path phase (numFree ≤ k, so this is safe).
      while (k < prevNumFree) free[numFree++] = free[k++];
      break;
    }
    budget.left--;
    const i = free[k++];
    const off = i * m;
    let uMin = Infinity;
    let uSub = Infinity;
    let j1 = -1;
    let j2 = -1;
    for (let j = 0; j < m; j++) {
      const h = cost[off + j] - v[j];
      if (h < uSub) {
        if (h >= uMin) {
          uSub = h;
          j2 = j;
        } else {
          uSub = uMin;
          uMin = h;
          j2 = j1;
          j1 = j;
        }
      }
    }
    if (j1 < 0) throw new InfeasibleAssignmentError(`row ${i} has no finite entry`, i, -1);
    let i0 = y[j1];
    let requeueNow = false;
    if (uMin < uSub) {
      // Strictly best column: win it, bidding its dual down to the runner-up (unless there is none).
      if (uSub < Infinity) {
        v[j1] -= uSub - uMin;
        requeueNow = true;
      }
    } else if (i0 >= 0) {
      // Tie with an occupied best: take the equally good runner-up instead.
      j1 = j2;
      i0 = y[j2];
    }
    x[i] = j1;
    y[j1] = i;
    if (i0 >= 0) {
      x[i0] = -1;
      if (requeueNow) free[--k] = i0;
      else free[numFree++] = i0;
    }
  }
  return numFree;
}

/**
 * JV augmentation: for each free row a Dijkstra search over columns with distances `d[j]` (reduced costs
 * along alternating paths), scanning every column at the current minimum distance as a batch, stopping at
 * the first free column at minimum distance; then duals of the scanned columns are raised by the distance
 * difference and the path is flipped.
 */
function augmentShortestPaths(
  cost: Float64Array,
  m: number,
  x: Int32Array,
  y: Int32Array,
  v: Float64Array,
  free: Int32Array,
  numFree: number,
): void {
  const d = new Float64Array(m);
  const pred = new Int32Array(m);
  const colList = new Int32Array(m);
  for (let f = 0; f < numFree; f++) {
    const freeRow = free[f];
    const fOff = freeRow * m;
    for (let j = 0; j < m; j++) {
      d[j] = cost[fOff + j] - v[j];
      pred[j] = freeRow;
      colList[j] = j;
    }
    // colList: [0, low) scanned, [low, up) at distance `min` awaiting scan, [up, m) not yet reached.
    let low = 0;
    let up = 0;
    let last = 0;
    let min = 0;
    let endOfPath = -1;
    for (;;) {
      if (up === low) {
        last = low; // columns before `last` get their duals updated
        min = d[colList[up++]];
        for (let k = up; k < m; k++) {
          const j = colList[k];
          const h = d[j];
          if (h <= min) {
            if (h < min) {
              up = low;
              min = h;
            }
            colList[k] = colList[up];
            colList[up++] = j;
          }
        }
        if (min === Infinity) {
          throw new InfeasibleAssignmentError(
            `no augmenting path for row ${freeRow}: every remaining column is forbidden`,
            freeRow,
            -1,
          );
        }
        for (let k = low; k < up; k++) {
          if (y[colList[k]] < 0) {
            endOfPath = colList[k];
            break;
          }
        }
        if (endOfPath >= 0) break;
      }
      const j1 = colList[low++];
      const i = y[j1];
      const off = i * m;
      const h = cost[off + j1] - v[j1] - min;
      for (let k = up; k < m; k++) {
        const j = colList[k];
        const v2 = cost[off + j] - v[j] - h;
        if (v2 < d[j]) {
          pred[j] = i;
          if (v2 === min) {
            if (y[j] < 0) {
              endOfPath = j;
              break;
            }
            colList[k] = colList[up];
            colList[up++] = j;
          }
          d[j] = v2;
        }
      }
      if (endOfPath >= 0) break;
    }
    for (let k = 0; k < last; k++) {
      const j = colList[k];
      v[j] += d[j] - min;
    }
    // Flip the alternating path back to the free row.
    let j = endOfPath;
    for (;;) {
      const i = pred[j];
      y[j] = i;
      const next = x[i];
      x[i] = j;
      if (i === freeRow) break;
      j = next;
    }
  }
}
