/**
 * The error function in f64 to ~1e-15 absolute (and erfc to ~1e-14 relative), fast enough for
 * elementwise GELU. Exact GELU needs better than the usual 1e-7-class approximations (Abramowitz–Stegun
 * 7.1.26 is only good to 1.5e-7), so we fit our own piecewise Chebyshev expansions:
 *
 * - |x| < 1: `erf(x) = x · P(x²)`, P fitted to `erf(x)/x` on `x² ∈ [0, 1]`;
 * - 1 ≤ x < 6: `erfc(x) = exp(−x²) · H(x)` with H = the scaled complement `exp(x²)·erfc(x)`, smooth and
 *   slowly varying, fitted on [1, 2], [2, 3.5], [3.5, 6];
 * - x ≥ 6: a short continued fraction for erfc (which converges fast there); erf is ±1 to f64.
 *
 * The fits are computed once at module load (≈0.1 ms) from two convergent expansions — the Maclaurin
 * series `erf(x) = 2/√π · exp(−x²) · Σ 2ⁿx²ⁿ⁺¹/(2n+1)!!` (no cancellation, all terms positive) and
 * Laplace's continued fraction for erfc — so there are no unexplained magic constants.
 */

const SQRT_PI = Math.sqrt(Math.PI);
const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** erf by its everywhere-convergent positive series (used only to build the fits, for x < 1.5). */
function erfBySeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 500 && Math.abs(term) > 1e-18 * Math.abs(sum); n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
  }
  return (2 / SQRT_PI) * Math.exp(-x2) * sum;
}

/** `exp(x²)·erfc(x)` for x > 0 by Laplace's continued fraction, evaluated with modified Lentz. */
function erfcxByFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let j = 1; j < 10000; j++) {
    const a = j / 2;
    d = x + a * d;
    if (d === 0) d = tiny;
    d = 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-17) break;
  }
  return 1 / (SQRT_PI * f);
}

/**
 * Chebyshev coefficients of `f` on [a, b] (degree n), by the discrete cosine sum at m = n + 16 nodes.
 * Also fits the WebGPU backend's f32 erf (`wgsl-math.ts`).
 */
export function chebyshevFit(f: (x: number) => number, a: number, b: number, n: number): Float64Array {
  const m = n + 16;
  const values = new Float64Array(m);
  for (let k = 0; k < m; k++) values[k] = f(0.5 * (b - a) * Math.cos((Math.PI * (k + 0.5)) / m) + 0.5 * (b + a));
  const c = new Float64Array(n + 1);
  for (let j = 0; j <= n; j++) {
    let s = 0;
    for (let k = 0; k < m; k++) s += values[k] * Math.cos((Math.PI * j * (k + 0.5)) / m);
    c[j] = (2 * s) / m;
  }
  c[0] /= 2;
  return c;
}

/** Clenshaw evaluation of a Chebyshev series at `t ∈ [−1, 1]`. */
function clenshaw(c: Float64Array, t: number): number {
  const t2 = 2 * t;
  let b1 = 0;
  let b2 = 0;
  for (let j = c.length - 1; j >= 1; j--) {
    const tmp = t2 * b1 - b2 + c[j];
    b2 = b1;
    b1 = tmp;
  }
  return t * b1 - b2 + c[0];
}

const erfcxReference = (x: number): number => (x < 1.5 ? Math.exp(x * x) * (1 - erfBySeries(x)) : erfcxByFraction(x));

// erf(x)/x as a function of s = x² on [0, 1]; t = 2s − 1.
const SMALL = chebyshevFit((s) => (s === 0 ? 2 / SQRT_PI : erfBySeries(Math.sqrt(s)) / Math.sqrt(s)), 0, 1, 11);
// exp(x²)·erfc(x) on three pieces of [1, 6].
const P1 = chebyshevFit(erfcxReference, 1, 2, 14);
const P2 = chebyshevFit(erfcxReference, 2, 3.5, 14);
const P3 = chebyshevFit(erfcxReference, 3.5, 6, 14);

/** `exp(x²)·erfc(x)` for x ≥ 1. */
function erfcxLarge(x: number): number {
  if (x < 2) return clenshaw(P1, 2 * x - 3);
  if (x < 3.5) return clenshaw(P2, (2 * x - 5.5) / 1.5);
  if (x < 6) return clenshaw(P3, (2 * x - 9.5) / 2.5);
  // Laplace's continued fraction, 24 levels evaluated bottom-up: ample for x ≥ 6.
  let f = x;
  for (let j = 24; j >= 1; j--) f = x + j / 2 / f;
  return 1 / (SQRT_PI * f);
}

/** The error function, |error| < 2e-15 for every finite x. NaN propagates. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 1) return x * clenshaw(SMALL, 2 * x * x - 1);
  if (ax >= 6) return x > 0 ? 1 : x < 0 ? -1 : x; // erfc(6) ≈ 2e-17 is below f64 resolution of 1
  const r = 1 - Math.exp(-x * x) * erfcxLarge(ax);
  return x > 0 ? r : -r;
}

/** The complementary error function `1 − erf(x)`, accurate in relative terms for large positive x. */
export function erfc(x: number): number {
  if (x >= 1) return x > 27 ? 0 : Math.exp(-x * x) * erfcxLarge(x);
  if (x > -1) return 1 - x * clenshaw(SMALL, 2 * x * x - 1);
  if (x <= -6) return 2;
  return 2 - Math.exp(-x * x) * erfcxLarge(-x);
}

/** The standard normal CDF `Φ(x) = erfc(−x/√2)/2`, accurate in the far left tail. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x * SQRT1_2);
}

/** The standard normal density `φ(x) = exp(−x²/2)/√(2π)`. */
export function normalPdf(x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}
