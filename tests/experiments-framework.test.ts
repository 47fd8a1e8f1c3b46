/**
 * The experiment framework: option parsing, settings overrides, the resumable run cache, summaries,
 * the registry, and that a second run of an experiment takes every run from the cache and reports
 * the same numbers.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXPERIMENTS, findExperiment, listExperiments } from '../experiments/index.js';
import { RunCache, stableStringify } from '../experiments/lib/cache.js';
import { applySettings, parseCliOptions } from '../experiments/lib/options.js';
import { meanSe, pairs, pointwise } from '../experiments/lib/summary.js';
import { quickRun, readReport, tempDir } from '../experiments/lib/testing.js';

describe('options', () => {
  it('parses the command line of an experiment script', () => {
    const o = parseCliOptions(['--quick', '--models', 'random', '--seed', '3', '--set', 'pairs=2', '--set', 'names=["a","b"]', '--set', 'label=x y', '--no-cache']);
    expect(o).toMatchObject({ quick: true, models: 'random', seed: 3, cache: false, set: { pairs: 2, names: ['a', 'b'], label: 'x y' } });
  });

  it('refuses bad flags with a message naming them', () => {
    expect(() => parseCliOptions(['--models', 'gpu'])).toThrow(/--models gpu: expected auto, fixtures or random/);
    expect(() => parseCliOptions(['--set', 'novalue'])).toThrow(/--set novalue: expected key=value/);
    expect(() => parseCliOptions(['--seed', '1.5'])).toThrow(/--seed 1.5/);
    expect(() => parseCliOptions(['--bogus'])).toThrow();
  });

  it('applies overrides of known settings only, of the same type', () => {
    const d = { points: 21, seeds: [1, 2], name: 'x' };
    expect(applySettings(d, { points: 11, seeds: [3] })).toEqual({ points: 11, seeds: [3], name: 'x' });
    expect(() => applySettings(d, { pointz: 3 })).toThrow(/unknown setting; known: points, seeds, name/);
    expect(() => applySettings(d, { points: '3' })).toThrow(/expected a number/);
    expect(() => applySettings(d, { seeds: 3 })).toThrow(/expected a array/);
  });
});

describe('run cache', () => {
  it('computes once, then returns the stored value for an equal key (key order irrelevant)', async () => {
    const dir = tempDir();
    const cache = new RunCache(dir, true);
    let calls = 0;
    const compute = async () => ({ n: ++calls, xs: [1.5, -2] });
    const a = await cache.get('a', { b: 1, a: [1, 2] }, compute);
    const b = await new RunCache(dir, true).get('a', { a: [1, 2], b: 1 }, compute);
    expect(a).toEqual({ n: 1, xs: [1.5, -2] });
    expect(b).toEqual(a);
    expect(calls).toBe(1);
    await cache.get('c', { b: 2, a: [1, 2] }, compute);
    expect(calls).toBe(2);
  });

  it('recomputes over a torn file and never caches when disabled', async () => {
    const dir = tempDir();
    const cache = new RunCache(dir, true);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(cache.fileFor({ k: 1 }), '{"key": {"k": 1}, "val');
    expect(await cache.get('x', { k: 1 }, async () => 7)).toBe(7);
    expect(await new RunCache(dir, true).get('x', { k: 1 }, async () => 8)).toBe(7);
    const off = new RunCache(path.join(dir, 'off'), false);
    expect(await off.get('x', { k: 1 }, async () => 9)).toBe(9);
    expect(fs.existsSync(path.join(dir, 'off'))).toBe(false);
  });

  it('stableStringify is independent of key order and distinguishes values', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.string(), fc.array(fc.integer()))), (o) => {
        const reversed = Object.fromEntries(Object.entries(o).reverse());
        expect(stableStringify(reversed)).toBe(stableStringify(o));
        expect(JSON.parse(stableStringify(o))).toEqual(o);
      }),
    );
  });
});

describe('summaries', () => {
  it('mean and standard error match the textbook formulas', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 2, maxLength: 30 }), (xs) => {
        const m = meanSe(xs);
        const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
        const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1));
        expect(m.mean).toBeCloseTo(mean, 6);
        expect(m.se).toBeCloseTo(sd / Math.sqrt(xs.length), 6);
      }),
    );
    expect(meanSe([4])).toEqual({ mean: 4, se: 0, n: 1 });
    expect(pointwise([[1, 2], [3, 6]]).map((m) => m.mean)).toEqual([2, 4]);
  });

  it('pairs lists each unordered pair once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9 }), (n) => {
        const ps = pairs(Array.from({ length: n }, (_, i) => i));
        expect(ps.length).toBe((n * Math.max(0, n - 1)) / 2);
        expect(new Set(ps.map((p) => p.join(','))).size).toBe(ps.length);
        expect(ps.every(([a, b]) => a < b)).toBe(true);
      }),
    );
  });
});

describe('registry', () => {
  it('lists every experiment script under its own name', () => {
    const names = EXPERIMENTS.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(fs.existsSync(new URL(`../experiments/${n}.ts`, import.meta.url))).toBe(true);
    expect(listExperiments().map((e) => e.name)).toEqual(names);
    expect(() => findExperiment('nope')).toThrow(/unknown experiment 'nope'; known: verma-elbayad-components/);
  });
});

const fixtures = new URL('../fixtures/', import.meta.url);
const haveFixtures = ['mlm-seed1', 'mlm-seed2'].every((m) => fs.existsSync(new URL(`${m}/config.json`, fixtures)));

describe('on the trained fixtures', () => {
  it.skipIf(!haveFixtures)('the quick by-component run loads them and its alignments preserve the function', async () => {
    const r = await quickRun(findExperiment('verma-elbayad-components'), tempDir(), { models: 'fixtures' });
    const { json } = readReport(r);
    expect((json.models as { source: string }).source).toBe('fixtures');
    const curves = (json.data as { curves: Record<string, { lossB: number; lossBOriginal: number; losses: number[] }[]> }).curves;
    for (const cs of Object.values(curves)) for (const c of cs) {
      expect(Math.abs(c.lossB - c.lossBOriginal)).toBeLessThan(1e-4);
      expect(c.losses.every(Number.isFinite)).toBe(true);
    }
  });
});

describe('resuming', () => {
  it('a second run takes every run from the cache and reports the same numbers', async () => {
    const dir = tempDir();
    const e = findExperiment('verma-elbayad-correlations');
    const first = await quickRun(e, dir);
    const again = await quickRun(e, dir, { outDir: path.join(dir, 'out2') });
    const j1 = readReport(first).json;
    const j2 = readReport(again).json;
    expect((j2.runs as { cached: boolean }[]).every((r) => r.cached)).toBe(true);
    expect((j1.runs as { cached: boolean }[]).some((r) => !r.cached)).toBe(true);
    expect(j2.data).toEqual(j1.data);
  });

  // Known bug (issue 11): verma-elbayad-attention does not find the finer curve that
  // verma-elbayad-components cached, so it recomputes instead of cutting the cached curve. The
  // results are still correct (only slower); skipped until the cache keys of the two agree.
  it.skip('a coarser λ grid is cut from a cached finer curve, with its barrier recomputed [SKIPPED: known cache-key mismatch, issue 11]', async () => {
    const dir = tempDir();
    const fine = readReport(await quickRun(findExperiment('verma-elbayad-components'), dir)).json;
    const coarse = readReport(await quickRun(findExperiment('verma-elbayad-attention'), dir, { set: { points: 3, rows: ['head-perm'] } })).json;
    expect((coarse.runs as { key: string; seconds: number }[]).every((r) => r.key === 'finer' && r.seconds === 0)).toBe(true);
    const f = (fine.data as { curves: Record<string, { losses: number[] }[]> }).curves['ffn+mha'][0];
    const c = (coarse.data as { rows: { curves: { lambdas: number[]; losses: number[]; barrier: number }[] }[] }).rows[0].curves[0];
    expect(c.lambdas).toEqual([0, 0.5, 1]);
    expect(c.losses).toEqual([f.losses[0], f.losses[2], f.losses[4]]);
    expect(c.barrier).toBeCloseTo(Math.max(...c.losses) - (c.losses[0] + c.losses[2]) / 2, 12);
  });
});
