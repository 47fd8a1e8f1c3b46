import { addEdges, scanCandidates, type CandidateGraph } from './candidates.js';
import { certifyRows, EdgeBuffer } from './certify.js';
import { InfeasibleAssignmentError } from './infeasible-error.js';
import { lapjv, type LapjvResult } from './lapjv.js';
import { augmentSparse, SparseWorkspace, type AssignmentState } from './sparse-augment.js';
import { reduceRowsSparse } from './sparse-row-reduction.js';

/** Options for {@link solveSquareCandidates}. */
export interface SparseExactOptions {
  /** Candidates kept per row (default 16). */
  readonly k?: number;
  /** Certification rounds before falling back to the dense solver (default 16). */
  readonly maxRounds?: number;
  /** Smallest non-candidate entries a certification rescan adds to its row's candidates (default 8). */
  readonly rescanKeep?: number;
  /** Augmenting-row-reduction steps allowed, as a multiple of n (default 16; 0 disables it). */
  readonly arrBudget?: number;
  /** Receives counters for benchmarks and tests. */
  readonly stats?: SparseExactStats;
}

/** Counters filled by {@link solveSquareCandidates}. */
export interface SparseExactStats {
  rounds: number;
  rowsRescanned: number;
  edgesAdded: number;
  denseFallback: boolean;
  nnz: number;
  /** Milliseconds in the candidate scan, the sparse augmentations and the certification rescans. */
  scanMs: number;
  arrMs: number;
  augmentMs: number;
  certifyMs: number;
}

/**
 * Exact square minimisation LAP by "solve sparse, certify dense":
 *
 * 1. One pass over the matrix keeps each row's k cheapest entries plus each column's cheapest (and
 *    validates every entry).
 * 2. JV column reduction from the column minima, shifted so every dual is ≤ 0, then shortest augmenting
 *    paths (Dijkstra, binary heap) restricted to those candidate edges.
 * 3. Certificate: the assignment is optimal for the full matrix iff every row's assigned reduced cost
 *    `u_i = c[i, x_i] − v[x_i]` is ≤ `c[i, j] − v[j]` for every j (LP duality). Duals only decrease during
 *    the solve and v ≤ 0, so a row whose stored lower bound `s_i` on its non-candidate reduced costs is
 *    ≥ u_i is certified without touching the matrix (s_i starts as the row's k-th smallest cost). Only
 *    the other rows are rescanned; a rescan either refreshes s_i or finds violating entries, which are
 *    added to the graph, and their rows are freed and re-augmented from the current duals. Repeat.
 * 4. If the candidate graph has no perfect matching (or rounds run out), finish with dense {@link lapjv}
 *    warm-started from the current duals.
 *
 * The result therefore carries the same optimality certificate as dense JV (to floating rounding).
 *
 * @param src row-major `[n, n]` input (any numeric array; not modified, not copied unless the dense
 *   fallback runs); minimisation costs are `sign·src`.
 * @throws RangeError naming (i, j) for NaN / optimum-unbounding infinities; InfeasibleAssignmentError.
 */
export function solveSquareCandidates(
  src: ArrayLike<number>,
  n: number,
  sign: number,
  maximize: boolean,
  options: SparseExactOptions = {},
): LapjvResult {
  const k = Math.max(1, Math.min(n, options.k ?? 16));
  const maxRounds = options.maxRounds ?? 16;
  const stats = options.stats;
  let t0 = performance.now();
  const scan = scanCandidates(src, n, n, sign, maximize, k);
  let g: CandidateGraph = scan.graph;
  const lower = scan.bound; // s_i, refreshed by rescans
  if (stats) {
    stats.nnz = g.col.length;
    stats.scanMs += performance.now() - t0;
  }

  const st: AssignmentState = {
    x: new Int32Array(n).fill(-1),
    y: new Int32Array(n).fill(-1),
    v: new Float64Array(n),
    rowCost: new Float64Array(n),
  };
  const free = new Int32Array(n);
  let numFree = columnReductionFromMinima(scan.colMin, scan.colArg, st, free);
  t0 = performance.now();
  let budget = (options.arrBudget ?? 16) * n;
  for (let pass = 0; pass < 2 && numFree > 0; pass++) {
    const before = numFree;
    numFree = reduceRowsSparse(g, st, free, numFree, budget);
    budget -= before; // approximate; reduceRowsSparse never exceeds what it is given
  }
  if (stats) stats.arrMs += performance.now() - t0;
  const ws = new SparseWorkspace(n, 4 * g.col.length + n);

  const stamp = new Int32Array(n).fill(-1);
  const edges = new EdgeBuffer();
  const extra = Math.max(0, Math.min(n, options.rescanKeep ?? 8));
  const onRescan = stats
    ? () => {
        stats.rowsRescanned++;
      }
    : undefined;
  for (let round = 0; ; round++) {
    if (stats) stats.rounds = round + 1;
    t0 = performance.now();
    const stuck = round >= maxRounds ? 0 : augmentSparse(g, st, free, numFree, ws);
    if (stats) stats.augmentMs += performance.now() - t0;
    if (stuck >= 0) {
      if (stats) stats.denseFallback = true;
      return denseFallback(src, n, sign, st.v);
    }
    t0 = performance.now();
    // Certify every row; rescan only those whose bound does not already prove it.
    edges.count = 0;
    numFree = certifyRows(src, n, sign, g, st, lower, free, stamp, extra, edges, onRescan);
    if (stats) stats.certifyMs += performance.now() - t0;
    if (numFree === 0) break;
    if (stats) stats.edgesAdded += edges.count;
    g = addEdges(g, n, edges.row, edges.col, edges.val, edges.count);
    if (ws.heapKey.length < 4 * g.col.length + n) {
      ws.heapKey = new Float64Array(4 * g.col.length + n);
      ws.heapVal = new Int32Array(4 * g.col.length + n);
    }
  }
  const u = new Float64Array(n);
  for (let i = 0; i < n; i++) u[i] = st.rowCost[i] - st.v[st.x[i]];
  return { rowToCol: st.x, colToRow: st.y, u, v: st.v };
}

/**
 * JV column reduction on precomputed column minima: `v[j] = colMin[j] − max colMin` (a uniform shift,
 * so all duals are ≤ 0 and every reduced cost is ≥ −max colMin with equality at each column's arg-min),
 * and each column's arg-min row is assigned unless that row already holds a column with smaller minimum.
 * @returns number of free rows written to `free`.
 */
function columnReductionFromMinima(
  colMin: Float64Array,
  colArg: Int32Array,
  st: AssignmentState,
  free: Int32Array,
): number {
  const n = colMin.length;
  let shift = -Infinity;
  for (let j = 0; j < n; j++) {
    if (colArg[j] < 0) throw new InfeasibleAssignmentError(`column ${j} has no finite entry`, -1, j);
    if (colMin[j] > shift) shift = colMin[j];
  }
  const { x, y, v, rowCost } = st;
  for (let j = n - 1; j >= 0; j--) {
    v[j] = colMin[j] - shift;
    const i = colArg[j];
    if (x[i] < 0) {
      x[i] = j;
      y[j] = i;
      rowCost[i] = colMin[j];
    } else if (colMin[j] < colMin[x[i]]) {
      y[x[i]] = -1;
      x[i] = j;
      y[j] = i;
      rowCost[i] = colMin[j];
    }
  }
  let numFree = 0;
  for (let i = 0; i < n; i++) if (x[i] < 0) free[numFree++] = i;
  return numFree;
}

function denseFallback(src: ArrayLike<number>, n: number, sign: number, v: Float64Array): LapjvResult {
  const cost = new Float64Array(n * n);
  for (let t = 0; t < n * n; t++) cost[t] = sign * src[t];
  return lapjv(cost, n, n, { initialV: v });
}
