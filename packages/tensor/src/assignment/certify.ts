import type { CandidateGraph } from './candidates.js';
import type { AssignmentState } from './sparse-augment.js';

/** Edges found by {@link certifyRows}, to be merged into the candidate graph. */
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

/**
 * Checks the LP optimality certificate of the current assignment against the full matrix:
 * row i is optimal iff `u_i = c[i, x_i] − v[x_i] ≤ c[i, j] − v[j]` for all j. Candidate edges satisfy it by
 * the sparse invariant; for the others `lower[i]` is a lower bound on their reduced costs that stays valid
 * while duals only decrease. Rows with `lower[i] ≥ u_i` are certified for free; the rest are rescanned:
 * the rescan keeps the `extra` smallest non-candidate reduced costs as new edges (so the row gains margin
 * and is rarely rescanned again), sets `lower[i]` to the next-smallest, and frees the row if any of them
 * beats u_i (a violated dual constraint: the row must be re-augmented).
 *
 * @param src row-major `[n, n]` input, minimisation costs `sign·src`.
 * @returns number of freed rows written to `free`; new edges are appended to `out`.
 */
export function certifyRows(
  src: ArrayLike<number>,
  n: number,
  sign: number,
  g: CandidateGraph,
  st: AssignmentState,
  lower: Float64Array,
  free: Int32Array,
  stamp: Int32Array,
  extra: number,
  out: EdgeBuffer,
  onRescan?: () => void,
): number {
  const { x, y, v, rowCost } = st;
  const topH = new Float64Array(extra);
  const topJ = new Int32Array(extra);
  const topC = new Float64Array(extra);
  let numFree = 0;
  for (let i = 0; i < n; i++) {
    const u = rowCost[i] - v[x[i]];
    if (lower[i] >= u) continue;
    onRescan?.();
    for (let e = g.rowPtr[i]; e < g.rowPtr[i + 1]; e++) stamp[g.col[e]] = i;
    const off = i * n;
    let cnt = 0;
    let thr = extra > 0 ? Infinity : -Infinity; // keep h < thr
    let s = Infinity; // min over the reduced costs not kept
    for (let j = 0; j < n; j++) {
      const c = sign * src[off + j];
      const h = c - v[j];
      if (h >= thr) {
        if (h < s) s = h;
        continue;
      }
      if (stamp[j] === i) continue;
      // Insert into the sorted top list; the element pushed out (if any) feeds `s`.
      let p: number;
      if (cnt < extra) {
        p = cnt++;
      } else {
        const dropped = topH[extra - 1];
        if (dropped < s) s = dropped;
        p = extra - 1;
      }
      while (p > 0 && topH[p - 1] > h) {
        topH[p] = topH[p - 1];
        topJ[p] = topJ[p - 1];
        topC[p] = topC[p - 1];
        p--;
      }
      topH[p] = h;
      topJ[p] = j;
      topC[p] = c;
      if (cnt === extra) thr = topH[extra - 1];
    }
    // Candidates were skipped only inside the `h < thr` branch; entries ≥ thr that are candidates may
    // have lowered `s`, which only makes the bound more conservative.
    lower[i] = s;
    for (let t = 0; t < cnt; t++) out.push(i, topJ[t], topC[t]);
    if (cnt > 0 && topH[0] < u) {
      y[x[i]] = -1;
      x[i] = -1;
      free[numFree++] = i;
    }
  }
  return numFree;
}
