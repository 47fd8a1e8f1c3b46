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

/** Result of {@link scanCandidates}. */
export interface CandidateScan {
  readonly graph: CandidateGraph;
  /**
   * `[n]` lower bound on every non-candidate (minimisation) cost of the row: the k-th smallest value kept,
   * or +∞ when the row has at most k finite entries (then every finite entry is a candidate).
   */
  readonly bound: Float64Array;
  /** `[m]` column minima and their first arg-min row (−1 for an all-+∞ column). */
  readonly colMin: Float64Array;
  readonly colArg: Int32Array;
}

/**
 * One sequential pass over a row-major `[n, m]` matrix that (a) validates every entry (NaN, or an
 * infinity in the optimising direction, throws naming (i, j)), (b) keeps each row's k smallest
 * minimisation costs `sign·src[i, j]`, and (c) tracks column minima. Each column's arg-min edge is added
 * to the graph too, so no column is left without a candidate when one exists. The pass reads each entry
 * once with a rarely-taken branch, so it runs at memory bandwidth.
 */
export function scanCandidates(
  src: ArrayLike<number>,
  n: number,
  m: number,
  sign: number,
  maximize: boolean,
  k: number,
): CandidateScan {
  const keepV = new Float64Array(n * k);
  const keepJ = new Int32Array(n * k);
  const keepN = new Int32Array(n);
  const bound = new Float64Array(n);
  const colMin = new Float64Array(m).fill(Infinity);
  const colArg = new Int32Array(m).fill(-1);
  const bad = -Infinity; // after multiplying by sign, the optimum-unbounding infinity is always −∞
  for (let i = 0; i < n; i++) {
    const off = i * m;
    const base = i * k;
    let cnt = 0;
    let thr = Infinity; // k-th smallest so far once `cnt === k`
    for (let j = 0; j < m; j++) {
      const c = sign * src[off + j];
      if (c !== c || c === bad) throw invalidEntry(src[off + j], i, j, maximize);
      if (c < colMin[j]) {
        colMin[j] = c;
        colArg[j] = i;
      }
      if (c < thr) {
        // Insertion into the sorted keep-list (k is small; insertions are rare after the first k).
        let p = cnt < k ? cnt++ : k - 1;
        while (p > 0 && keepV[base + p - 1] > c) {
          keepV[base + p] = keepV[base + p - 1];
          keepJ[base + p] = keepJ[base + p - 1];
          p--;
        }
        keepV[base + p] = c;
        keepJ[base + p] = j;
        if (cnt === k) thr = keepV[base + k - 1];
      }
    }
    keepN[i] = cnt;
    bound[i] = cnt === k && k < m ? keepV[base + k - 1] : Infinity;
  }
  // Column-best edges not already kept by their row.
  const extra = new Int32Array(n);
  const isExtra = new Uint8Array(m);
  for (let j = 0; j < m; j++) {
    const i = colArg[j];
    if (i < 0) continue;
    const base = i * k;
    let found = false;
    for (let t = 0; t < keepN[i]; t++) {
      if (keepJ[base + t] === j) {
        found = true;
        break;
      }
    }
    if (!found) {
      extra[i]++;
      isExtra[j] = 1;
    }
  }
  const rowPtr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) rowPtr[i + 1] = rowPtr[i] + keepN[i] + extra[i];
  const nnz = rowPtr[n];
  const col = new Int32Array(nnz);
  const val = new Float64Array(nnz);
  const fill = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const base = i * k;
    const p = rowPtr[i];
    for (let t = 0; t < keepN[i]; t++) {
      col[p + t] = keepJ[base + t];
      val[p + t] = keepV[base + t];
    }
    fill[i] = p + keepN[i];
  }
  for (let j = 0; j < m; j++) {
    if (isExtra[j] === 0) continue;
    const i = colArg[j];
    col[fill[i]] = j;
    val[fill[i]++] = colMin[j];
  }
  return { graph: { rowPtr, col, val }, bound, colMin, colArg };
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
