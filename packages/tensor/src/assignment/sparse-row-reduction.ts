import type { CandidateGraph } from './candidates.js';
import type { AssignmentState } from './sparse-augment.js';

/**
 * JV augmenting row reduction on the candidate graph: each free row takes its best candidate at reduced
 * costs `c − v`, lowering that column's dual to the row's second-best value (an ε = 0 auction bid); the
 * evicted owner is re-processed at once when the dual strictly dropped, else kept for the next pass.
 * Duals only decrease, and every assigned row stays on a minimum of its candidate reduced costs, so the
 * state remains valid for {@link augmentSparse}. Each step costs one row's degree, so this cheaply
 * matches most rows before the (costlier) shortest-path searches.
 *
 * The bid rule is `lapjv.ts`'s dense `augmentingRowReduction`; the two are kept as separate
 * monomorphic loops (dense rows vs CSR edges, plus `rowCost` here) because the row scan is the hot loop.
 *
 * @param budget remaining row steps, decremented in place (bounds ε = 0 price wars; leftovers stay free).
 * @returns number of rows left in `free`.
 */
export function reduceRowsSparse(
  g: CandidateGraph,
  st: AssignmentState,
  free: Int32Array,
  prevNumFree: number,
  budget: { left: number },
): number {
  const { rowPtr, col, val } = g;
  const { x, y, v, rowCost } = st;
  let k = 0;
  let numFree = 0;
  while (k < prevNumFree) {
    if (budget.left-- <= 0) {
      while (k < prevNumFree) free[numFree++] = free[k++];
      break;
    }
    const i = free[k++];
    let uMin = Infinity;
    let uSub = Infinity;
    let j1 = -1;
    let j2 = -1;
    let c1 = 0;
    let c2 = 0;
    const e1 = rowPtr[i + 1];
    for (let e = rowPtr[i]; e < e1; e++) {
      const j = col[e];
      const h = val[e] - v[j];
      if (h < uSub) {
        if (h >= uMin) {
          uSub = h;
          j2 = j;
          c2 = val[e];
        } else {
          uSub = uMin;
          j2 = j1;
          c2 = c1;
          uMin = h;
          j1 = j;
          c1 = val[e];
        }
      }
    }
    if (j1 < 0) {
      free[numFree++] = i; // no candidate at all: left for the augmentation to report
      continue;
    }
    let i0 = y[j1];
    let requeueNow = false;
    if (uMin < uSub) {
      if (uSub < Infinity) {
        v[j1] -= uSub - uMin;
        requeueNow = true;
      }
    } else if (i0 >= 0) {
      j1 = j2;
      c1 = c2;
      i0 = y[j2];
    }
    x[i] = j1;
    y[j1] = i;
    rowCost[i] = c1;
    if (i0 >= 0) {
      x[i0] = -1;
      if (requeueNow) free[--k] = i0;
      else free[numFree++] = i0;
    }
  }
  return numFree;
}
