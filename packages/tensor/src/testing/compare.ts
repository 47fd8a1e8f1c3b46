/**
 * Closeness checks with messages that say where and by how much a result differs, so a failing
 * conformance test on a new backend points at the first bad element.
 */

/** Tolerance of one comparison: `|actual − expected| ≤ atol + rtol · max(|expected|, scale)`. */
export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

/** Exact equality (layout kernels, integer results). */
export const EXACT: Tolerance = { rtol: 0, atol: 0 };

/**
 * Throws an Error describing the worst mismatch when `actual` and `expected` differ beyond `tol`
 * or in length. `scale[i]` (optional) is an error scale for element i — e.g. `Σ|aᵢₖ bₖⱼ|` for a
 * matmul — used instead of `|expected|` when larger. NaN matches only NaN; ±∞ must match exactly.
 */
export function assertClose(
  what: string, actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, scale?: ArrayLike<number>,
): void {
  if (actual.length !== expected.length) {
    throw new Error(`${what}: got ${actual.length} elements; expected ${expected.length}`);
  }
  let bad = 0;
  let worst = -1;
  let worstExcess = -Infinity;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    let ok: boolean;
    let excess: number;
    if (Number.isNaN(e) || Number.isNaN(a) || !Number.isFinite(e) || !Number.isFinite(a)) {
      ok = Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)) || a === e;
      excess = ok ? 0 : Infinity;
    } else {
      const bound = tol.atol + tol.rtol * Math.max(Math.abs(e), scale ? scale[i] : 0);
      const err = Math.abs(a - e);
      ok = err <= bound;
      excess = err - bound;
    }
    if (!ok) {
      bad++;
      if (excess > worstExcess) {
        worstExcess = excess;
        worst = i;
      }
    }
  }
  if (bad > 0) {
    const a = actual[worst];
    const e = expected[worst];
    const s = scale ? `, scale ${scale[worst]}` : '';
    throw new Error(
      `${what}: ${bad} of ${actual.length} elements differ beyond rtol=${tol.rtol}, atol=${tol.atol}; ` +
        `worst at flat index ${worst}: got ${a}, expected ${e} (|diff| ${Math.abs(a - e)}${s})`,
    );
  }
}
