import { addEdges, buildGraph, scanColumns, scanRows, type CandidateGraph } from './candidates.js';
import { EdgeBuffer, EntryBounds, RowScanner } from './certify.js';
import { InfeasibleAssignmentError } from './infeasible-error.js';
import { lapjv, type LapjvResult } from './lapjv.js';
import { augmentSparse, SparseWorkspace, type AssignmentState } from './sparse-augment.js';
import { reduceRowsSparse } from './sparse-row-reduction.js';

/** Options for {@link solveSquareCandidates}. */
export interface SparseExactOptions {
  /** Candidates kept per row (default 16). */
  readonly k?: number;
  /** Candidates kept per column (default 4; at least 1, which supplies the column reduction). */
  readonly kc?: number;
  /**
   * Whether to read every row's k best entries in a second pass (`'always'`), only the rows left free by
   * the column reduction (`'never'`), or the former when more than n/16 rows are free (`'auto'`,
   * default: a strongly diagonal matrix then costs a single pass).
   */
  readonly rowPass?: 'auto' | 'always' | 'never';
  /**
   * Certification rounds before falling back to the dense solver (default 16). Independently, more than
   * 3n dense row reads in repairs also triggers the fallback, so the worst case stays bounded.
   */
  readonly maxRounds?: number;
  /** Smallest non-candidate entries a certification rescan adds to its row's candidates (default 8, min 1). */
  readonly rescanKeep?: number;
  /** Augmenting-row-reduction steps allowed, as a multiple of n (default 32; 0 disables it). */
  readonly arrBudget?: number;
  /** Receives counters for benchmarks and tests. */
  readonly stats?: SparseExactStats;
}

/** Counters filled by {@link solveSquareCandidates}. */
export interface SparseExactStats {
  /** Certification passes over the rows (the last one found no violation). */
  rounds: number;
  /** Searches that hit a Hall violation of the candidate graph and widened the rows they reached. */
  expansions: number;
  /** Dense rows read after the initial scan. */
  rowsRescanned: number;
  edgesAdded: number;
  denseFallback: boolean;
  nnz: number;
  /** Whether the second pass over all rows ran. */
  fullRowPass: boolean;
  /** Milliseconds in the candidate scan, the sparse augmentations and the certification rescans. */
  scanMs: number;
  arrMs: number;
  augmentMs: number;
  certifyMs: number;
}

/**
 * Exact square minimisation LAP by "solve sparse, certify dense" — the fast path of
 * {@link linearSumAssignment} for large squares:
 *
 * 1. One pass over the matrix validates every entry and keeps each column's kc cheapest entries; JV
 *    column reduction on those minima (duals shifted so every v ≤ 0) leaves every assigned row tight
 *    against the whole matrix. If more than n/16 rows are left free, a second pass keeps each row's k
 *    cheapest entries; otherwise only the free rows are read. These entries form the candidate graph.
 * 2. Augmenting row reduction and shortest augmenting paths (Dijkstra, binary heap) on that graph.
 * 3. Certificate: the assignment is optimal for the full matrix iff every row's assigned reduced cost
 *    `u_i = c[i, x_i] − v[x_i]` is ≤ `c[i, j] − v[j]` for every j (LP duality). Duals only decrease, so
 *    lower bounds on the reduced costs of non-candidate entries stay valid: from the first-pass lists
 *    ({@link EntryBounds}) and from earlier rescans. A row whose bound is ≥ u_i is certified without
 *    touching the matrix; the others are rescanned, gain their best non-candidate entries as edges and,
 *    if one beats u_i, are freed and re-augmented from the current duals. Repeat until all certify.
 * 4. A search that finds no augmenting path inside the graph has reached a set of rows whose candidate
 *    columns are all taken inside the set (a Hall violation); those rows are rescanned and gain
 *    candidates, or, if none has a finite non-candidate entry left, the matrix is proven infeasible.
 * 5. If repairs exceed their budget (rounds, or 3n dense row reads), finish with dense {@link lapjv}
 *    warm-started from the current duals, so the worst case stays that of JV.
 *
 * The result therefore carries the same optimality certificate as dense JV (to floating rounding). On
 * correlation matrices of the real workload this reads the matrix 1–2.5 times in all.
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
  const kc = Math.max(1, Math.min(n, options.kc ?? 4));
  const maxRounds = options.maxRounds ?? 16;
  const stats = options.stats;
  let t0 = performance.now();
  const cols = scanColumns(src, n, n, sign, maximize, kc);
  const st: AssignmentState = {
    x: new Int32Array(n).fill(-1),
    y: new Int32Array(n).fill(-1),
    v: new Float64Array(n),
    rowCost: new Float64Array(n),
  };
  const free = new Int32Array(n);
  let numFree = columnReductionFromMinima(cols.min, cols.argMin, st, free);
  // Few free rows (a strong diagonal): their own rows are read on demand. Many: read every row's k best.
  const rowPass = options.rowPass ?? 'auto';
  const fullRowPass = rowPass === 'always' || (rowPass === 'auto' && numFree > n / 16);
  const rows = fullRowPass ? scanRows(src, n, n, sign, k) : null;
  let g: CandidateGraph = buildGraph(n, n, cols, rows);
  // Reduced-cost lower bounds refreshed by rescans (the first-pass bounds live in EntryBounds).
  const lower = new Float64Array(n).fill(-Infinity);
  const keep = Math.max(1, Math.min(n, options.rescanKeep ?? 8)); // ≥ 1: a rescan must expose violations
  const expandKeep = Math.max(4, k, 2 * keep);
  const scanner = new RowScanner(src, n, sign, st, lower, Math.max(keep, expandKeep));
  const edges = new EdgeBuffer();
  if (rows === null && numFree > 0) {
    for (let f = 0; f < numFree; f++) scanner.rescan(free[f], g, k, edges);
    g = addEdges(g, n, edges.row, edges.col, edges.val, edges.count);
  }
  if (stats) {
    stats.fullRowPass = fullRowPass;
    stats.nnz = g.col.length;
    stats.scanMs += performance.now() - t0;
  }
  t0 = performance.now();
  const arrBudget = { left: (options.arrBudget ?? 32) * n };
  for (let pass = 0; pass < 2 && numFree > 0; pass++) {
    numFree = reduceRowsSparse(g, st, free, numFree, arrBudget);
  }
  if (stats) stats.arrMs += performance.now() - t0;

  const ws = new SparseWorkspace(n, 4 * g.col.length + n);
  const rescanBudget = scanner.rescans + 3 * n; // dense rows we are willing to read in repairs
  let rounds = 0;
  for (;;) {
    if (rounds >= maxRounds || scanner.rescans > rescanBudget) return fallback(stats, src, n, sign, st.v);
    t0 = performance.now();
    const stuck = augmentSparse(g, st, free, numFree, ws);
    if (stats) stats.augmentMs += performance.now() - t0;
    t0 = performance.now();
    edges.count = 0;
    if (stuck >= 0) {
      // Hall violation inside the graph: widen the reached rows, then resume with every unmatched row.
      if (stats) stats.expansions++;
      let rest = 0;
      for (let f = stuck; f < numFree; f++) free[rest++] = free[f];
      numFree = scanner.expand(ws.stuckRows, ws.stuckCount, g, expandKeep, free, rest, edges);
      if (numFree < 0) {
        throw new InfeasibleAssignmentError(
          `no augmenting path for row ${ws.stuckRows[0]}: too few non-forbidden entries`,
          ws.stuckRows[0],
          -1,
        );
      }
    } else {
      // Certify every row; rescan only those whose bounds do not already prove it.
      rounds++;
      if (stats) stats.rounds = rounds;
      numFree = scanner.certify(g, keep, free, edges, new EntryBounds(cols.bound, st.v, rows?.bound ?? null));
      if (numFree === 0) {
        if (stats) finish(stats, scanner, t0);
        break;
      }
    }
    if (stats) finish(stats, scanner, t0, edges.count);
    g = addEdges(g, n, edges.row, edges.col, edges.val, edges.count);
  }
  const u = new Float64Array(n);
  for (let i = 0; i < n; i++) u[i] = st.rowCost[i] - st.v[st.x[i]];
  return { rowToCol: st.x, colToRow: st.y, u, v: st.v };
}

function finish(stats: SparseExactStats, scanner: RowScanner, t0: number, added = 0): void {
  stats.certifyMs += performance.now() - t0;
  stats.rowsRescanned = scanner.rescans;
  stats.edgesAdded += added;
}

function fallback(
  stats: SparseExactStats | undefined,
  src: ArrayLike<number>,
  n: number,
  sign: number,
  v: Float64Array,
): LapjvResult {
  if (stats) stats.denseFallback = true;
  return denseFallback(src, n, sign, v);
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
