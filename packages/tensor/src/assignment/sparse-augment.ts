import type { CandidateGraph } from './candidates.js';

/**
 * Mutable primal/dual state shared by the sparse and dense phases (minimisation, solver orientation).
 * Invariant: every assigned row i sits on a minimum of its reduced costs `c[i, j] − v[j]` over its
 * candidate edges, and `rowCost[i] = c[i, x[i]]`.
 */
export interface AssignmentState {
  readonly x: Int32Array; // [n] row → column, −1 free
  readonly y: Int32Array; // [m] column → row, −1 free
  readonly v: Float64Array; // [m] column duals
  readonly rowCost: Float64Array; // [n] cost of each row's assigned edge
}

/** Scratch buffers for {@link augmentSparse}, reusable across calls of the same size. */
export class SparseWorkspace {
  readonly d: Float64Array;
  readonly pred: Int32Array;
  readonly predCost: Float64Array;
  readonly done: Uint8Array;
  readonly touched: Int32Array;
  readonly scanned: Int32Array;
  heapKey: Float64Array;
  heapVal: Int32Array;
  /**
   * After a failed search: the rows it reached (the free row and the owners of every column it
   * scanned). Their candidate columns are all owned inside the set — a Hall violation of the graph.
   */
  readonly stuckRows: Int32Array;
  stuckCount = 0;

  constructor(m: number, heapCapacity: number) {
    this.d = new Float64Array(m).fill(Infinity);
    this.pred = new Int32Array(m);
    this.predCost = new Float64Array(m);
    this.done = new Uint8Array(m);
    this.touched = new Int32Array(m);
    this.scanned = new Int32Array(m);
    this.heapKey = new Float64Array(Math.max(16, heapCapacity));
    this.heapVal = new Int32Array(Math.max(16, heapCapacity));
    this.stuckRows = new Int32Array(m + 1);
  }
}

/**
 * Shortest augmenting paths on the candidate graph (Dijkstra with a binary heap, reduced costs
 * `c − v`; the sparse counterpart of JV's augmentation). Each listed free row is matched; duals of the
 * scanned columns only ever decrease, which keeps `v ≤ 0` if it held before.
 *
 * @returns −1 when every row was matched, else the index in `freeRows` of the first row with no
 *   augmenting path inside the graph (the state is then still consistent, with that row and the rest of
 *   the list unmatched, and `ws.stuckRows` holds the rows the search reached).
 */
export function augmentSparse(
  g: CandidateGraph,
  st: AssignmentState,
  freeRows: Int32Array,
  numFree: number,
  ws: SparseWorkspace,
): number {
  const { rowPtr, col, val } = g;
  const { x, y, v, rowCost } = st;
  const { d, pred, predCost, done, touched, scanned } = ws;
  let heapKey = ws.heapKey;
  let heapVal = ws.heapVal;
  for (let f = 0; f < numFree; f++) {
    const r = freeRows[f];
    const r0 = rowPtr[r];
    const r1 = rowPtr[r + 1];
    // Fast path: the row's best candidate is free — a zero-length search, no duals change.
    let best = Infinity;
    let bj = -1;
    let bc = 0;
    for (let e = r0; e < r1; e++) {
      const h = val[e] - v[col[e]];
      if (h < best) {
        best = h;
        bj = col[e];
        bc = val[e];
      }
    }
    if (bj < 0) {
      ws.stuckRows[0] = r;
      ws.stuckCount = 1;
      return f;
    }
    if (y[bj] < 0) {
      x[r] = bj;
      y[bj] = r;
      rowCost[r] = bc;
      continue;
    }
    let nt = 0;
    let hs = 0; // heap size
    let ns = 0;
    let end = -1;
    let min = 0;
    // Dijkstra from r: relax the edges of row i, whose path so far ends at distance `h` past its reduced
    // costs (0 for r itself), then scan the nearest column not yet scanned; its owner is the next row.
    let i = r;
    let h = 0;
    for (;;) {
      const i1 = rowPtr[i + 1];
      for (let e = rowPtr[i]; e < i1; e++) {
        const l = col[e];
        if (done[l] !== 0) continue;
        const nd = val[e] - v[l] - h;
        if (nd < d[l]) {
          if (d[l] === Infinity) touched[nt++] = l;
          d[l] = nd;
          pred[l] = i;
          predCost[l] = val[e];
          // push (nd, l)
          if (hs === heapKey.length) [heapKey, heapVal] = growHeap(ws, hs);
          let p = hs++;
          while (p > 0) {
            const q = (p - 1) >> 1;
            if (heapKey[q] <= nd) break;
            heapKey[p] = heapKey[q];
            heapVal[p] = heapVal[q];
            p = q;
          }
          heapKey[p] = nd;
          heapVal[p] = l;
        }
      }
      let j = -1;
      let dj = 0;
      while (hs > 0 && j < 0) {
        // pop min
        dj = heapKey[0];
        const top = heapVal[0];
        hs--;
        if (hs > 0) {
          const lk = heapKey[hs];
          const lv = heapVal[hs];
          let p = 0;
          for (;;) {
            let c = 2 * p + 1;
            if (c >= hs) break;
            if (c + 1 < hs && heapKey[c + 1] < heapKey[c]) c++;
            if (heapKey[c] >= lk) break;
            heapKey[p] = heapKey[c];
            heapVal[p] = heapVal[c];
            p = c;
          }
          heapKey[p] = lk;
          heapVal[p] = lv;
        }
        if (done[top] === 0 && !(dj > d[top])) j = top; // else a stale entry
      }
      if (j < 0) break; // heap exhausted: no augmenting path inside the graph
      if (y[j] < 0) {
        end = j;
        min = dj;
        break;
      }
      done[j] = 1;
      scanned[ns++] = j;
      i = y[j];
      h = rowCost[i] - v[j] - dj;
    }
    if (end >= 0) {
      for (let t = 0; t < ns; t++) {
        const j = scanned[t];
        v[j] += d[j] - min;
      }
      // Flip the alternating path back to r.
      let j = end;
      for (;;) {
        const i = pred[j];
        y[j] = i;
        rowCost[i] = predCost[j];
        const next = x[i];
        x[i] = j;
        if (i === r) break;
        j = next;
      }
    }
    for (let t = 0; t < nt; t++) {
      const j = touched[t];
      d[j] = Infinity;
      done[j] = 0;
    }
    if (end < 0) {
      ws.stuckRows[0] = r;
      for (let t = 0; t < ns; t++) ws.stuckRows[t + 1] = y[scanned[t]];
      ws.stuckCount = ns + 1;
      return f;
    }
  }
  return -1;
}

function growHeap(ws: SparseWorkspace, size: number): [Float64Array, Int32Array] {
  const k = new Float64Array(size * 2);
  const v = new Int32Array(size * 2);
  k.set(ws.heapKey);
  v.set(ws.heapVal);
  ws.heapKey = k;
  ws.heapVal = v;
  return [k, v];
}
