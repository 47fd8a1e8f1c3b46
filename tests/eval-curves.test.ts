/**
 * Cross-package: interpolation curves over real parameter maps with an analytic loss. For the concave
 * L(θ) = 10 − ‖θ − c‖² the loss along θ(λ) = λθ_A + (1−λ)θ_B is a parabola in λ lying above its
 * chord by λ(1−λ)‖θ_A − θ_B‖², so the linear barrier is exactly ‖θ_A − θ_B‖²/4 at λ = ½ — an
 * independent oracle for the curve, both barrier definitions, the λ grid and the report plots.
 */
import { type EvalModel, type Evaluator, findAll, interpolationCurve, lambdaGrid, parameterDistances, parseSvg, renderMarkdown, reportPlots, type RunReport, seriesNames } from '@symfuse/eval';
import { fromHost } from '@symfuse/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

function model(values: number[]): EvalModel {
  return { config: {}, params: new Map([['bert.encoder.layer.0.output.dense.weight', fromHost(Float64Array.from(values), [values.length])]]) };
}

function quadratic(center: number[]): Evaluator {
  return {
    kind: 'mlm',
    description: 'analytic 10 − ‖θ − c‖²',
    async evaluate(m) {
      const x = m.params.values().next().value!.dataSync();
      let s = 0;
      for (let i = 0; i < x.length; i++) s += (x[i] - center[i]) ** 2;
      return { loss: 10 - s, pppl: Math.exp(10 - s), count: 1 };
    },
  };
}

describe('interpolation curves (analytic loss)', () => {
  it('give the parabola, a linear barrier of ‖A − B‖²/4 at λ = ½, and Eq. 10 consistent with it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 3, maxLength: 3 }), fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 3, maxLength: 3 }), fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 3, maxLength: 3 }), async (a, b, c) => {
        const ev = quadratic(c);
        const r = await interpolationCurve(model(a), model(b), ev, { points: 21 });
        const d2 = a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0);
        expect(r.lambdas).toEqual(lambdaGrid(21));
        r.lambdas.forEach((l, i) => {
          const theta = a.map((x, k) => l * x + (1 - l) * b[k]);
          expect(r.losses[i]).toBeCloseTo(10 - theta.reduce((s, x, k) => s + (x - c[k]) ** 2, 0), 9);
        });
        expect(r.barrierLinear).toBeCloseTo(d2 / 4, 9);
        if (d2 > 1e-6) expect(r.barrierLinearLambda).toBe(0.5);
        const half = Math.abs(r.lossA - r.lossB) / 2;
        expect(r.barrier).toBeGreaterThanOrEqual(r.barrierLinear - half - 1e-9);
        expect(r.barrier).toBeLessThanOrEqual(r.barrierLinear + half + 1e-9);
        expect(parameterDistances(model(a).params, model(b).params).total.l2).toBeCloseTo(Math.sqrt(d2), 9);
      }),
      { numRuns: 25 },
    );
  });

  it('reuses known endpoint scores and renders into a report with valid plots', async () => {
    let calls = 0;
    const base = quadratic([0, 0]);
    const ev: Evaluator = { ...base, evaluate: (m) => (calls++, base.evaluate(m)) };
    const a = model([1, 0]);
    const b = model([-1, 0]);
    const vanilla = await interpolationCurve(a, b, ev, { points: 5, endpoints: { a: await ev.evaluate(a), b: await ev.evaluate(b) } });
    expect(calls).toBe(2 + 3);
    expect(vanilla.barrier).toBeCloseTo(1, 12); // L = 10 − (2λ−1)²: 9 at both ends, 10 at λ = ½
    expect(vanilla.barrierLambda).toBe(0.5);
    const aligned = await interpolationCurve(a, model([0.9, 0.1]), ev, { points: 5 });
    const report: RunReport = {
      tool: { name: 'symfuse', version: 'test' },
      command: 'test',
      createdAt: 'now',
      models: [{ role: 'anchor', path: 'a' }, { role: 'model', path: 'b' }],
      evaluation: { kind: 'mlm', description: 'analytic <loss> & more', sample: {}, curves: { vanilla: { ...vanilla, pppl: vanilla.scores.map((s) => s.pppl!) }, aligned: { ...aligned, pppl: aligned.scores.map((s) => s.pppl!) } } },
      timings: {},
      warnings: [],
      files: [],
    };
    const plots = reportPlots(report);
    expect([...plots.keys()]).toEqual(['loss-curves.svg', 'pppl-curves.svg']);
    const root = parseSvg(plots.get('loss-curves.svg')!);
    expect(seriesNames(root)).toEqual([`Vanilla (barrier ${vanilla.barrier.toFixed(3)})`, `Aligned (barrier ${aligned.barrier.toFixed(3)})`]);
    expect(findAll(root, (n) => n.name === 'path').length).toBeGreaterThanOrEqual(2);
    const md = renderMarkdown(report);
    expect(md).toMatch(/\| vanilla \| 9 \| 9 \| 10 \| 1 \| 0\.5 \| 1 \| 0\.5 \|/);
  });
});
