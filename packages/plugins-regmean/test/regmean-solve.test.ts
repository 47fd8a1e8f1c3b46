import { Rng } from '@symfuse/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { regmeanLinear, solveSpdRidge } from '../src/index.js';

/** Independent oracle: solves A X = B ([n, n], [n, r]) by Gaussian elimination with partial pivoting. */
function gaussSolve(A: Float64Array, n: number, B: Float64Array, r: number): Float64Array {
  const a = A.slice();
  const x = B.slice();
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let i = c + 1; i < n; i++) if (Math.abs(a[i * n + c]) > Math.abs(a[p * n + c])) p = i;
    for (let j = 0; j < n; j++) [a[c * n + j], a[p * n + j]] = [a[p * n + j], a[c * n + j]];
    for (let j = 0; j < r; j++) [x[c * r + j], x[p * r + j]] = [x[p * r + j], x[c * r + j]];
    for (let i = 0; i < n; i++) {
      if (i === c) continue;
      const f = a[i * n + c] / a[c * n + c];
      for (let j = c; j < n; j++) a[i * n + j] -= f * a[c * n + j];
      for (let j = 0; j < r; j++) x[i * r + j] -= f * x[c * r + j];
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < r; j++) x[i * r + j] /= a[i * n + i];
  return x;
}

function randn(rng: Rng, n: number): Float64Array {
  return Float64Array.from({ length: n }, () => rng.normal());
}

/** XᵀX for X [rows, cols]. */
function gram(X: Float64Array, rows: number, cols: number): Float64Array {
  const g = new Float64Array(cols * cols);
  for (let r = 0; r < rows; r++) for (let i = 0; i < cols; i++) for (let j = 0; j < cols; j++) g[i * cols + j] += X[r * cols + i] * X[r * cols + j];
  return g;
}

/** Least squares W [out, in] of Y ≈ X Wᵀ: W = (YᵀX)(XᵀX)⁻¹, via the oracle. */
function leastSquares(Xs: Float64Array[], Ys: Float64Array[], rows: number[], inn: number, out: number): Float64Array {
  const G = new Float64Array(inn * inn);
  const XtY = new Float64Array(inn * out);
  Xs.forEach((X, k) => {
    const g = gram(X, rows[k], inn);
    for (let i = 0; i < g.length; i++) G[i] += g[i];
    for (let r = 0; r < rows[k]; r++) for (let i = 0; i < inn; i++) for (let o = 0; o < out; o++) XtY[i * out + o] += X[r * inn + i] * Ys[k][r * out + o];
  });
  const Wt = gaussSolve(G, inn, XtY, out);
  const W = new Float64Array(out * inn);
  for (let i = 0; i < inn; i++) for (let o = 0; o < out; o++) W[o * inn + i] = Wt[i * out + o];
  return W;
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe('regmeanLinear', () => {
  it('equals the least-squares solution over the union of the data (α = 1, raw Grams; the paper’s derivation)', () => {
    const rng = new Rng(7);
    const inn = 6;
    const out = 3;
    const rows = [20, 35, 50];
    const Xs = rows.map((n) => randn(rng, n * inn));
    // Each model's task has its own true weights, so the individual solutions differ.
    const Ys = rows.map((n, k) => {
      const Wtrue = randn(rng, out * inn);
      const Y = new Float64Array(n * out);
      for (let r = 0; r < n; r++) for (let o = 0; o < out; o++) {
        let s = 0.1 * rng.normal();
        for (let i = 0; i < inn; i++) s += Xs[k][r * inn + i] * Wtrue[o * inn + i];
        Y[r * out + o] = s;
      }
      return Y;
    });
    const own = rows.map((n, k) => leastSquares([Xs[k]], [Ys[k]], [n], inn, out));
    const union = leastSquares(Xs, Ys, rows, inn, out);
    const r = regmeanLinear({ weights: own, grams: rows.map((n, k) => gram(Xs[k], n, inn)), alphas: [1, 1, 1], out, in: inn }, 'w');
    expect(r.ridge).toBe(0);
    expect(maxAbs(r.weight, union)).toBeLessThan(1e-10);
    // Per-token Grams weigh the models alike instead: a different (weighted) least-squares problem.
    const perToken = regmeanLinear({ weights: own, grams: rows.map((n, k) => gram(Xs[k], n, inn).map((v) => v / n)), alphas: [1, 1, 1], out, in: inn }, 'w');
    expect(maxAbs(perToken.weight, union)).toBeGreaterThan(1e-3);
  });

  it('with identical Grams is the simple mean, for any α', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 2, max: 4 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer(), (inn, out, m, alpha, seed) => {
        const rng = new Rng(seed);
        const X = randn(rng, (inn + 3) * inn);
        const G = gram(X, inn + 3, inn);
        const Ws = Array.from({ length: m }, () => randn(rng, out * inn));
        const r = regmeanLinear({ weights: Ws, grams: Ws.map(() => G), alphas: Ws.map(() => alpha), out, in: inn }, 'w');
        const mean = new Float64Array(out * inn);
        for (const W of Ws) for (let i = 0; i < mean.length; i++) mean[i] += W[i] / m;
        expect(maxAbs(r.weight, mean)).toBeLessThan(1e-9);
      }),
      { numRuns: 60 },
    );
  });

  it('with α = 0 is the per-input-feature reweighted mean, and α → 0 tends to it', () => {
    const rng = new Rng(3);
    const inn = 5;
    const out = 4;
    const Ws = [0, 1, 2].map(() => randn(rng, out * inn));
    const Gs = [10, 12, 30].map((n) => gram(randn(rng, n * inn), n, inn));
    const expected = new Float64Array(out * inn);
    for (let o = 0; o < out; o++) for (let c = 0; c < inn; c++) {
      let num = 0;
      let den = 0;
      Gs.forEach((G, i) => {
        num += Ws[i][o * inn + c] * G[c * inn + c];
        den += G[c * inn + c];
      });
      expected[o * inn + c] = num / den;
    }
    const exact = regmeanLinear({ weights: Ws, grams: Gs, alphas: [0, 0, 0], out, in: inn }, 'w');
    expect(maxAbs(exact.weight, expected)).toBeLessThan(1e-12);
    const near = regmeanLinear({ weights: Ws, grams: Gs, alphas: [1e-7, 1e-7, 1e-7], out, in: inn }, 'w');
    expect(maxAbs(near.weight, expected)).toBeLessThan(1e-5);
    const far = regmeanLinear({ weights: Ws, grams: Gs, alphas: [0.9, 0.9, 0.9], out, in: inn }, 'w');
    expect(maxAbs(far.weight, expected)).toBeGreaterThan(1e-3);
  });

  it('adds the smallest ridge that works to a singular sum of Grams, and reports it', () => {
    const rng = new Rng(11);
    const inn = 8;
    const out = 2;
    // Rank 3 < 8: every Gram and their sum are singular.
    const G = gram(randn(rng, 3 * inn), 3, inn);
    const Ws = [0, 1].map(() => randn(rng, out * inn));
    const r = regmeanLinear({ weights: Ws, grams: [G, G.map((v) => 2 * v)], alphas: [1, 1], out, in: inn }, 'w');
    expect(r.ridge).toBeGreaterThan(0);
    expect(r.attempts).toBeGreaterThan(1);
    expect([...r.weight].every(Number.isFinite)).toBe(true);
    // The solution satisfies (ΣG + λI) Wᵀ = Σ G W_iᵀ (a residual check: the system is ill-conditioned).
    const A = G.map((v) => 3 * v);
    for (let i = 0; i < inn; i++) A[i * inn + i] += r.ridge;
    let res = 0;
    let scale = 0;
    for (let i = 0; i < inn; i++) for (let o = 0; o < out; o++) {
      let b = 0;
      let aw = 0;
      for (let c = 0; c < inn; c++) {
        b += G[i * inn + c] * (Ws[0][o * inn + c] + 2 * Ws[1][o * inn + c]);
        aw += A[i * inn + c] * r.weight[o * inn + c];
      }
      res = Math.max(res, Math.abs(aw - b));
      scale = Math.max(scale, Math.abs(b));
    }
    expect(res / scale).toBeLessThan(1e-8);
  });

  it('gives input features no model saw (zero Gram row) the simple mean', () => {
    const rng = new Rng(5);
    const inn = 4;
    const out = 3;
    const Xs = [0, 1].map(() => {
      const X = randn(rng, 12 * inn);
      for (let r = 0; r < 12; r++) X[r * inn + 2] = 0; // feature 2 is dead in both models
      return X;
    });
    const Ws = [0, 1].map(() => randn(rng, out * inn));
    const r = regmeanLinear({ weights: Ws, grams: Xs.map((X) => gram(X, 12, inn)), alphas: [0.9, 0.9], out, in: inn }, 'w');
    expect(r.deadInputs).toBe(1);
    expect(r.ridge).toBe(0);
    for (let o = 0; o < out; o++) expect(r.weight[o * inn + 2]).toBeCloseTo((Ws[0][o * inn + 2] + Ws[1][o * inn + 2]) / 2, 14);
  });
});

describe('solveSpdRidge', () => {
  it('solves SPD systems like an independent Gaussian elimination', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 4 }), fc.integer(), (n, r, seed) => {
        const rng = new Rng(seed);
        const A = gram(randn(rng, (n + 2) * n), n + 2, n);
        for (let i = 0; i < n; i++) A[i * n + i] += 0.1;
        const B = randn(rng, n * r);
        const s = solveSpdRidge(A, n, B, r, 'test');
        expect(s.ridge).toBe(0);
        expect(maxAbs(s.X, gaussSolve(A, n, B, r))).toBeLessThan(1e-8);
      }),
      { numRuns: 50 },
    );
  });

  it('reports the ridge of the sequence 0, 1e-10·mean(diag A), ×10, … it used, and solves with it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 16 }), fc.integer({ min: 1, max: 3 }), fc.integer(), (n, r, seed) => {
        const rng = new Rng(seed);
        // Rank 1 < n: singular, so a ridge is needed.
        const A = gram(randn(rng, n), 1, n);
        const B = randn(rng, n * r);
        const s = solveSpdRidge(A, n, B, r, 'test');
        let meanDiag = 0;
        for (let i = 0; i < n; i++) meanDiag += A[i * n + i] / n;
        expect(s.attempts).toBeGreaterThan(1);
        expect(Math.abs(s.ridge / (1e-10 * meanDiag * 10 ** (s.attempts - 2)) - 1)).toBeLessThan(1e-12);
        expect(s.ridge / meanDiag).toBeLessThan(1e-3);
        const Ar = A.slice();
        for (let i = 0; i < n; i++) Ar[i * n + i] += s.ridge;
        const x = gaussSolve(Ar, n, B, r);
        const scale = Math.max(...x.map(Math.abs));
        expect(maxAbs(s.X, x) / scale).toBeLessThan(1e-5);
      }),
      { numRuns: 40 },
    );
  });

  it('names what it solved for when no ridge helps', () => {
    const A = new Float64Array([Number.NaN, 0, 0, 1]);
    expect(() => solveSpdRidge(A, 2, new Float64Array(2), 1, "'layer.w'")).toThrow(/RegMean solve for 'layer\.w'/);
  });
});
