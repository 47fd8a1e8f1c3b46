import type { CandidateGraph } from './candidates.js';
import type { AssignmentState } from './sparse-augment.js';

/** Edges found by rescans, to be merged into the candidate graph. */
export class EdgeBuffer {
  row = new Int32Array(256);
  col = new Int32Array(256);
  val = new Float64Array(256);
  count = 0;

  push(i: number, j: number, c: number): void {
    if (this.count === this.row.length) {
      const cap = this.count * 2;
      const r = new Int32Array(cap);
      const cl = new Int32Array(cap);
      const v = new Float64Array(cap);
      r.set(this.row);
      cl.set(this.col);
      v.set(this.val);
      this.row = r;
      this.col = cl;
      this.val = v;
    }
    this.row[this.count] = i;
    this.col[this.count] = j;
    this.val[this.count++] = c;
  }
}

/** Sorted list of the smallest reduced costs of one row during a rescan. */
interface ReducedList {
  readonly h: Float64Array;
  readonly j: Int32Array;
  cnt: number;
  cap: number;
  row: number;
}

/** Rare path of a rescan: skip candidates, insert (j, h); returns the new admission threshold. */
function admitReduced(l: ReducedList, stamp: Int32Array, h: number, j: number): number {
  const { cap } = l;
  if (stamp[j] !== l.row) {
    let p = l.cnt < cap ? l.cnt++ : cap - 1;
    while (p > 0 && l.h[p - 1] > h) {
      l.h[p] = l.h[p - 1];
      l.j[p] = l.j[p - 1];
      p--;
    }
    l.h[p] = h;
    l.j[p] = j;
  }
  return l.cnt === cap ? l.h[cap - 1] : Infinity;
}

/** Dense rows read by the certification, with the state they check. */
export class RowScanner {
  private readonly stamp: Int32Array;
  private readonly list: ReducedList;
  /** Number of dense rows read so far. */
  rescans = 0;

  constructor(
    /** Row-major `[n, n]` input; minimisation costs are `sign·src`. */
    private readonly src: ArrayLike<number>,
    private readonly n: number,
    private readonly sign: number,
    private readonly st: AssignmentState,
    /** Per-row lower bound on the reduced costs of non-candidate entries; valid while duals only drop. */
    readonly lower: Float64Array,
    maxKeep: number,
  ) {
    this.stamp = new Int32Array(n).fill(-1);
    this.list = { h: new Float64Array(maxKeep + 1), j: new Int32Array(maxKeep + 1), cnt: 0, cap: 0, row: -1 };
  }

  /**
   * Reads row i in full, appends its `keep` smallest non-candidate reduced costs `c − v` to `out` as new
   * edges, and sets `lower[i]` to the smallest non-candidate reduced cost left out.
   * @returns the smallest new reduced cost (+∞ if none), to compare with the row's u.
   */
  rescan(i: number, g: CandidateGraph, keep: number, out: EdgeBuffer): number {
    const { src, n, sign, stamp } = this;
    const v = this.st.v;
    this.rescans++;
    for (let e = g.rowPtr[i]; e < g.rowPtr[i + 1]; e++) stamp[g.col[e]] = i;
    // Keep the keep+1 smallest non-candidate reduced costs: the first `keep` become edges, the last one
    // is the new lower bound for everything left out. Forbidden (+∞) entries never qualify.
    const list = this.list;
    list.cap = keep + 1;
    list.cnt = 0;
    list.row = i;
    const off = i * n;
    let thr = Infinity;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      const h0 = sign * src[off + j] - v[j];
      const h1 = sign * src[off + j + 1] - v[j + 1];
      const h2 = sign * src[off + j + 2] - v[j + 2];
      const h3 = sign * src[off + j + 3] - v[j + 3];
      if (h0 < thr) thr = admitReduced(list, stamp, h0, j);
      if (h1 < thr) thr = admitReduced(list, stamp, h1, j + 1);
      if (h2 < thr) thr = admitReduced(list, stamp, h2, j + 2);
      if (h3 < thr) thr = admitReduced(list, stamp, h3, j + 3);
    }
    for (; j < n; j++) {
      const h = sign * src[off + j] - v[j];
      if (h < thr) thr = admitReduced(list, stamp, h, j);
    }
    const kept = Math.min(list.cnt, keep);
    this.lower[i] = list.cnt === list.cap ? list.h[keep] : Infinity;
    // Edge cost c = h + v[j] recomputed from the input (exact, unlike h + v).
    for (let t = 0; t < kept; t++) out.push(i, list.j[t], sign * src[off + list.j[t]]);
    return kept > 0 ? list.h[0] : Infinity;
  }

  /**
   * Checks the LP optimality certificate of the current assignment against the full matrix: row i is
   * optimal iff `u_i = c[i, x_i] − v[x_i] ≤ c[i, j] − v[j]` for all j. Candidate edges satisfy it by the
   * sparse invariant; rows with `max(lower[i], bounds.rowFloor(i)) ≥ u_i` are certified without reading
   * the matrix. The others are rescanned (gaining `keep` margin edges, so they are rarely rescanned
   * again) and freed when a new edge beats u_i (a violated dual constraint: the row must be re-augmented).
   * @returns number of freed rows written to `free`.
   */
  certify(g: CandidateGraph, keep: number, free: Int32Array, out: EdgeBuffer, bounds: EntryBounds): number {
    const { x, y, v, rowCost } = this.st;
    const lower = this.lower;
    let numFree = 0;
    for (let i = 0; i < this.n; i++) {
      const u = rowCost[i] - v[x[i]];
      if (lower[i] >= u || bounds.rowFloor(i) >= u) continue;
      if (this.rescan(i, g, keep, out) < u) {
        y[x[i]] = -1;
        x[i] = -1;
        free[numFree++] = i;
      }
    }
    return numFree;
  }

  /**
   * Widens the candidates of every row in `rows` (a set whose candidate columns are all taken inside
   * the set — a Hall violation of the sparse graph) by `keep` edges each; assigned rows whose new edges
   * beat their u are freed into `free` from index `numFree`.
   * @returns the new number of free rows, or −1 when no row gained an edge (then the full matrix has the
   *   same Hall violation: it is infeasible).
   */
  expand(
    rows: Int32Array,
    count: number,
    g: CandidateGraph,
    keep: number,
    free: Int32Array,
    numFree: number,
    out: EdgeBuffer,
  ): number {
    const { x, y, v, rowCost } = this.st;
    const before = out.count;
    for (let t = 0; t < count; t++) {
      const i = rows[t];
      const best = this.rescan(i, g, keep, out);
      if (x[i] >= 0 && best < rowCost[i] - v[x[i]]) {
        y[x[i]] = -1;
        x[i] = -1;
        free[numFree++] = i;
      }
    }
    return out.count === before ? -1 : numFree;
  }
}

/**
 * Lower bounds on the reduced costs `c[i, j] − v[j]` of non-candidate entries from the first-pass
 * statistics, for the current duals. A non-candidate entry is outside its column's list, so
 * `c[i, j] ≥ colBound[j]`, and (when the row pass ran) outside its row's list, so `c[i, j] ≥ rowBound[i]`.
 * With `z = −v` sorted ascending and `β_j = colBound[j] − v[j]`, every non-candidate reduced cost of row i
 * is ≥ `max(rowBound[i] + z_j, β_j)`, whose minimum over j is bounded below by splitting at the first
 * sorted position q where `rowBound[i] + z_q ≥ min_{p ≤ q} β_p`: `min(rowBound[i] + z_q, min_{p < q} β_p)`.
 * Any split gives a valid bound (rounding is monotone), the binary search just finds the best one.
 */
export class EntryBounds {
  private readonly zs: Float64Array;
  private readonly prefMinBeta: Float64Array;

  constructor(
    colBound: Float64Array,
    v: Float64Array,
    private readonly rowBound: Float64Array | null,
  ) {
    const m = v.length;
    const order = new Int32Array(m);
    for (let j = 0; j < m; j++) order[j] = j;
    order.sort((a, b) => v[b] - v[a]); // z = −v ascending
    this.zs = new Float64Array(m);
    this.prefMinBeta = new Float64Array(m);
    let pm = Infinity;
    for (let p = 0; p < m; p++) {
      const j = order[p];
      this.zs[p] = -v[j];
      const beta = colBound[j] - v[j];
      if (beta < pm) pm = beta;
      this.prefMinBeta[p] = pm;
    }
  }

  /** Lower bound on every non-candidate reduced cost of row i. */
  rowFloor(i: number): number {
    const { zs, prefMinBeta } = this;
    const m = zs.length;
    const t = this.rowBound === null ? -Infinity : this.rowBound[i];
    if (m === 0) return Infinity;
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (t + zs[mid] >= prefMinBeta[mid]) hi = mid;
      else lo = mid + 1;
    }
    const viaRow = lo < m ? t + zs[lo] : Infinity;
    const viaCols = lo > 0 ? prefMinBeta[lo - 1] : Infinity;
    return viaRow < viaCols ? viaRow : viaCols;
  }
}
