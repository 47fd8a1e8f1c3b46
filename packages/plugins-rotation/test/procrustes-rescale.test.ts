/**
 * The two closed-form pieces: the orthogonal polar factor (Procrustes) and the rescaling quartic.
 * Oracles: random orthogonal competitors, planted solutions, Newton's polar iteration (no SVD), a
 * dense grid over a > 0 refined by golden-section search.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '@symfuse/tensor';
import { bestScale, evalPoly, polarFactor, realRootsIn, scaleObjective, type ScaleStats } from '../src/index.js';
import { frob, mulAB, mulABt, orthogonalityDefect } from './helpers.js';

const gaussian = (n: number, seed: number) => {
  const rng = new Rng(seed);
  return Float64Array.from({ length: n }, () => rng.normal());
};

/** Naive Gauss–Jordan inverse with partial pivoting of an `[n, n]` row-major matrix. */
function inverse(a: Float64Array, n: number): Float64Array {
  const w = a.slice();
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(w[r * n + c]) > Math.abs(w[piv * n + c])) piv = r;
    for (let k = 0; k < n; k++) {
      [w[c * n + k], w[piv * n + k]] = [w[piv * n + k], w[c * n + k]];
      [inv[c * n + k], inv[piv * n + k]] = [inv[piv * n + k], inv[c * n + k]];
    }
    const d = w[c * n + c];
    for (let k = 0; k < n; k++) {
      w[c * n + k] /= d;
      inv[c * n + k] /= d;
    }
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = w[r * n + c];
      for (let k = 0; k < n; k++) {
        w[r * n + k] -= f * w[c * n + k];
        inv[r * n + k] -= f * inv[c * n + k];
      }
    }
  }
  return inv;
}

/**
 * Independent oracle for the orthogonal polar factor of a nonsingular `M`: Newton's iteration
 * `X ← (X + X⁻ᵀ) / 2` from `X = M` (Higham 1986) converges quadratically to `U Vᵀ` without an SVD.
 */
function newtonPolar(m: Float64Array, n: number): Float64Array {
  let x = m.slice();
  for (let it = 0; it < 100; it++) {
    const inv = inverse(x, n);
    const next = new Float64Array(n * n);
    let change = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      next[i * n + j] = (x[i * n + j] + inv[j * n + i]) / 2;
      change = Math.max(change, Math.abs(next[i * n + j] - x[i * n + j]));
    }
    x = next;
    if (change < 1e-15) break;
  }
  return x;
}

describe('polarFactor (orthogonal Procrustes)', () => {
  it('is orthogonal, attains the nuclear norm, and beats every random orthogonal competitor', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 1e6 }), (p, seed) => {
        const m = gaussian(p * p, seed);
        const { R, nuclear } = polarFactor(m, p);
        expect(orthogonalityDefect(R, p)).toBeLessThan(1e-12);
        expect(frob(R, m)).toBeCloseTo(nuclear, 10);
        const rng = new Rng(seed + 1);
        for (let t = 0; t < 5; t++) expect(frob(rng.orthogonal(p), m)).toBeLessThanOrEqual(nuclear + 1e-12);
        // A small rotation of the optimum is no better (first-order optimality).
        const q = mulAB(R, rng.orthogonal(p).map((v, i) => (i % (p + 1) === 0 ? 1 : 0) * 0.999 + v * 0.001), p);
        expect(frob(q, m)).toBeLessThanOrEqual(nuclear * (1 + 1e-9) + 1e-12);
      }),
      { numRuns: 60 },
    );
  });

  it('recovers a planted rotation exactly: M = S Qᵀ with S symmetric positive definite gives R = Qᵀ', () => {
    for (const p of [1, 2, 5, 8, 16]) {
      const rng = new Rng(p);
      const Q = rng.orthogonal(p);
      const A = gaussian(p * p, 100 + p);
      const S = mulABt(A, A, p);
      for (let i = 0; i < p; i++) S[i * p + i] += 0.1;
      const M = mulABt(S, Q, p); // S Qᵀ
      const { R } = polarFactor(M, p);
      for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) expect(R[i * p + j]).toBeCloseTo(Q[j * p + i], 10);
    }
  });

  it("agrees with Newton's polar iteration (an SVD-free oracle) on random nonsingular matrices", () => {
    for (const p of [2, 7, 16, 33]) {
      const m = gaussian(p * p, p);
      const { R } = polarFactor(m, p);
      const oracle = newtonPolar(m, p);
      let worst = 0;
      for (let i = 0; i < p * p; i++) worst = Math.max(worst, Math.abs(R[i] - oracle[i]));
      expect(worst).toBeLessThan(1e-9);
    }
  });

  it('stays orthogonal and optimal for rank-deficient and zero matrices (det −1 allowed)', () => {
    const p = 6;
    const u = gaussian(p, 1);
    const v = gaussian(p, 2);
    const rank1 = Float64Array.from({ length: p * p }, (_, i) => u[Math.floor(i / p)] * v[i % p]);
    for (const m of [rank1, new Float64Array(p * p)]) {
      const { R, nuclear } = polarFactor(m, p);
      expect(orthogonalityDefect(R, p)).toBeLessThan(1e-12);
      expect(frob(R, m)).toBeCloseTo(nuclear, 10);
    }
    // A reflection is its own best orthogonal match.
    const refl = new Float64Array(p * p);
    for (let i = 0; i < p; i++) refl[i * p + i] = i === 0 ? -1 : 1;
    const { R } = polarFactor(refl, p);
    for (let i = 0; i < p * p; i++) expect(R[i]).toBeCloseTo(refl[i], 12);
  });

  it('names the shape or the entry it refuses', () => {
    expect(() => polarFactor(new Float64Array(5), 2)).toThrow(/polarFactor: M has 5 entries; expected \[2, 2\]/);
    expect(() => polarFactor(Float64Array.of(1, Number.NaN, 0, 1), 2)).toThrow(/\[0, 1\] is NaN/);
  });
});

/** Scale statistics of random vectors Q_A, Q_B, K_A, K_B (so Cauchy–Schwarz holds). */
function statsOf(qa: Float64Array, qb: Float64Array, ka: Float64Array, kb: Float64Array): ScaleStats {
  const d = (x: Float64Array, y: Float64Array) => x.reduce((s, v, i) => s + v * y[i], 0);
  return { p: d(qb, qb), q: d(qb, qa), r: d(kb, ka), s: d(kb, kb), anchorNorm2: d(qa, qa) + d(ka, ka) };
}

/** Oracle: the minimum of f over a > 0 by a log-spaced grid, then golden-section refinement. */
function gridMinimum(st: ScaleStats): { a: number; f: number } {
  let best = { a: 1, f: scaleObjective(st, 1) };
  const N = 20000;
  for (let i = 0; i <= N; i++) {
    const a = Math.exp(Math.log(1e-4) + (i / N) * (Math.log(1e4) - Math.log(1e-4)));
    const f = scaleObjective(st, a);
    if (f < best.f) best = { a, f };
  }
  let lo = best.a * 0.99;
  let hi = best.a * 1.01;
  const g = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 200; it++) {
    const x1 = hi - g * (hi - lo);
    const x2 = lo + g * (hi - lo);
    if (scaleObjective(st, x1) < scaleObjective(st, x2)) hi = x2;
    else lo = x1;
  }
  const a = (lo + hi) / 2;
  const f = scaleObjective(st, a);
  return f < best.f ? { a, f } : best;
}

describe('bestScale (the rescaling quartic)', () => {
  const vec = (n: number) => fc.float64Array({ minLength: n, maxLength: n, min: -3, max: 3, noNaN: true, noDefaultInfinity: true });
  const problem = fc.integer({ min: 1, max: 6 }).chain((n) => fc.tuple(vec(n), vec(n), vec(n), vec(n), fc.double({ min: -1, max: 1, noNaN: true })));

  it('never increases the objective and finds the global minimiser over a > 0 (dense grid oracle)', () => {
    fc.assert(
      fc.property(problem, ([qa, qb0, ka, kb0, mix]) => {
        // B correlated with A to varying degrees, as after a rotation.
        const qb = qb0.map((v, i) => v + mix * 2 * qa[i]);
        const kb = kb0.map((v, i) => v + mix * 2 * ka[i]);
        const st = statsOf(qa, qb, ka, kb);
        fc.pre(st.p > 1e-6 && st.s > 1e-6);
        const c = bestScale(st);
        expect(c.a).toBeGreaterThan(0);
        expect(c.objective).toBeLessThanOrEqual(c.objectiveAtOne);
        const oracle = gridMinimum(st);
        expect(c.objective).toBeLessThanOrEqual(oracle.f + 1e-9 * Math.max(1, Math.abs(oracle.f)));
        expect(c.objective).toBeCloseTo(scaleObjective(st, c.a), 12);
      }),
      { numRuns: 150 },
    );
  });

  it('finds a planted scale exactly (Q_B = Q_A / a₀, K_B = a₀ K_A → a = a₀, f = 0)', () => {
    for (const a0 of [0.37, 0.5, 1, 1.3, 2, 7.5]) {
      const qa = gaussian(8, 1);
      const ka = gaussian(8, 2);
      const st = statsOf(qa, qa.map((v) => v / a0), ka, ka.map((v) => v * a0));
      const c = bestScale(st);
      expect(c.a).toBeCloseTo(a0, 10);
      expect(Math.abs(c.objective)).toBeLessThan(1e-10);
    }
  });

  it('picks the better of several positive roots', () => {
    // p a⁴ − q a³ + r a − s with two local minima of f: compare with the grid oracle.
    const st: ScaleStats = { p: 1, q: 3.2, r: 3.1, s: 1, anchorNorm2: 10 };
    const c = bestScale(st);
    expect(c.roots.length).toBeGreaterThanOrEqual(3);
    expect(c.objective).toBeCloseTo(gridMinimum(st).f, 9);
  });

  it('keeps a = 1 when a side is empty (p = 0 or s = 0), and rejects bad statistics', () => {
    expect(bestScale({ p: 0, q: 0, r: 1, s: 2 }).a).toBe(1);
    expect(bestScale({ p: 2, q: 1, r: 0, s: 0 }).a).toBe(1);
    expect(() => bestScale({ p: -1, q: 0, r: 0, s: 1 })).toThrow(/p=-1/);
    expect(() => bestScale({ p: 1, q: Number.NaN, r: 0, s: 1 })).toThrow(/q=NaN/);
  });
});

describe('realRootsIn', () => {
  it('finds every simple root in the interval, ascending', () => {
    // (x − 0.5)(x − 1)(x − 2)(x − 3) = x⁴ − 6.5x³ + 14x² − 11.5x + 3
    const c = [1, -6.5, 14, -11.5, 3];
    const roots = realRootsIn(c, 0, 10);
    expect(roots).toHaveLength(4);
    [0.5, 1, 2, 3].forEach((r, i) => expect(roots[i]).toBeCloseTo(r, 13));
    expect(realRootsIn(c, 1.5, 2.5)).toHaveLength(1);
    expect(realRootsIn([1, 0, 1], -5, 5)).toEqual([]);
    for (const r of roots) expect(Math.abs(evalPoly(c, r))).toBeLessThan(1e-12);
  });

  it('recovers random well-separated roots of a quartic', () => {
    fc.assert(
      // Well separated means gaps of at least 0.25: adjacent roots 0.025 apart are ill-conditioned
      // (a near double root), where no root finder in f64 reaches 1e-8 (seen: error 6.3e-9 at 9.85).
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 400 }), { minLength: 4, maxLength: 4 }).filter((ints) => {
          const s = [...ints].sort((a, b) => a - b);
          return s.every((v, i) => i === 0 || v - s[i - 1] >= 10);
        }),
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        (ints, lead) => {
        const r = ints.map((i) => i / 40).sort((a, b) => a - b);
        // lead · Π (x − r_i), expanded.
        let c = [lead];
        for (const x of r) c = [...c, 0].map((v, i) => v - (i > 0 ? x * c[i - 1] : 0));
        const found = realRootsIn(c, 0, 11);
        expect(found).toHaveLength(4);
        found.forEach((x, i) => expect(x).toBeCloseTo(r[i], 8));
        },
      ),
      { numRuns: 100 },
    );
  });
});
