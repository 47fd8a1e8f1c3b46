import { invalidEntry } from './cost-matrix.js';

/**
 * Sparse candidate graph in CSR form: row i's candidate columns are `col[rowPtr[i] .. rowPtr[i+1])` with
 * minimisation costs `val` (the input times `sign`).
 */
export interface CandidateGraph {
  readonly rowPtr: Int32Array;
  readonly col: Int32Array;
  readonly val: Float64Array;
}

/** Each column's `kc` smallest minimisation costs, from {@link scanColumns}. */
export interface ColumnScan {
  readonly kc: number;
  /** `[m, kc]` sorted values and their rows; `count[j]` of them are valid. */
  readonly val: Float64Array;
  readonly row: Int32Array;
  readonly count: Int32Array;
  /**
   * `[m]` lower bound on every non-listed entry of the column: its kc-th smallest value, or +∞ when
   * the column has at most kc finite entries (then all of them are listed).
   */
  readonly bound: Float64Array;
  /** `[m]` column minima and their first arg-min row (−1 for an all-+∞ column). */
  readonly min: Float64Array;
  readonly argMin: Int32Array;
}

/** Each row's `k` smallest minimisation costs, from {@link scanRows}. */
export interface RowScan {
  readonly k: number;
  /** `[n, k]` sorted values and their columns; `count[i]` of them are valid. */
  readonly val: Float64Array;
  readonly col: Int32Array;
  readonly count: Int32Array;
  /** `[n]` lower bound on every non-listed entry of the row (k-th smallest, or +∞ if all are listed). */
  readonly bound: Float64Array;
}

/**
 * First pass over a row-major `[n, m]` matrix: validates every entry (NaN, or an infinity in the
 * optimising direction, throws naming (i, j)) and keeps each column's `kc` smallest minimisation costs
 * `sign·src[i, j]`. The hot loop is a load, a multiply and one compare per entry (`!(c ≥ thr)` is also
 * true for NaN, and −∞ is below every threshold, so invalid entries take the rare path too), unrolled by
 * four; after the first rows an entry enters its column list with probability ≈ kc/i, so the pass runs
 * near memory speed.
 */
export function scanColumns(
  src: ArrayLike<number>,
  n: number,
  m: number,
  sign: number,
  maximize: boolean,
  kc: number,
): ColumnScan {
  const lists: ColumnLists = {
    kc,
    val: new Float64Array(m * kc),
    row: new Int32Array(m * kc),
    count: new Int32Array(m),
    thr: new Float64Array(m).fill(Infinity),
  };
  const thr = lists.thr;
  for (let i = 0; i < n; i++) {
    const off = i * m;
    let j = 0;
    for (; j + 3 < m; j += 4) {
      const c0 = sign * src[off + j];
      const c1 = sign * src[off + j + 1];
      const c2 = sign * src[off + j + 2];
      const c3 = sign * src[off + j + 3];
      if (!(c0 >= thr[j])) admitColumn(lists, c0, i, j, src, off, maximize);
      if (!(c1 >= thr[j + 1])) admitColumn(lists, c1, i, j + 1, src, off, maximize);
      if (!(c2 >= thr[j + 2])) admitColumn(lists, c2, i, j + 2, src, off, maximize);
      if (!(c3 >= thr[j + 3])) admitColumn(lists, c3, i, j + 3, src, off, maximize);
    }
    for (; j < m; j++) {
      const c = sign * src[off + j];
      if (!(c >= thr[j])) admitColumn(lists, c, i, j, src, off, maximize);
    }
  }
  const { val, row, count } = lists;
  const min = new Float64Array(m).fill(Infinity);
  const argMin = new Int32Array(m).fill(-1);
  const bound = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    if (count[j] > 0) {
      min[j] = val[j * kc];
      argMin[j] = row[j * kc];
    }
    bound[j] = count[j] === kc && kc < n ? val[j * kc + kc - 1] : Infinity;
  }
  return { kc, val, row, count, bound, min, argMin };
}

interface ColumnLists {
  readonly kc: number;
  readonly val: Float64Array;
  readonly row: Int32Array;
  readonly count: Int32Array;
  readonly thr: Float64Array;
}

/** Rare path of {@link scanColumns}: validate, then insert into column j's sorted list. */
function admitColumn(
  l: ColumnLists,
  c: number,
  i: number,
  j: number,
  src: ArrayLike<number>,
  off: number,
  maximize: boolean,
): void {
  if (c !== c || c === -Infinity) throw invalidEntry(src[off + j], i, j, maximize);
  // Rows arrive in order, so among equal values the earliest row stays first (JV's tie rule). The
  // threshold stays +∞ until the list is full.
  l.thr[j] = insertBounded(l.val, l.row, l.count, j, l.kc, c, i);
}

/**
 * Second (optional) pass: each row's `k` smallest minimisation costs. Entries were validated by
 * {@link scanColumns}. Row i starts at column i (mod m): among tied entries it then keeps a diagonal band
 * rather than the same first columns in every row, so constant or integer matrices still yield a graph
 * with a perfect matching.
 */
export function scanRows(src: ArrayLike<number>, n: number, m: number, sign: number, k: number): RowScan {
  const val = new Float64Array(n * k);
  const col = new Int32Array(n * k);
  const count = new Int32Array(n);
  const bound = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const start = i % m;
    // Two contiguous runs, [start, m) then [0, start); the threshold carries over.
    const thr = scanRowRange(src, i * m, start, m, sign, val, col, count, i, k, Infinity);
    scanRowRange(src, i * m, 0, start, sign, val, col, count, i, k, thr);
    bound[i] = count[i] === k && k < m ? val[i * k + k - 1] : Infinity;
  }
  return { k, val, col, count, bound };
}

/** Keeps row i's k smallest of `sign·src[off + j]`, j ∈ [j0, j1) (by {@link insertBounded}); returns the updated threshold. */
function scanRowRange(
  src: ArrayLike<number>,
  off: number,
  j0: number,
  j1: number,
  sign: number,
  val: Float64Array,
  col: Int32Array,
  count: Int32Array,
  i: number,
  k: number,
  thr: number,
): number {
  let j = j0;
  for (; j + 3 < j1; j += 4) {
    const c0 = sign * src[off + j];
    const c1 = sign * src[off + j + 1];
    const c2 = sign * src[off + j + 2];
    const c3 = sign * src[off + j + 3];
    if (c0 < thr) thr = insertBounded(val, col, count, i, k, c0, j);
    if (c1 < thr) thr = insertBounded(val, col, count, i, k, c1, j + 1);
    if (c2 < thr) thr = insertBounded(val, col, count, i, k, c2, j + 2);
    if (c3 < thr) thr = insertBounded(val, col, count, i, k, c3, j + 3);
  }
  for (; j < j1; j++) {
    const c = sign * src[off + j];
    if (c < thr) thr = insertBounded(val, col, count, i, k, c, j);
  }
  return thr;
}

/**
 * Inserts `(c, id)` into list `l` of a set of sorted lists of capacity `cap` (`vals`/`ids[l·cap ..]`,
 * `count[l]` valid), after any equal values and dropping the largest when full. Returns the list's
 * admission threshold: its largest value once full, +∞ before.
 */
function insertBounded(vals: Float64Array, ids: Int32Array, count: Int32Array, l: number, cap: number, c: number, id: number): number {
  const base = l * cap;
  let p = count[l] < cap ? count[l]++ : cap - 1;
  while (p > 0 && vals[base + p - 1] > c) {
    vals[base + p] = vals[base + p - 1];
    ids[base + p] = ids[base + p - 1];
    p--;
  }
  vals[base + p] = c;
  ids[base + p] = id;
  return count[l] === cap ? vals[base + cap - 1] : Infinity;
}

/** Union of the column lists and (when given) the row lists, deduplicated, as a CSR graph. */
export function buildGraph(n: number, m: number, cols: ColumnScan, rows: RowScan | null): CandidateGraph {
  const { kc } = cols;
  const k = rows?.k ?? 0;
  const isNew = new Uint8Array(m * kc);
  const deg = new Int32Array(n);
  if (rows !== null) deg.set(rows.count);
  for (let j = 0; j < m; j++) {
    for (let t = 0; t < cols.count[j]; t++) {
      const i = cols.row[j * kc + t];
      let found = false;
      if (rows !== null) {
        const base = i * k;
        for (let q = 0; q < rows.count[i]; q++) {
          if (rows.col[base + q] === j) {
            found = true;
            break;
          }
        }
      }
      if (!found) {
        isNew[j * kc + t] = 1;
        deg[i]++;
      }
    }
  }
  const rowPtr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) rowPtr[i + 1] = rowPtr[i] + deg[i];
  const col = new Int32Array(rowPtr[n]);
  const val = new Float64Array(rowPtr[n]);
  const fill = rowPtr.slice(0, n);
  if (rows !== null) {
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < rows.count[i]; t++) {
        col[fill[i]] = rows.col[i * k + t];
        val[fill[i]++] = rows.val[i * k + t];
      }
    }
  }
  for (let j = 0; j < m; j++) {
    for (let t = 0; t < cols.count[j]; t++) {
      if (isNew[j * kc + t] === 0) continue;
      const i = cols.row[j * kc + t];
      col[fill[i]] = j;
      val[fill[i]++] = cols.val[j * kc + t];
    }
  }
  return { rowPtr, col, val };
}

/**
 * Returns a new graph with `addCol[t]`/`addVal[t]` appended to row `addRow[t]` (t < count). Callers
 * guarantee the added edges are not already present.
 */
export function addEdges(
  g: CandidateGraph,
  n: number,
  addRow: Int32Array,
  addCol: Int32Array,
  addVal: Float64Array,
  count: number,
): CandidateGraph {
  const more = new Int32Array(n);
  for (let t = 0; t < count; t++) more[addRow[t]]++;
  const rowPtr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) rowPtr[i + 1] = rowPtr[i] + (g.rowPtr[i + 1] - g.rowPtr[i]) + more[i];
  const col = new Int32Array(rowPtr[n]);
  const val = new Float64Array(rowPtr[n]);
  const fill = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const a = g.rowPtr[i];
    const len = g.rowPtr[i + 1] - a;
    col.set(g.col.subarray(a, a + len), rowPtr[i]);
    val.set(g.val.subarray(a, a + len), rowPtr[i]);
    fill[i] = rowPtr[i] + len;
  }
  for (let t = 0; t < count; t++) {
    const i = addRow[t];
    col[fill[i]] = addCol[t];
    val[fill[i]++] = addVal[t];
  }
  return { rowPtr, col, val };
}
