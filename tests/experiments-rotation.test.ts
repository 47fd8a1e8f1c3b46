/**
 * Quick versions of the rotation-paper experiments on tiny random models: they run end to end through
 * the public API and write their reports, and the distances obey the optimality of each matching
 * (any matching that starts from identity and only improves cannot move B away from A; rescaling
 * after Procrustes cannot increase the distance).
 */
import { describe, expect, it } from 'vitest';
import { findExperiment } from '../experiments/index.js';
import { quickRun, readReport, tempDir } from '../experiments/lib/testing.js';

describe('rotation-paper experiments (quick, random models)', () => {
  const dir = tempDir();

  it('fusion: every merger with and without matching, scores in [0, 1]', async () => {
    // Fisher under rotation is collected again on every aligned model: leave it to the full run.
    const r = await quickRun(findExperiment('rotation-fusion'), dir, { set: { mergers: ['simple', 'regmean'] } });
    const rows = (readReport(r).json.data as { rows: { merger: string; matching: string; partyIn: number[]; partyOod: number[]; spamIn: number; spamOod: number }[] }).rows;
    expect(rows.map((x) => `${x.merger}/${x.matching}`)).toEqual(['simple/none', 'simple/rotation', 'regmean/none', 'regmean/rotation']);
    for (const x of rows) for (const v of [...x.partyIn, ...x.partyOod, x.spamIn, x.spamOod]) expect(v >= 0 && v <= 1).toBe(true);
    expect(rows[0].partyIn.length).toBe(3);
    expect(rows[0].partyOod.length).toBe(3);
  });

  it('distance: matchings never increase the distance they minimise', async () => {
    const r = await quickRun(findExperiment('rotation-distance'), dir);
    const d = (readReport(r).json.data as { distances: Record<string, Record<string, { attention: number; total: number }[]>> }).distances;
    for (const group of Object.values(d)) {
      group.none.forEach((none, i) => {
        expect(group['wm-attention'][i].attention).toBeLessThanOrEqual(none.attention * (1 + 1e-6));
        expect(group.procrustes[i].attention).toBeLessThanOrEqual(none.attention * (1 + 1e-6));
        expect(group['procrustes+rescale'][i].attention).toBeLessThanOrEqual(group.procrustes[i].attention * (1 + 1e-6));
      });
    }
  });

  it('layers: one result per matched subset and pair', async () => {
    const r = await quickRun(findExperiment('rotation-layers'), dir);
    const data = readReport(r).json.data as { subsets: { id: string }[]; results: Record<string, Record<string, { loss: number }[]>> };
    expect(data.subsets.map((s) => s.id)).toEqual(['none', 'layer-0', 'layer-1', 'last-1', 'last-2']);
    for (const g of Object.values(data.results)) for (const id of Object.keys(g)) for (const x of g[id]) expect(Number.isFinite(x.loss)).toBe(true);
  });

  it('cost: a time for every step and pair', async () => {
    const r = await quickRun(findExperiment('rotation-cost'), dir);
    const rows = (readReport(r).json.data as { rows: { step: string; seconds: number[]; collect: number[] }[] }).rows;
    expect(rows.map((x) => x.step)).toEqual(['rotation', 'rotation+rescale', 'weight-matching', 'verma-elbayad', 'simple', 'fisher', 'regmean']);
    for (const x of rows) expect(x.seconds.every((s) => s >= 0) && x.collect.every((s) => s >= 0)).toBe(true);
    expect(rows.find((x) => x.step === 'fisher')!.collect[0]).toBeGreaterThan(0);
  });
});
