/**
 * Singular values of an upper bidiagonal matrix by implicitly shifted QR (Golub–Kahan / Golub–Reinsch),
 * accumulating the rotations into the transposed singular-vector factors `ut` (`[n, mu]`) and `vt`
 * (`[n, nv]`): every rotation mixes two contiguous rows. Deflation uses a mixed relative/absolute test,
 * so small singular values are accurate to `≈ ε‖A‖` absolutely (as after any Householder bidiagonalisation),
 * not to high relative accuracy.
 *
 * Invariant kept throughout: `A = Utᵀ · B · Vt` where `B = bidiag(d, e)`.
 */
import { deflate } from './deflation.js';
import { applyChain, nearest, rotateRows, rotationRadius } from './givens.js';

/** Rotation sequences of one sweep (cosines/sines for the right and the left rotations), grown on demand. */
let rot = new Float64Array(4 * 64);

/**
 * Drives `e` to zero in place; on return `d` holds the (signed, unsorted) singular values.
 * @param d diagonal, length n. @param e superdiagonal, length n−1.
 * @param ut `[n, mu]` row-major, updated by left rotations. @param vt `[n, nv]`, updated by right rotations.
 *   Pass `mu = nv = 0` to compute singular values only (O(n²)).
 * @param shifts optional ascending squared singular values of B computed beforehand (values-only run).
 *   Each sweep then shifts by the one nearest the Wilkinson estimate — a "perfect" shift, which deflates
 *   in about one sweep instead of ~1.8, and the vector work is almost all of the cost.
 * @throws ConvergenceError after `40·n` sweeps without convergence (never observed in practice).
 */
export function bidiagonalQr(n: number, d: Float64Array, e: Float64Array, ut: Float64Array, mu: number, vt: Float64Array, nv: number, op: string, shifts?: Float64Array): void {
  if (rot.length < 4 * n) rot = new Float64Array(4 * n);
  let bnorm = 0;
  for (let i = 0; i < n; i++) bnorm = Math.max(bnorm, Math.abs(d[i]) + (i < n - 1 ? Math.abs(e[i]) : 0));
  deflate(n, d, e, bnorm, {
    split: (lo, hi, tolRel, tolAbs) => {
      // A negligible diagonal entry inside the window: rotate its row/column out so that B splits.
      for (let i = lo; i <= hi; i++) {
        const nb = (i > lo ? Math.abs(e[i - 1]) : 0) + (i < hi ? Math.abs(e[i]) : 0);
        if (Math.abs(d[i]) <= tolRel * nb || Math.abs(d[i]) <= tolAbs) {
          d[i] = 0;
          if (i < hi) chaseRowRight(i, hi, d, e, ut, mu);
          else chaseColumnUp(lo, hi, d, e, vt, nv);
          return true;
        }
      }
      return false;
    },
    sweep: (lo, hi, perfectShift) => {
      qrSweep(lo, hi, d, e, perfectShift ? shifts : undefined, rot, n);
      // The bidiagonal updates do not depend on U, V: apply the sweep's two rotation chains afterwards,
      // four rotations per pass over the rows (see applyChain).
      if (nv > 0) applyChain(vt, nv, lo, hi, rot, 0, n);
      if (mu > 0) applyChain(ut, mu, lo, hi, rot, 2 * n, 3 * n);
    },
  }, op, 'bidiagonal QR', '; the input may contain values near the overflow limit');
}

/**
 * One implicit-shift QR sweep on the window `[lo, hi]`, shift = eigenvalue of the trailing 2×2 of BᵀB
 * nearest its last entry (or the nearest precomputed σ²). Records the right rotations in
 * `rot[k]`, `rot[n + k]` and the left ones in `rot[2n + k]`, `rot[3n + k]`.
 */
function qrSweep(lo: number, hi: number, d: Float64Array, e: Float64Array, shifts: Float64Array | undefined, rot: Float64Array, n: number): void {
  const dm = d[hi - 1];
  const dn = d[hi];
  const em = e[hi - 1];
  const el = hi - 1 > lo ? e[hi - 2] : 0;
  const t11 = dm * dm + el * el;
  const t22 = dn * dn + em * em;
  const t12 = dm * em;
  const delta = 0.5 * (t11 - t22);
  const rad = Math.sqrt(delta * delta + t12 * t12);
  const den = delta >= 0 ? delta + rad : delta - rad;
  let shift = den === 0 ? t22 : t22 - (t12 * t12) / den;
  if (shifts !== undefined && shifts.length > 0) shift = shifts[nearest(shifts, shift)];

  let y = d[lo] * d[lo] - shift;
  let z = d[lo] * e[lo];
  for (let k = lo; k < hi; k++) {
    // Right rotation on columns (k, k+1): zero z against y.
    let r = rotationRadius(y, z);
    let c = r === 0 ? 1 : y / r;
    let s = r === 0 ? 0 : z / r;
    if (k > lo) e[k - 1] = r;
    const dk = d[k];
    const ek = e[k];
    y = c * dk + s * ek;
    e[k] = c * ek - s * dk;
    z = s * d[k + 1];
    d[k + 1] *= c;
    rot[k] = c;
    rot[n + k] = s;
    // Left rotation on rows (k, k+1): zero the bulge z below the diagonal.
    r = rotationRadius(y, z);
    c = r === 0 ? 1 : y / r;
    s = r === 0 ? 0 : z / r;
    d[k] = r;
    const ek2 = e[k];
    const dk1 = d[k + 1];
    y = c * ek2 + s * dk1;
    d[k + 1] = c * dk1 - s * ek2;
    if (k + 1 < hi) {
      z = s * e[k + 1];
      e[k + 1] *= c;
    }
    rot[2 * n + k] = c;
    rot[3 * n + k] = s;
  }
  e[hi - 1] = y;
}

/** `d[i] = 0` with `i < hi`: left rotations of rows (j, i), j = i+1..hi, push e[i] off the matrix. */
function chaseRowRight(i: number, hi: number, d: Float64Array, e: Float64Array, ut: Float64Array, mu: number): void {
  let f = e[i];
  e[i] = 0;
  for (let j = i + 1; j <= hi && f !== 0; j++) {
    const dj = d[j];
    const r = Math.hypot(dj, f);
    const c = dj / r;
    const s = f / r;
    d[j] = r;
    if (j < hi) {
      f = -s * e[j];
      e[j] *= c;
    }
    rotateRows(ut, j * mu, i * mu, mu, c, s);
  }
}

/** `d[hi] = 0`: right rotations of columns (j, hi), j = hi−1..lo, push e[hi−1] off the matrix. */
function chaseColumnUp(lo: number, hi: number, d: Float64Array, e: Float64Array, vt: Float64Array, nv: number): void {
  let f = e[hi - 1];
  e[hi - 1] = 0;
  for (let j = hi - 1; j >= lo && f !== 0; j--) {
    const dj = d[j];
    const r = Math.hypot(dj, f);
    const c = dj / r;
    const s = f / r;
    d[j] = r;
    if (j > lo) {
      f = -s * e[j - 1];
      e[j - 1] *= c;
    }
    rotateRows(vt, j * nv, hi * nv, nv, c, s);
  }
}
