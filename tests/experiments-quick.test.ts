/**
 * Issue 11 asks that a reduced version of every experiment runs in the test suite. This file checks
 * that it stays so (every registered experiment is run by name, quick, by some test here), and runs
 * the quick versions of the two experiments whose own tests check least, with invariants that can
 * fail: RegMean with Grams on more examples is a different run (its statistics are part of its cache
 * key), and two spellings of one layer selection give one result.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXPERIMENTS, findExperiment } from '../experiments/index.js';
import { quickRun, readReport, tempDir } from '../experiments/lib/testing.js';

const testsDir = new URL('./', import.meta.url);

describe('reduced runs of every experiment', () => {
  it('every registered experiment is run quick by name in some test file', () => {
    const sources = fs
      .readdirSync(testsDir)
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => fs.readFileSync(new URL(f, testsDir), 'utf8'))
      .filter((src) => src.includes('quickRun('));
    const missing = EXPERIMENTS.map((e) => e.name).filter((n) => !sources.some((src) => src.includes(`findExperiment('${n}')`)));
    expect(missing).toEqual([]);
    expect(EXPERIMENTS.length).toBeGreaterThanOrEqual(14);
  });
});

describe('quick runs with stronger invariants (random models)', () => {
  const dir = tempDir();

  it('regmean-examples: one merge per amount and pair, scores in [0, 1]', async () => {
    const r = await quickRun(findExperiment('regmean-examples'), dir);
    const { json } = readReport(r);
    const settings = json.settings as { amounts: number[]; partyEras: string[] };
    const rows = (json.data as { rows: { method: string; examples: number; pairwise: number[]; spam: number }[] }).rows;
    expect(rows.map((x) => x.examples)).toEqual(settings.amounts);
    const eraPairs = (settings.partyEras.length * (settings.partyEras.length - 1)) / 2;
    for (const x of rows) {
      expect(x.method).toBe('regmean');
      expect(x.pairwise.length).toBe(eraPairs);
      for (const v of [...x.pairwise, x.spam]) expect(v >= 0 && v <= 1).toBe(true);
    }
    // Grams on N examples are another run than on M: each amount merges anew (no cache hit across
    // amounts), i.e. the statistics sample is in RegMean's key. Only 2 eras: no all-eras merge.
    const merges = (json.runs as { label: string; cached: boolean }[]).filter((x) => x.label.startsWith('merge '));
    expect(merges.length).toBe(settings.amounts.length * (eraPairs + 1));
    expect(merges.every((x) => !x.cached)).toBe(true);
  });

  it('rotation-layers: [1] and { last: 1 } select the same layer of a 2-layer model and give the same merge', async () => {
    const r = await quickRun(findExperiment('rotation-layers'), dir);
    const data = readReport(r).json.data as { subsets: { id: string }[]; results: Record<string, Record<string, { pair: string[]; loss: number; macroF1: number }[]>> };
    expect(data.subsets.map((s) => s.id)).toEqual(['none', 'layer-0', 'layer-1', 'last-1', 'last-2']);
    expect(Object.keys(data.results).length).toBe(2);
    for (const group of Object.values(data.results)) {
      for (const xs of Object.values(group)) {
        expect(xs.length).toBeGreaterThan(0);
        for (const x of xs) expect(Number.isFinite(x.loss) && x.macroF1 >= 0 && x.macroF1 <= 1).toBe(true);
      }
      group['layer-1'].forEach((x, i) => {
        expect(group['last-1'][i].pair).toEqual(x.pair);
        expect(group['last-1'][i].loss).toBeCloseTo(x.loss, 10);
      });
    }
    // They are two runs (the options differ as written), not one cached run read twice.
    const merges = (readReport(r).json.runs as { label: string; cached: boolean }[]).filter((x) => x.label.startsWith('merge '));
    const both = merges.filter((x) => /rotation on (layer 1 only|last 1)$/.test(x.label));
    expect(both.length).toBe(2 * Object.values(data.results).reduce((n, g) => n + g['layer-1'].length, 0));
    expect(both.every((x) => !x.cached)).toBe(true);
  });
});
