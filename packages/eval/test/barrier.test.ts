import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lambdaGrid, lossBarrier } from '../src/index.js';

describe('lambdaGrid', () => {
  it('gives 21 evenly spaced values from 0 to 1 by default, 0.5 included', () => {
    const g = lambdaGrid();
    expect(g).toHaveLength(21);
    expect(g[0]).toBe(0);
    expect(g[20]).toBe(1);
    expect(g[10]).toBe(0.5);
    for (let i = 1; i < g.length; i++) expect(g[i] - g[i - 1]).toBeCloseTo(0.05, 12);
  });
  it('refuses fewer than two points', () => {
    expect(() => lambdaGrid(1)).toThrow(/points = 1/);
    expect(() => lambdaGrid(2.5)).toThrow(/integer/);
  });
});

describe('lossBarrier', () => {
  it('finds the bump of a symmetric synthetic curve L(λ) = 1 + 4λ(1−λ)', () => {
    const lambdas = lambdaGrid(21);
    const r = lossBarrier(lambdas, lambdas.map((l) => 1 + 4 * l * (1 - l)));
    expect(r.lossA).toBe(1);
    expect(r.lossB).toBe(1);
    expect(r.barrier).toBeCloseTo(1, 12);
    expect(r.barrierLambda).toBe(0.5);
    expect(r.barrierLinear).toBeCloseTo(1, 12);
    expect(r.barrierLinearLambda).toBe(0.5);
  });

  it('tells the two definitions apart on a tilted curve', () => {
    // L_B = 2 (λ=0), L_A = 1 (λ=1), straight line plus a small bump at λ = 0.75.
    const lambdas = [0, 0.25, 0.5, 0.75, 1];
    const losses = [2, 1.75, 1.5, 1.25 + 0.2, 1];
    const r = lossBarrier(lambdas, losses);
    // Eq. 10: max L − ½(L_A + L_B) = 2 − 1.5 = 0.5 at λ = 0 (the worse endpoint).
    expect(r.barrier).toBeCloseTo(0.5, 12);
    expect(r.barrierLambda).toBe(0);
    // Linear baseline: the bump of 0.2 at λ = 0.75.
    expect(r.barrierLinear).toBeCloseTo(0.2, 12);
    expect(r.barrierLinearLambda).toBe(0.75);
  });

  it('gives a linear barrier of 0 for a straight line, and a negative Eq. 10 barrier for a convex dip', () => {
    const lambdas = lambdaGrid(11);
    expect(lossBarrier(lambdas, lambdas.map((l) => 3 - l)).barrierLinear).toBeCloseTo(0, 12);
    const dip = lossBarrier(lambdas, lambdas.map((l) => 1 - l * (1 - l)));
    expect(dip.barrier).toBeCloseTo(0, 12); // the endpoints are the maximum
    expect(dip.barrierLinear).toBeCloseTo(0, 12);
  });

  it('matches a brute-force oracle and the bounds relating both definitions', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 30 }), fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 30, maxLength: 30 }), (n, raw) => {
        const lambdas = lambdaGrid(n);
        const losses = lambdas.map((_, i) => raw[i]);
        const r = lossBarrier(lambdas, losses);
        const la = losses[n - 1];
        const lb = losses[0];
        const oracle = Math.max(...losses) - (la + lb) / 2;
        const oracleLinear = Math.max(...losses.map((l, i) => l - (lambdas[i] * la + (1 - lambdas[i]) * lb)));
        expect(r.barrier).toBeCloseTo(oracle, 9);
        expect(r.barrierLinear).toBeCloseTo(oracleLinear, 9);
        expect(r.barrierLinear).toBeGreaterThanOrEqual(-1e-9);
        expect(r.barrier).toBeGreaterThanOrEqual(Math.abs(la - lb) / 2 - 1e-9);
        expect(Math.abs(r.barrier - r.barrierLinear)).toBeLessThanOrEqual(Math.abs(la - lb) / 2 + 1e-9);
        // The reported λ attains the maximum.
        const at = lambdas.indexOf(r.barrierLambda);
        expect(losses[at] - (la + lb) / 2).toBeCloseTo(r.barrier, 9);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects malformed curves with messages naming the problem', () => {
    expect(() => lossBarrier([0, 1], [1])).toThrow(/2 λ values and 1 losses/);
    expect(() => lossBarrier([0.1, 1], [1, 2])).toThrow(/0 … 1/);
    expect(() => lossBarrier([0, 0.5, 0.5, 1], [1, 2, 2, 1])).toThrow(/ascending/);
    expect(() => lossBarrier([0, 0.5, 1], [1, Number.NaN, 1])).toThrow(/λ = 0.5 is NaN/);
  });
});
