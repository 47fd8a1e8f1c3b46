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
import type { PipelineConfigInput, StatsSpec } from '../experiments/lib/pipeline.js';
import { canonicalSpaces } from '../experiments/lib/run-key.js';
import { curveKey, type EvalSpec, mergeKey } from '../experiments/lib/runs.js';
import { meanSe, pairs, pointwise } from '../experiments/lib/summary.js';
import { quickRun, readReport, tempDir } from '../experiments/lib/testing.js';
import type { ZooModel } from '../experiments/lib/zoo.js';

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

describe('run keys', () => {
  // Keys only read a model's fingerprint and head.
  const model = (fingerprint: string, head: 'mlm' | 'classifier') => ({ id: fingerprint, fingerprint, head }) as unknown as ZooModel;
  const a = model('A', 'mlm');
  const b = model('B', 'mlm');
  const evalSpec: EvalSpec = { kind: 'mlm', blocks: 2, length: 64, seed: 1234 };
  const stats: StatsSpec = { mlmBlocks: 2, mlmLength: 64, examples: 0, maxLength: 128, seed: 0 };
  type Align = PipelineConfigInput['align'];
  const key = (align: Align, o: { seed?: number; stats?: StatsSpec; points?: number } = {}) => stableStringify(curveKey({ seed: o.seed ?? 0 }, { a, b, align, eval: evalSpec, stats: o.stats ?? stats }, o.points ?? 5));
  // What verma-elbayad-components and -attention write for FFN + head-perm MHA.
  const explicit: Align = [{ aligner: 'verma-elbayad', options: { ffn: true, mha: 'head-perm', residual: 'identity', classifierHead: false } }];

  it('one run described with an alias, defaults left out, another key order or selector spelling has one key', () => {
    const k = key(explicit);
    expect(key([{ aligner: 'verma-elbayad', options: { heads: 'head-perm' } }])).toBe(k);
    expect(key([{ aligner: 'verma-elbayad' }])).toBe(k);
    expect(key([{ options: { correlationMatrices: false, classifierHead: false, residual: 'identity', mha: 'head-perm', ffn: true }, aligner: 'verma-elbayad' }])).toBe(k);
    // The aligner's own components (its default selection), in another order, with `attention` and a repeat.
    expect(key([{ aligner: 'verma-elbayad', spaces: ['head', 'attention', 'ffn', 'residual', 'ffn'], options: { ffn: true } }])).toBe(k);
    // Fields of the statistics sample an MLM never reads (they are the classifiers').
    expect(key(explicit, { stats: { ...stats, examples: 64, maxLength: 32 } })).toBe(k);
    // Nothing to align: the seed and the statistics sample cannot matter.
    expect(key([], { seed: 7, stats: { ...stats, mlmBlocks: 9 } })).toBe(key(undefined));
    expect(canonicalSpaces(['attention', 'ffn'], [])).toEqual(['attention-qk', 'attention-vo', 'ffn']);
    expect(canonicalSpaces(undefined, ['attention-vo', 'attention-qk'])).toEqual(['attention-qk', 'attention-vo']);
  });

  it('a different run has a different key', () => {
    const keys = [
      key(explicit),
      key([{ aligner: 'verma-elbayad', options: { mha: 'monotonic' } }]),
      key([{ aligner: 'verma-elbayad', options: { heads: 'ignore-heads' } }]),
      key([{ aligner: 'verma-elbayad', options: { residual: 'first' } }]),
      key([{ aligner: 'verma-elbayad', options: { classifierHead: true } }]),
      key([{ aligner: 'verma-elbayad', spaces: ['ffn', 'attention'] }]),
      key([{ aligner: 'weight-matching' }]),
      key(explicit, { stats: { ...stats, mlmBlocks: 4 } }),
      key(explicit, { stats: { ...stats, mlmLength: 32 } }),
      key(explicit, { stats: { ...stats, seed: 1 } }),
      key(explicit, { seed: 1 }),
      key(explicit, { points: 3 }),
      key([]),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('property: two option sets have one key exactly when they resolve to the same options', () => {
    // The aligner's documented defaults (an oracle written out here, not read from its schema).
    const DEFAULTS = { ffn: true, mha: 'head-perm', residual: 'identity', classifierHead: false };
    const options = fc.record(
      {
        ffn: fc.boolean(),
        mha: fc.constantFrom('head-perm', 'monotonic', 'ignore-heads', 'none'),
        residual: fc.constantFrom('identity', 'first', 'last', 'all', 'separate'),
        classifierHead: fc.boolean(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(options, options, fc.boolean(), (x, y, alias) => {
        // Spell x's `mha` as its alias `heads` half of the time, and write its keys in reverse order.
        const spelt = Object.fromEntries(Object.entries(x).map(([k, v]) => [alias && k === 'mha' ? 'heads' : k, v]).reverse());
        const same = stableStringify({ ...DEFAULTS, ...x }) === stableStringify({ ...DEFAULTS, ...y });
        expect(key([{ aligner: 'verma-elbayad', options: spelt }]) === key([{ aligner: 'verma-elbayad', options: y }])).toBe(same);
      }),
      { numRuns: 150 },
    );
  });

  it('merge keys resolve merger params and the pipeline seed, and drop statistics nothing reads', () => {
    const p = model('P', 'classifier');
    const q = model('Q', 'classifier');
    const cls: StatsSpec = { mlmBlocks: 0, mlmLength: 128, examples: 8, maxLength: 64, seed: 0 };
    const evals: Record<string, EvalSpec> = { x: { kind: 'classification', task: 'party', domain: '1853-1900', split: 'test', examples: 16, maxLength: 64 } };
    const mk = (config: PipelineConfigInput, o: { seed?: number; stats?: StatsSpec } = {}) => stableStringify(mergeKey({ seed: o.seed ?? 0 }, { anchor: p, models: [q], config, evals, stats: o.stats ?? cls }));
    const regmean = mk({ align: [{ aligner: 'rotation', options: { rescale: false } }], merge: { method: 'regmean', alpha: 0.9 } });
    expect(mk({ align: [{ aligner: 'rotation', spaces: ['attention'], options: { rescale: false, headPairing: false, qk: true } }], merge: { method: 'regmean' } })).toBe(regmean);
    expect(mk({ align: [{ aligner: 'rotation', options: { rescale: false } }], merge: { method: 'regmean' }, seed: 0 }, { seed: 5 })).toBe(regmean);
    expect(mk({ align: [{ aligner: 'rotation', options: { rescale: false } }], merge: { method: 'regmean' } }, { stats: { ...cls, mlmBlocks: 64, mlmLength: 16 } })).toBe(regmean);
    expect(mk({ align: [{ aligner: 'rotation', options: { rescale: false } }], merge: { method: 'regmean', alpha: 0.5 } })).not.toBe(regmean);
    expect(mk({ align: [{ aligner: 'rotation', options: { rescale: false } }], merge: { method: 'regmean' } }, { stats: { ...cls, examples: 64 } })).not.toBe(regmean);
    expect(mk({ align: [{ aligner: 'rotation', options: { rescale: false } }], merge: { method: 'regmean' } }, { seed: 5 })).not.toBe(regmean);
    // Rotation + simple averaging reads no statistics: their sample is not part of the key.
    const simple = mk({ align: [{ aligner: 'rotation' }], merge: { method: 'simple' } });
    expect(mk({ align: [{ aligner: 'rotation' }], merge: { method: 'simple' } }, { stats: { ...cls, examples: 64, seed: 3 } })).toBe(simple);
    expect(simple).not.toBe(mk({ align: [{ aligner: 'rotation', options: { rescale: false } }], merge: { method: 'simple' } }));
  });

  it('an invalid configuration is refused with the step and option named', () => {
    expect(() => key([{ aligner: 'verma-elbayad', options: { mha: 'sideways' } }])).toThrow(/align\[0\] \(aligner 'verma-elbayad'\).*mha/);
    expect(() => key([{ aligner: 'nope' }])).toThrow(/nope/);
  });

  it('an entry stored under an older key of the run is found and copied under the new key', async () => {
    const dir = tempDir();
    await new RunCache(dir, true).get('old', { v: 1, raw: 'x' }, async () => 41);
    const cache = new RunCache(dir, true);
    expect(cache.peek({ v: 2, canonical: 'x' })).toBeUndefined();
    expect(await cache.get('new', { v: 2, canonical: 'x' }, async () => 0, [{ v: 0 }, { v: 1, raw: 'x' }])).toBe(41);
    expect(cache.records.map((r) => r.cached)).toEqual([true]);
    expect(cache.peek({ v: 2, canonical: 'x' })).toBe(41);
    expect(await cache.get('new', { v: 2, canonical: 'y' }, async () => 5, [{ v: 1, raw: 'y' }])).toBe(5);
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

  it('experiments that need the same run share it', async () => {
    const dir = tempDir();
    await quickRun(findExperiment('verma-elbayad-components'), dir);
    // Residual `identity` is vanilla averaging and `ffn+mha+identity` the FFN + MHA alignment; the
    // data-amount curves at the default amount are the by-component ones (built through another path).
    const residual = readReport(await quickRun(findExperiment('verma-elbayad-residual'), dir, { set: { rows: ['identity', 'ffn+mha+identity'] } })).json;
    const amount = readReport(await quickRun(findExperiment('verma-elbayad-data-amount'), dir, { set: { amounts: [2] } })).json;
    for (const j of [residual, amount]) {
      const runs = j.runs as { label: string; cached: boolean }[];
      expect(runs.filter((r) => r.label.startsWith('curve ')).length).toBe(2);
      expect(runs.every((r) => r.cached)).toBe(true);
    }
  });

  it('a coarser λ grid is cut from a cached finer curve, with its barrier recomputed', async () => {
    const dir = tempDir();
    const fine = readReport(await quickRun(findExperiment('verma-elbayad-components'), dir)).json;
    const coarse = readReport(await quickRun(findExperiment('verma-elbayad-attention'), dir, { set: { points: 3, rows: ['head-perm'] } })).json;
    const runs = coarse.runs as { label: string; key: string; seconds: number; cached: boolean }[];
    // Nothing is computed anew: the models' scores (the quality finding) come from the first run's
    // cache, and the one curve (one pair, one row) is cut from its 5-point curve.
    expect(runs.every((r) => r.cached)).toBe(true);
    const curves = runs.filter((r) => r.label.startsWith('curve '));
    expect(curves.length).toBe(1);
    expect(curves.every((r) => r.key === 'finer' && r.seconds === 0)).toBe(true);
    const f = (fine.data as { curves: Record<string, { losses: number[] }[]> }).curves['ffn+mha'][0];
    const c = (coarse.data as { rows: { curves: { lambdas: number[]; losses: number[]; barrier: number }[] }[] }).rows[0].curves[0];
    expect(c.lambdas).toEqual([0, 0.5, 1]);
    expect(c.losses).toEqual([f.losses[0], f.losses[2], f.losses[4]]);
    expect(c.barrier).toBeCloseTo(Math.max(...c.losses) - (c.losses[0] + c.losses[2]) / 2, 12);
  });
});
