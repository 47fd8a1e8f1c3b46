/**
 * Sharded collection (`parseShard`, `inShard`, `combineMeta`) and the statistics checks
 * (`paramsFingerprint`, `assertStatsFit`) that every collector and merger plugin shares.
 */
import { fromHost } from '@symfuse/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertStatsFit, combineMeta, inShard, type ModelWeights, paramsFingerprint, parseShard, shardLabel, type StatsBundle } from '../src/index.js';

const bundleOf = (meta: StatsBundle['meta'], kind = 'gram'): StatsBundle => ({ kind, meta, entries: new Map() });

describe('shards', () => {
  it("parses 'i/n' and ShardSpec objects, and names the value it refuses", () => {
    expect(parseShard(undefined)).toBeUndefined();
    expect(parseShard(' 2 / 4 ')).toEqual({ index: 2, count: 4 });
    expect(parseShard({ index: 1, count: 1 })).toEqual({ index: 1, count: 1 });
    expect(shardLabel({ index: 3, count: 5 })).toBe('3/5');
    for (const bad of ['0/2', '3/2', '1/0', 'a/b', '1', '-1/2']) expect(() => parseShard(bad)).toThrow(new RegExp(`shard = "${bad.replace('/', '\\/')}": expected 'i/n'`));
    expect(() => parseShard({ index: 1.5, count: 2 })).toThrow(/integers 1 ≤ i ≤ n/);
  });

  it('partitions any stream: every batch is in exactly one shard (and in all of them without a shard)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 200 }), (count, j) => {
        const owners = Array.from({ length: count }, (_, i) => i + 1).filter((index) => inShard(j, { index, count }));
        expect(owners).toEqual([(j % count) + 1]);
        expect(inShard(j, undefined)).toBe(true);
      }),
    );
  });

  it('combines the meta of disjoint shards: sums counts, unions shards, drops a complete union', () => {
    const part = (shard: string, tokens: number) => bundleOf({ model: 'm', tokens, 'count.w': tokens * 2, shard });
    expect(combineMeta([part('1/3', 5), part('3/3', 7)], ['tokens'])).toEqual({ model: 'm', tokens: 12, 'count.w': 24, shard: '1,3/3' });
    expect(combineMeta([part('1,3/3', 12), part('2/3', 1)], ['tokens'])).toEqual({ model: 'm', tokens: 13, 'count.w': 26 });
    expect(combineMeta([bundleOf({ model: 'm', tokens: 2 })], ['tokens'])).toEqual({ model: 'm', tokens: 2 });
  });

  it('refuses parts that are not disjoint shards of one collection, naming the key or shard', () => {
    const part = (meta: StatsBundle['meta'], kind = 'gram') => bundleOf({ model: 'm', tokens: 1, ...meta }, kind);
    expect(() => combineMeta([], ['tokens'])).toThrow(/no parts given/);
    expect(() => combineMeta([part({ shard: '1/2' }), part({ shard: '1/2' })], ['tokens'])).toThrow(/shard 1\/2 appears twice \(again in part 1\)/);
    expect(() => combineMeta([part({ shard: '1/2' }), part({ shard: '2/3' })], ['tokens'])).toThrow(/part 1 is a shard of 3 but part 0 is a shard of 2/);
    expect(() => combineMeta([part({ shard: '1/2' }), part({})], ['tokens'])).toThrow(/part 1 covers every batch/);
    expect(() => combineMeta([part({ model: 'a' }), part({ model: 'b' })], ['tokens'])).toThrow(/meta 'model' differs between parts \(part 0: "a", part 1: "b"\)/);
    expect(() => combineMeta([part({}), part({ tokens: 'x' })], ['tokens'])).toThrow(/meta 'tokens' of part 1 is "x"; expected a number/);
    expect(() => combineMeta([part({}), part({}, 'fisher')], ['tokens'])).toThrow(/part 1 holds 'fisher' statistics but part 0 holds 'gram'/);
    expect(() => combineMeta([part({ shard: 'x' })], ['tokens'])).toThrow(/part 0 has meta shard = "x"/);
  });
});

const paramsOf = (entries: [string, number[], number[]][]) => new Map(entries.map(([n, shape, v]) => [n, fromHost(Float32Array.from(v), shape)]));

describe('paramsFingerprint', () => {
  it('is 16 hex digits, invariant under permutations within a parameter, and changes with any value, name or shape', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.float({ noNaN: true, noDefaultInfinity: true, min: -10, max: 10 }), { minLength: 2, maxLength: 12 }), fc.nat(), async (vals, k) => {
        const base = await paramsFingerprint(paramsOf([['a', [vals.length], vals], ['b', [1], [0.5]]]));
        expect(base).toMatch(/^[0-9a-f]{16}$/);
        const rotated = [...vals.slice(1), vals[0]];
        expect(await paramsFingerprint(paramsOf([['b', [1], [0.5]], ['a', [vals.length], rotated]]))).toBe(base);
        const i = k % vals.length;
        const changed = vals.map((v, j) => (j === i ? Math.fround(v) + 1 : v));
        expect(await paramsFingerprint(paramsOf([['a', [vals.length], changed], ['b', [1], [0.5]]]))).not.toBe(base);
        expect(await paramsFingerprint(paramsOf([['c', [vals.length], vals], ['b', [1], [0.5]]]))).not.toBe(base);
        if (vals.length % 2 === 0) expect(await paramsFingerprint(paramsOf([['a', [2, vals.length / 2], vals], ['b', [1], [0.5]]]))).not.toBe(base);
      }),
      { numRuns: 30 },
    );
  });
});

describe('assertStatsFit', () => {
  const model: ModelWeights = { config: {}, id: 'm', params: paramsOf([['lin.weight', [2, 3], [1, 2, 3, 4, 5, 6]], ['lin.bias', [2], [0, 1]]]) };
  const entry = (shape: number[]) => ({ shape, data: new Float64Array(shape.reduce((a, b) => a * b, 1)) });

  it('accepts statistics of the model, in either layout', async () => {
    await assertStatsFit({ kind: 'gram', meta: {}, entries: new Map([['lin.weight', entry([3, 3])]]) }, { kind: 'gram', layout: 'linear-input-gram', model, who: 't' });
    await assertStatsFit({ kind: 'fisher', meta: { fingerprint: await paramsFingerprint(model.params) }, entries: new Map([['lin.weight', entry([2, 3])], ['lin.bias', entry([2])]]) }, { kind: 'fisher', layout: 'per-param', model, checkFingerprint: true, who: 't' });
  });

  it('refuses statistics of another kind, architecture, model or size, naming the entry', async () => {
    const fit = (b: Partial<StatsBundle>, layout: 'per-param' | 'linear-input-gram' = 'per-param', extra = {}) =>
      assertStatsFit({ kind: 'fisher', meta: {}, entries: new Map(), ...b }, { kind: 'fisher', layout, model, who: 'merge', ...extra });
    await expect(fit({ kind: 'gram' })).rejects.toThrow(/merge: got 'gram' statistics; expected 'fisher' statistics/);
    await expect(fit({ meta: { architecture: 'x' } }, 'per-param', { architecture: 'y' })).rejects.toThrow(/computed on architecture 'x' but the model is 'y'/);
    await expect(fit({ entries: new Map([['nope', entry([1])]]) })).rejects.toThrow(/an entry 'nope' that names no parameter of the model 'm'/);
    await expect(fit({ entries: new Map([['lin.weight', entry([3, 2])]]) })).rejects.toThrow(/entry 'lin.weight' has shape \[3, 2\] but the model's parameter \[2, 3\] needs \[2, 3\]/);
    await expect(fit({ entries: new Map([['lin.bias', entry([2])]]) }, 'linear-input-gram')).rejects.toThrow(/a Gram entry 'lin.bias' but that parameter has shape \[2\]/);
    await expect(fit({ entries: new Map([['lin.bias', { shape: [2], data: new Float64Array(3) }]]) })).rejects.toThrow(/entry 'lin.bias' holds 3 values for shape \[2\]/);
    await expect(fit({ meta: { fingerprint: '0000000000000000' } }, 'per-param', { checkFingerprint: true })).rejects.toThrow(/computed on other parameters \(fingerprint 0000000000000000\) than the model 'm'/);
  });
});
