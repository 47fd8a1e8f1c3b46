/**
 * Quick versions of the RegMean experiments (and the alignment-before-RegMean extension) on tiny
 * random models: they run end to end through the public API, including the multi-task baseline's
 * training, and write their reports.
 */
import { describe, expect, it } from 'vitest';
import { findExperiment } from '../experiments/index.js';
import { quickRun, readReport, tempDir } from '../experiments/lib/testing.js';

const inUnit = (v: number | undefined) => v === undefined || (v >= 0 && v <= 1);

describe('regmean experiments (quick, random models)', () => {
  const dir = tempDir();

  it('domains: every baseline, merger and the MTL model', async () => {
    const r = await quickRun(findExperiment('regmean-domains'), dir);
    const { json } = readReport(r);
    const rows = (json.data as { rows: { label: string; party?: number; partyOod?: number; spam?: number; spamOod?: number }[] }).rows;
    expect(rows.map((x) => x.label)).toEqual(['Individual: Avg', 'Individual: Best', 'Ensemble', 'Simple', 'Fisher', 'RegMean', 'Constant predictor (floor)', 'Domain-specific', 'MTL']);
    for (const x of rows) for (const v of [x.party, x.partyOod, x.spam, x.spamOod]) expect(inUnit(v)).toBe(true);
    // Best ≥ Avg by definition.
    expect(rows[1].party!).toBeGreaterThanOrEqual(rows[0].party! - 1e-12);
  });

  it('alpha: one row per α', async () => {
    const r = await quickRun(findExperiment('regmean-alpha'), dir);
    const rows = (readReport(r).json.data as { rows: { alpha: number; pairwise: number[]; all: number; spam: number }[] }).rows;
    expect(rows.map((x) => x.alpha)).toEqual([0, 0.9, 1]);
    for (const x of rows) expect([...x.pairwise, x.all, x.spam].every(inUnit)).toBe(true);
  });

  it('examples: one row per amount', async () => {
    const r = await quickRun(findExperiment('regmean-examples'), dir);
    const rows = (readReport(r).json.data as { rows: { examples: number; pairwise: number[] }[] }).rows;
    expect(rows.map((x) => x.examples)).toEqual([4, 16]);
  });

  it('aligned: merges of different-seed classifiers with and without alignment', async () => {
    const r = await quickRun(findExperiment('regmean-aligned'), dir);
    const rows = (readReport(r).json.data as { rows: { merger: string; matching: string; all: number; allOod: number }[] }).rows;
    expect(rows.map((x) => `${x.merger}/${x.matching}`)).toEqual(['simple/none', 'simple/permutation', 'regmean/none', 'regmean/permutation']);
    for (const x of rows) expect(inUnit(x.all) && inUnit(x.allOod)).toBe(true);
  });
});
