/**
 * Exact linear assignment for the core solver: `@symfuse/tensor`'s `linearSumAssignment` (LAPJV) when
 * the tensor package exports it; until then a local shortest-augmenting-path Hungarian method stands
 * in (TEMPORARY: see the report — call `linearSumAssignment` directly once it is exported).
 */
import * as tensorPkg from '@symfuse/tensor';

type Lsa = (cost: { data: Float64Array; rows: number; cols: number }, options: { maximize?: boolean }) => { rows: Int32Array; cols: Int32Array; total: number };

/**
 * For a row-major `[rows, cols]` cost (rows ≤ cols), the column of each row in an optimal assignment.
 * @throws RangeError when rows > cols or an entry is not finite.
 */
export function solveAssignment(cost: Float64Array, rows: number, cols: number, maximize: boolean): { cols: Int32Array; total: number } {
  if (!(rows <= cols) || cost.length !== rows * cols) {
    throw new RangeError(`solveAssignment: cost has ${cost.length} entries for [${rows}, ${cols}]; expected rows ≤ cols and rows·cols entries`);
  }
  const lsa = (tensorPkg as unknown as { linearSumAssignment?: Lsa }).linearSumAssignment;
  if (typeof lsa === 'function') {
    const r = lsa({ data: cost, rows, cols }, { maximize });
    const out = new Int32Array(rows);
    for (let k = 0; k < r.rows.length; k++) out[r.rows[k]] = r.cols[k];
    return { cols: out, total: r.total };
  }
  return hungarian(cost, rows, cols, maximize);
}

/** O(rows²·cols) Hungarian method with potentials (shortest augmenting paths), minimising. */
function hungarian(cost: Float64Array, n: number, m: number, maximize: boolean): { cols: Int32Array; total: number } {
  const sign = maximize ? -1 : 1;
  for (let i = 0; i < cost.length; i++) {
    if (!Number.isFinite(cost[i])) throw new RangeError(`solveAssignment: cost entry ${i} (row ${Math.floor(i / m)}, column ${i % m}) is ${cost[i]}; expected a finite number`);
  }
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1); // p[j] = row (1-based) matched to column j
  const way = new Int32Array(m + 1);
  const minv = new Float64Array(m + 1);
  const used = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = sign * cost[(i0 - 1) * m + (j - 1)] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  const out = new Int32Array(n);
  let total = 0;
  for (let j = 1; j <= m; j++) {
    if (p[j] !== 0) {
      out[p[j] - 1] = j - 1;
      total += cost[(p[j] - 1) * m + (j - 1)];
    }
  }
  return { cols: out, total };
}
