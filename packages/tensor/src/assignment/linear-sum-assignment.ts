import { prepareCost, resolveCost, type CostMatrixInput } from './cost-matrix.js';
import { InfeasibleAssignmentError } from './infeasible-error.js';
import { lapjv } from './lapjv.js';
import { solveSquareCandidates } from './sparse-exact.js';

/**
 * Square sizes from which the candidate-graph solver is used (below it dense JV is as fast and simpler).
 * Both are exact; the choice only affects speed.
 */
const SPARSE_MIN_N = 256;

/** Options for {@link linearSumAssignment}. */
export interface LinearSumAssignmentOptions {
  /** Maximise the total instead of minimising it (default false). */
  readonly maximize?: boolean;
}

/** An optimal assignment: pairs `(rows[k], cols[k])`, `rows` strictly ascending. */
export interface AssignmentResult {
  /** `[min(R, C)]` row indices, ascending. */
  readonly rows: Int32Array;
  /** `[min(R, C)]` column assigned to `rows[k]`. */
  readonly cols: Int32Array;
  /** Σ_k cost[rows[k], cols[k]] in the input's sign (a maximum when `maximize`). */
  readonly total: number;
}

/**
 * Exactly optimal linear sum assignment with the semantics of scipy's `linear_sum_assignment`: for an
 * `[R, C]` cost matrix, choose `min(R, C)` pairs, no row or column twice, minimising (or maximising) the
 * summed cost. Rows come back sorted ascending, as scipy returns them.
 *
 * Entries: NaN is an error; an infinity in the optimising direction (−∞ minimising, +∞ maximising) is an
 * error; an infinity the other way forbids that pair. Every error names the offending entry or row.
 *
 * Algorithm: shortest augmenting paths (Jonker–Volgenant with column reduction and augmenting row
 * reduction; Crouse 2016 for rectangles) in f64 — see {@link lapjv}.
 *
 * @param cost `[R, C]` as `number[][]`, `{data, rows, cols}` (row-major) or a 2-D tensor.
 * @throws RangeError/TypeError for malformed input, Error when no assignment avoids forbidden entries.
 * @see ALGORITHMS.md "Linear assignment".
 */
export function linearSumAssignment(
  cost: CostMatrixInput,
  options: LinearSumAssignmentOptions = {},
): AssignmentResult {
  const maximize = options.maximize ?? false;
  const sign = maximize ? -1 : 1;
  // Large square typed input: solve straight from the caller's buffer (validated during the scan).
  const resolved = resolveCost(cost);
  const data = resolved.squareTyped();
  if (data !== null && resolved.rows >= SPARSE_MIN_N) {
    const n = resolved.rows;
    const x = solveOrExplain(() => solveSquareCandidates(data, n, sign, maximize).rowToCol, false, n, n);
    return collect(x, false, n, n, (i, j) => data[i * n + j]);
  }
  const p = prepareCost(resolved, maximize);
  if (p.n === 0) return { rows: new Int32Array(0), cols: new Int32Array(0), total: 0 };
  const x = solveOrExplain(
    () =>
      p.n === p.m && p.n >= SPARSE_MIN_N
        ? solveSquareCandidates(p.cost, p.n, 1, false).rowToCol
        : lapjv(p.cost, p.n, p.m).rowToCol,
    p.transposed,
    p.rows,
    p.cols,
  );
  return collect(x, p.transposed, p.rows, p.cols, p.at);
}

function solveOrExplain(solve: () => Int32Array, transposed: boolean, rows: number, cols: number): Int32Array {
  try {
    return solve();
  } catch (e) {
    if (e instanceof InfeasibleAssignmentError) throw infeasible(e, transposed, rows, cols);
    throw e;
  }
}

/** Turns solver row→column (solver orientation) into scipy-style ascending row/column lists. */
function collect(
  solverRowToCol: Int32Array,
  transposed: boolean,
  nRows: number,
  nCols: number,
  at: (i: number, j: number) => number,
): AssignmentResult {
  const k = Math.min(nRows, nCols);
  const rows = new Int32Array(k);
  const cols = new Int32Array(k);
  if (!transposed) {
    for (let i = 0; i < k; i++) {
      rows[i] = i;
      cols[i] = solverRowToCol[i];
    }
  } else {
    // Solver rows are input columns: invert to (input row → input column), then list rows ascending.
    const colOfRow = new Int32Array(nRows).fill(-1);
    for (let j = 0; j < k; j++) colOfRow[solverRowToCol[j]] = j;
    let t = 0;
    for (let i = 0; i < nRows; i++) {
      if (colOfRow[i] >= 0) {
        rows[t] = i;
        cols[t++] = colOfRow[i];
      }
    }
  }
  let total = 0;
  for (let t = 0; t < k; t++) total += at(rows[t], cols[t]);
  return { rows, cols, total };
}

function infeasible(e: InfeasibleAssignmentError, transposed: boolean, rows: number, cols: number): Error {
  const forbid = 'forbidden (infinite) entries';
  const line =
    e.col >= 0
      ? `${transposed ? 'row' : 'column'} ${e.col} has only ${forbid}`
      : `${transposed ? 'column' : 'row'} ${e.row} cannot be matched`;
  return new Error(
    `linearSumAssignment: cost matrix [${rows}, ${cols}] is infeasible: no assignment of ` +
      `${Math.min(rows, cols)} pairs avoids the ${forbid} (${line})`,
    { cause: e },
  );
}
