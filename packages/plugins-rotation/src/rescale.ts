/**
 * The rescaling step of the rotation paper (ALGORITHMS.md "Scaling"): after rotation, the `a > 0`
 * minimising `f(a) = ‖a·Q_B − Q_A‖² + ‖K_B/a − K_A‖²` (and the same for V ×b, O ÷b).
 *
 * With `p = ‖Q_B‖², q = ⟨Q_B, Q_A⟩, r = ⟨K_B, K_A⟩, s = ‖K_B‖²`:
 * `f(a) = p a² − 2 q a + s/a² − 2 r/a + ‖Q_A‖² + ‖K_A‖²` and
 * `f'(a) = 0 ⇔ g(a) = p a⁴ − q a³ + r a − s = 0`.
 * For `p, s > 0`, f → ∞ at both ends of (0, ∞), so its global minimum is one of g's positive roots.
 * Roots are isolated exactly through the derivative chain (between consecutive critical points a
 * polynomial is monotone, so each sign change holds exactly one root, found by bisection to the last
 * bit) — no eigenvalue solver or Ferrari formula whose cancellation can lose roots.
 */

/** Sufficient statistics of one rescaling problem (see the module comment). */
export interface ScaleStats {
  /** `‖Q_B‖²` (the side multiplied by a). */
  readonly p: number;
  /** `⟨Q_B, Q_A⟩`. */
  readonly q: number;
  /** `⟨K_B, K_A⟩` (the side divided by a). */
  readonly r: number;
  /** `‖K_B‖²`. */
  readonly s: number;
  /** `‖Q_A‖² + ‖K_A‖²` (only shifts f; default 0). */
  readonly anchorNorm2?: number;
}

/** The chosen scale and the objective at it. */
export interface ScaleChoice {
  /** The minimiser over `a > 0` (1 when the problem is degenerate: `p = 0` or `s = 0`). */
  readonly a: number;
  /** `f(a)`. */
  readonly objective: number;
  /** `f(1)`, the objective without rescaling. */
  readonly objectiveAtOne: number;
  /** The positive roots of `g` that were compared (ascending). */
  readonly roots: readonly number[];
}

/** `f(a)` of {@link ScaleStats}. */
export function scaleObjective(st: ScaleStats, a: number): number {
  return st.p * a * a - 2 * st.q * a + st.s / (a * a) - 2 * st.r / a + (st.anchorNorm2 ?? 0);
}

/**
 * The global minimiser of `f` over `a > 0`: the positive root of `g` with the smallest `f`, with `a = 1`
 * as a candidate too so that rounding can never make rescaling worse than not rescaling.
 * @throws Error naming the statistics when one is not finite or a norm is negative.
 */
export function bestScale(st: ScaleStats): ScaleChoice {
  const { p, q, r, s } = st;
  if (![p, q, r, s].every(Number.isFinite) || p < 0 || s < 0) {
    throw new Error(`bestScale: statistics p=${p}, q=${q}, r=${r}, s=${s}; expected finite values with p, s ≥ 0`);
  }
  const at1 = scaleObjective(st, 1);
  if (p === 0 || s === 0) return { a: 1, objective: at1, objectiveAtOne: at1, roots: [] };
  // Cauchy's bound on the roots of p a⁴ − q a³ + 0 a² + r a − s.
  const bound = 1 + Math.max(Math.abs(q), Math.abs(r), s) / p;
  const roots = realRootsIn([p, -q, 0, r, -s], 0, bound).filter((x) => x > 0);
  let a = 1;
  let best = at1;
  for (const x of roots) {
    const fx = scaleObjective(st, x);
    if (fx < best) {
      best = fx;
      a = x;
    }
  }
  return { a, objective: best, objectiveAtOne: at1, roots };
}

/** `c[0] xⁿ + … + c[n]` by Horner. */
export function evalPoly(c: readonly number[], x: number): number {
  let v = 0;
  for (const ci of c) v = v * x + ci;
  return v;
}

function derivative(c: readonly number[]): number[] {
  const n = c.length - 1;
  const d: number[] = [];
  for (let i = 0; i < n; i++) d.push(c[i] * (n - i));
  return d;
}

/**
 * The real roots of the polynomial `c` (highest degree first) in `[lo, hi]` where it changes sign,
 * ascending, plus any critical point or end where it is exactly 0. A root of even multiplicity without
 * a sign change can be missed; for {@link bestScale} that is harmless, since `f' ∝ g` must change sign
 * from − to + at a minimum of f.
 */
export function realRootsIn(c: readonly number[], lo: number, hi: number): number[] {
  let k = 0;
  while (k < c.length - 1 && c[k] === 0) k++;
  const poly = c.slice(k);
  const deg = poly.length - 1;
  if (deg <= 0) return [];
  if (deg === 1) {
    const x = -poly[1] / poly[0];
    return x >= lo && x <= hi ? [x] : [];
  }
  const crit = realRootsIn(derivative(poly), lo, hi);
  const pts = [lo, ...crit, hi];
  const out: number[] = [];
  const push = (x: number) => {
    if (out.length === 0 || out[out.length - 1] !== x) out.push(x);
  };
  for (let i = 0; i + 1 < pts.length; i++) {
    const u = pts[i];
    const v = pts[i + 1];
    const fu = evalPoly(poly, u);
    const fv = evalPoly(poly, v);
    if (fu === 0) push(u);
    if (fu !== 0 && fv !== 0 && fu < 0 !== fv < 0) push(bisect(poly, u, v, fu));
    if (fv === 0 && i + 2 === pts.length) push(v);
  }
  return out;
}

/** The root of a polynomial monotone on `[u, v]` with a sign change, to full double precision. */
function bisect(poly: readonly number[], u: number, v: number, fu: number): number {
  let a = u;
  let b = v;
  const negAtA = fu < 0;
  for (let it = 0; it < 2000; it++) {
    const m = 0.5 * (a + b);
    if (m <= a || m >= b) break;
    const fm = evalPoly(poly, m);
    if (fm === 0) return m;
    if (fm < 0 === negAtA) a = m;
    else b = m;
  }
  // The endpoint with the smaller |g| (both bracket the root to one ulp).
  return Math.abs(evalPoly(poly, a)) <= Math.abs(evalPoly(poly, b)) ? a : b;
}
