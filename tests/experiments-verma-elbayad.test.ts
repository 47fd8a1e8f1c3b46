/**
 * Quick versions of the Verma & Elbayad (2024) experiments on tiny random models: they run end to end
 * through the public API, write their reports, and the numbers satisfy the invariants of the method
 * (exact symmetries leave model B's loss unchanged; matching never lowers the matched correlation;
 * barriers follow Eq. 10 of the curve).
 */
import { describe, expect, it } from 'vitest';
import { findExperiment } from '../experiments/index.js';
import { quickRun, readReport, tempDir } from '../experiments/lib/testing.js';

type Curve = { lambdas: number[]; losses: number[]; lossA: number; lossB: number; lossBOriginal: number; barrier: number; preservesFunction: boolean };

function checkCurve(c: Curve): void {
  expect(c.losses.length).toBe(c.lambdas.length);
  expect(c.losses.every(Number.isFinite)).toBe(true);
  // Eq. 10, recomputed: max over λ of L(λ) − ½(L_A + L_B).
  expect(c.barrier).toBeCloseTo(Math.max(...c.losses) - (c.losses[0] + c.losses[c.losses.length - 1]) / 2, 9);
  if (c.preservesFunction) expect(Math.abs(c.lossB - c.lossBOriginal)).toBeLessThan(1e-4);
}

describe('verma-elbayad experiments (quick, random models)', () => {
  const dir = tempDir();

  it('components: four curves per pair; exact symmetries keep B', async () => {
    const r = await quickRun(findExperiment('verma-elbayad-components'), dir);
    const { json, svgs } = readReport(r);
    const curves = (json.data as { curves: Record<string, Curve[]> }).curves;
    expect(Object.keys(curves)).toEqual(['vanilla', 'ffn', 'mha', 'ffn+mha']);
    for (const cs of Object.values(curves)) for (const c of cs) {
      expect(c.preservesFunction).toBe(true);
      checkCurve(c);
    }
    expect(svgs.length).toBe(2);
  });

  it('attention: ignore-heads is flagged as not function-preserving', async () => {
    const r = await quickRun(findExperiment('verma-elbayad-attention'), dir);
    const rows = (readReport(r).json.data as { rows: { id: string; curves: Curve[] }[] }).rows;
    expect(rows.map((x) => x.id)).toEqual(['vanilla-attention', 'monotonic', 'ignore-heads', 'head-perm']);
    for (const row of rows) for (const c of row.curves) {
      expect(c.preservesFunction).toBe(row.id !== 'ignore-heads');
      checkCurve(c);
    }
    expect(r.findings.join(' ')).toMatch(/Head-perm/);
  });

  it('residual: separate is flagged as not function-preserving', async () => {
    const r = await quickRun(findExperiment('verma-elbayad-residual'), dir);
    const rows = (readReport(r).json.data as { rows: { id: string; curves: Curve[] }[] }).rows;
    expect(rows.map((x) => x.id)).toEqual(['identity', 'first', 'separate']);
    for (const row of rows) for (const c of row.curves) {
      expect(c.preservesFunction).toBe(row.id !== 'separate');
      checkCurve(c);
    }
  });

  it('correlations: matching never lowers the mean matched correlation', async () => {
    const r = await quickRun(findExperiment('verma-elbayad-correlations'), dir);
    const pairs = (readReport(r).json.data as { pairs: { sites: { meanBefore: number; meanAfter: number; kind: string }[]; heatmap?: { rows: number; cols: number; before: number[] } }[] }).pairs;
    const sites = pairs.flatMap((p) => p.sites);
    expect(sites.some((s) => s.kind === 'ffn') && sites.some((s) => s.kind === 'attention')).toBe(true);
    for (const s of sites) expect(s.meanAfter).toBeGreaterThanOrEqual(s.meanBefore - 1e-9);
    const hm = pairs[0].heatmap!;
    expect(hm.before.length).toBe(hm.rows * hm.cols);
    expect(hm.before.every((v) => v >= -1 - 1e-9 && v <= 1 + 1e-9)).toBe(true);
  });

  it('data amount: one barrier per pair and amount', async () => {
    const r = await quickRun(findExperiment('verma-elbayad-data-amount'), dir);
    const amounts = (readReport(r).json.data as { amounts: { blocks: number; tokens: number; barriers: number[] }[] }).amounts;
    expect(amounts.map((a) => a.blocks)).toEqual([1, 2]);
    for (const a of amounts) expect(a.barriers.every(Number.isFinite)).toBe(true);
  });

  it('fine-tuned: classification curves with accuracy', async () => {
    const r = await quickRun(findExperiment('verma-elbayad-finetuned'), dir);
    const methods = (readReport(r).json.data as { methods: Record<string, (Curve & { accuracy: number[] })[]> }).methods;
    expect(Object.keys(methods)).toEqual(['vanilla', 'ffn+mha+first']);
    for (const cs of Object.values(methods)) for (const c of cs) {
      checkCurve(c);
      expect(c.accuracy.every((a) => a >= 0 && a <= 1)).toBe(true);
    }
  });
});
