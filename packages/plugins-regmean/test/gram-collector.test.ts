import { forward, type TapCollector } from '@symfuse/models';
import { assertStatsFit, coreSymmetryPlugin, createRegistry, type ModelBatch } from '@symfuse/symmetry';
import { maxRelDiff, randomBatches, randomEncoderModel, smallEncoderConfig } from '@symfuse/symmetry/testing';
import { describe, expect, it } from 'vitest';
import { GramAccumulator, collectGrams, combineGrams, gramSites, regmeanPlugin } from '../src/index.js';

const config = smallEncoderConfig({ numLayers: 2 });
const registry = createRegistry().use(coreSymmetryPlugin()).use(regmeanPlugin()).freeze();
const collector = registry.collector('gram');

/** Oracle: the rows of every linear-input site, gathered through our own taps, summed as XᵀX naively. */
function naiveGrams(model: ReturnType<typeof randomEncoderModel>, batches: readonly ModelBatch[]): { sums: Map<string, Float64Array>; rows: Map<string, number> } {
  const sums = new Map<string, Float64Array>();
  const rows = new Map<string, number>();
  const sites = new Set([...gramSites(model.config, model.head), 'cls.predictions.decoder.weight']);
  const taps: TapCollector = {
    wants: (s) => sites.has(s),
    collect(site, features) {
      const [n, d] = features.shape;
      const x = features.dataSync();
      const g = sums.get(site) ?? new Float64Array(d * d);
      for (let r = 0; r < n; r++) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) g[i * d + j] += x[r * d + i] * x[r * d + j];
      sums.set(site, g);
      rows.set(site, (rows.get(site) ?? 0) + n);
    },
  };
  for (const b of batches) forward({ config: model.config, params: model.params as Map<string, never>, head: model.head }, b, { taps });
  return { sums, rows };
}

describe('gram collector', () => {
  const cls = randomEncoderModel(config, { seed: 3, head: 'classifier' });
  const spec = registry.architectureFor(config).buildSpec(config, { head: 'classifier' });
  const batches = randomBatches(config, 9, 5, 3, 7);

  it('collects XᵀX per token of every linear input (Q/K/V once, under the query), normalised by the row count', async () => {
    const bundle = await collector.collect({ spec, model: cls, batches, options: { data: 'random ids', precision: 'f64' } });
    const oracle = naiveGrams(cls, batches);
    const layer0 = 'bert.encoder.layer.0';
    expect([...bundle.entries.keys()]).toEqual([
      `${layer0}.attention.self.query.weight`,
      `${layer0}.attention.output.dense.weight`,
      `${layer0}.intermediate.dense.weight`,
      `${layer0}.output.dense.weight`,
      'bert.encoder.layer.1.attention.self.query.weight',
      'bert.encoder.layer.1.attention.output.dense.weight',
      'bert.encoder.layer.1.intermediate.dense.weight',
      'bert.encoder.layer.1.output.dense.weight',
      'bert.pooler.dense.weight',
      'classifier.weight',
    ]);
    let tokens = 0;
    for (const b of batches) for (const m of b.mask) tokens += m;
    expect(bundle.meta.tokens).toBe(tokens);
    expect(bundle.meta[`count.${layer0}.intermediate.dense.weight`]).toBe(tokens);
    expect(bundle.meta['count.bert.pooler.dense.weight']).toBe(15); // one row per sequence
    expect(bundle.kind).toBe('gram');
    expect(bundle.meta).toMatchObject({ architecture: spec.architecture, model: 'random-3', normalization: 'tokens', precision: 'f64', data: 'random ids', batches: 5 });
    for (const [name, e] of bundle.entries) {
      const n = oracle.rows.get(name)!;
      expect(bundle.meta[`count.${name}`]).toBe(n);
      expect(maxRelDiff(oracle.sums.get(name)!.map((v) => v / n), e.data)).toBeLessThan(1e-12);
      // Symmetric positive semi-definite: symmetric, non-negative diagonal.
      const d = e.shape[0];
      for (let i = 0; i < d; i++) {
        expect(e.data[i * d + i]).toBeGreaterThanOrEqual(0);
        for (let j = 0; j < i; j++) expect(e.data[i * d + j]).toBe(e.data[j * d + i]);
      }
    }
    const raw = await collector.collect({ spec, model: cls, batches, options: { normalize: 'none', precision: 'f64' } });
    const name = `${layer0}.output.dense.weight`;
    expect(maxRelDiff(oracle.sums.get(name)!, raw.entries.get(name)!.data)).toBeLessThan(1e-12);
  });

  it("by default multiplies each batch in f32 (the fast GEMM) and still matches the f64 oracle to ~1e-6, exactly symmetric", async () => {
    const fast = await collector.collect({ spec, model: cls, batches });
    expect(fast.meta.precision).toBe('f32');
    const oracle = naiveGrams(cls, batches);
    for (const [name, e] of fast.entries) {
      const err = maxRelDiff(oracle.sums.get(name)!.map((v) => v / oracle.rows.get(name)!), e.data);
      expect(err).toBeLessThan(2e-5);
      const d = e.shape[0];
      for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) expect(e.data[i * d + j]).toBe(e.data[j * d + i]);
    }
    await expect(collector.collect({ spec, model: cls, batches, options: { precision: 'f16' } })).rejects.toThrow(/precision/);
  });

  it('excludes padding: a padded batch gives the Gram of its sequences run alone', async () => {
    const padded = randomBatches(config, 21, 1, 4, 8, true)[0];
    const alone: ModelBatch[] = [];
    for (let b = 0; b < padded.batch; b++) {
      let len = 0;
      while (len < padded.seqLen && padded.mask[b * padded.seqLen + len] === 1) len++;
      alone.push({ ids: padded.ids.slice(b * padded.seqLen, b * padded.seqLen + len), mask: new Int32Array(len).fill(1), batch: 1, seqLen: len });
    }
    expect(alone.some((b) => b.seqLen < padded.seqLen)).toBe(true);
    const a = await collector.collect({ spec, model: cls, batches: [padded], options: { normalize: 'none' } });
    const b = await collector.collect({ spec, model: cls, batches: alone, options: { normalize: 'none' } });
    expect(a.meta.tokens).toBe(b.meta.tokens);
    for (const [name, e] of a.entries) expect(maxRelDiff(e.data, b.entries.get(name)!.data)).toBeLessThan(1e-5);
  });

  it('sharded collection combined equals one pass (exactly up to rounding), in any order', async () => {
    const many = randomBatches(config, 4, 7, 2, 6);
    const whole = await collector.collect({ spec, model: cls, batches: many });
    const shards = await Promise.all([1, 2, 3].map((i) => collector.collect({ spec, model: cls, batches: many, options: { shard: `${i}/3` } })));
    expect(shards.map((s) => s.meta.batches)).toEqual([3, 2, 2]);
    expect(shards[1].meta.shard).toBe('2/3');
    for (const order of [[0, 1, 2], [2, 0, 1]]) {
      const combined = collector.combine(order.map((i) => shards[i]));
      expect(combined.meta).toEqual(whole.meta);
      for (const [name, e] of whole.entries) expect(maxRelDiff(e.data, combined.entries.get(name)!.data)).toBeLessThan(1e-13);
    }
    const partial = combineGrams([shards[0], shards[2]]);
    expect(partial.meta.shard).toBe('1,3/3');
    // Raw sums combine by addition.
    const rawShards = await Promise.all([1, 2].map((i) => collector.collect({ spec, model: cls, batches: many, options: { shard: `${i}/2`, normalize: 'none' } })));
    const rawWhole = await collector.collect({ spec, model: cls, batches: many, options: { normalize: 'none' } });
    const rawCombined = combineGrams(rawShards);
    for (const [name, e] of rawWhole.entries) expect(maxRelDiff(e.data, rawCombined.entries.get(name)!.data)).toBeLessThan(1e-13);
  });

  it('refuses to combine parts that are not disjoint shards of one collection', async () => {
    const many = randomBatches(config, 4, 4, 2, 6);
    const s1 = await collector.collect({ spec, model: cls, batches: many, options: { shard: '1/2' } });
    const s2 = await collector.collect({ spec, model: cls, batches: many, options: { shard: '2/2' } });
    const other = randomEncoderModel(config, { seed: 4, head: 'classifier' });
    const o2 = await collector.collect({ spec, model: other, batches: many, options: { shard: '2/2' } });
    expect(() => combineGrams([s1, s1])).toThrow(/shard 1\/2 appears twice/);
    expect(() => combineGrams([s1, o2])).toThrow(/meta 'model' differs between parts \(part 0: "random-3", part 1: "random-4"\)/);
    const whole = await collector.collect({ spec, model: cls, batches: many });
    expect(() => combineGrams([whole, s2])).toThrow(/covers every batch/);
    await expect(collector.collect({ spec, model: cls, batches: many, options: { shard: '3/2' } })).rejects.toThrow(/shard = "3\/2": expected 'i\/n'/);
    await expect(collector.collect({ spec, model: cls, batches: many.slice(0, 1), options: { shard: '2/2' } })).rejects.toThrow(/no batch in shard 2\/2 \(1 batches in the stream\)/);
    await expect(collector.collect({ spec, model: cls, batches: many, options: { normalise: 'none' } })).rejects.toThrow(/gram collector options: .*normalise/);
  });

  it('yields Grams for the MLM head transform but not for the tied decoder', async () => {
    const mlm = randomEncoderModel(config, { seed: 5, head: 'mlm' });
    const mspec = registry.architectureFor(config).buildSpec(config, { head: 'mlm' });
    const bundle = await collector.collect({ spec: mspec, model: mlm, batches: batches.slice(0, 2), options: { precision: 'f64' } });
    const oracle = naiveGrams(mlm, batches.slice(0, 2));
    expect([...bundle.entries.keys()]).toEqual([...oracle.sums.keys()].filter((k) => k !== 'cls.predictions.decoder.weight'));
    for (const [name, e] of bundle.entries) expect(maxRelDiff(oracle.sums.get(name)!.map((v) => v / oracle.rows.get(name)!), e.data)).toBeLessThan(1e-12);
    expect(bundle.entries.has('cls.predictions.decoder.weight')).toBe(false);
    // Every Gram fits the spec: transformStatsBundle can move it.
    await assertStatsFit(bundle, { kind: 'gram', layout: 'linear-input-gram', model: mlm, architecture: mspec.architecture, checkFingerprint: true, who: 'test' });
  });

  it('statistics of another model or architecture are refused, naming the tensor and what differs', async () => {
    const bundle = await collector.collect({ spec, model: cls, batches: batches.slice(0, 2) });
    const wider = smallEncoderConfig({ numLayers: 2, intermediateSize: 32 });
    const wideModel = randomEncoderModel(wider, { seed: 3, head: 'classifier' });
    await expect(assertStatsFit(bundle, { kind: 'gram', layout: 'linear-input-gram', model: wideModel, who: 'merge' })).rejects.toThrow(
      /merge: 'gram' statistics of model "random-3" entry 'bert\.encoder\.layer\.0\.output\.dense\.weight' has shape \[24, 24\] but the model's parameter \[16, 32\] needs \[32, 32\]/,
    );
    await expect(assertStatsFit(bundle, { kind: 'gram', layout: 'linear-input-gram', model: cls, architecture: 'roberta-classifier-post-ln', who: 'merge' })).rejects.toThrow(
      /computed on architecture 'bert-classifier-post-ln' but the model is 'roberta-classifier-post-ln'/,
    );
    const shallow = randomEncoderModel(smallEncoderConfig({ numLayers: 1 }), { seed: 3, head: 'classifier' });
    await expect(assertStatsFit(bundle, { kind: 'gram', layout: 'linear-input-gram', model: shallow, who: 'merge' })).rejects.toThrow(
      /entry 'bert\.encoder\.layer\.1\.attention\.self\.query\.weight' that names no parameter of the model 'random-3'/,
    );
    const sibling = randomEncoderModel(config, { seed: 8, head: 'classifier' });
    await expect(assertStatsFit(bundle, { kind: 'gram', layout: 'linear-input-gram', model: sibling, checkFingerprint: true, who: 'load' })).rejects.toThrow(/computed on other parameters \(fingerprint [0-9a-f]{16}\) than the model 'random-8'/);
    await expect(assertStatsFit(bundle, { kind: 'fisher', layout: 'per-param', model: cls, who: 'merge' })).rejects.toThrow(/got 'gram' statistics of model "random-3"; expected 'fisher' statistics/);
  });
});

describe('GramAccumulator.add', () => {
  it('adds the symmetric part (G + Gᵀ)/2 of an asymmetric product, across its 64×64 tiles', () => {
    const n = 150; // several tiles, a partial last one
    const acc = new GramAccumulator(new Map([['w', n]]));
    const g = Float64Array.from({ length: n * n }, (_, k) => Math.sin(k) * 3);
    acc.add('w', g, 10);
    acc.add('w', g, 5);
    const s = acc.sums.get('w')!;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(s[i * n + j]).toBe(2 * (i === j ? g[i * n + i] : 0.5 * (g[i * n + j] + g[j * n + i])));
    expect(acc.counts.get('w')).toBe(15);
  });
});
