import { type EncoderConfig, forward, forwardMlmAt } from '@symfuse/models';
import { coreSymmetryPlugin, createRegistry, type ModelBatch, type ModelWeights } from '@symfuse/symmetry';
import { maxRelDiff, randomBatches, randomEncoderModel, smallEncoderConfig } from '@symfuse/symmetry/testing';
import { fromHost, type Tensor, valueAndGrad } from '@symfuse/tensor';
import { describe, expect, it } from 'vitest';
import { combineFisher, fisherPlugin, softmaxRow, sumLogLikelihood } from '../src/index.js';

const registry = createRegistry().use(coreSymmetryPlugin()).use(fisherPlugin()).freeze();
const collector = registry.collector('fisher');
const tiny: EncoderConfig = smallEncoderConfig({ hiddenSize: 8, numHeads: 2, intermediateSize: 12, numLayers: 1, vocabSize: 11, maxPositionEmbeddings: 8, numLabels: 3 });
const specOf = (m: ModelWeights & { head: string }) => registry.architectureFor(m.config).buildSpec(m.config, { head: m.head });
const asMap = (m: ModelWeights) => m.params as Map<string, Tensor>;

/** log p(c | x) of example b of a batch, in f64 (forward only). */
function logProb(model: ModelWeights & { head: string }, batch: ModelBatch, c: number, params = asMap(model)): number {
  const logits = forward({ config: model.config as EncoderConfig, params, head: 'classifier' }, batch).logits!.dataSync();
  const p = softmaxRow(logits, 0, logits.length);
  return Math.log(p[c]);
}

describe('fisher collector (classification)', () => {
  const model = randomEncoderModel(tiny, { seed: 1, head: 'classifier', dtype: 'f64', gain: 2 });
  const spec = specOf(model);
  const batches = randomBatches(tiny, 2, 2, 3, 6, true, 3);

  it('matches the hand-computed Fisher of the output layer: F(b_k) = E p_k(1−p_k), F(W_kj) = E p_k(1−p_k) h_j²', async () => {
    const f = await collector.collect({ spec, model, batches });
    expect(f.meta).toMatchObject({ method: 'exact', labels: 'model', examples: 6, normalization: 'examples' });
    const fb = new Float64Array(3);
    const fw = new Float64Array(3 * 8);
    for (const batch of batches) {
      const out = forward({ config: tiny, params: asMap(model), head: 'classifier' }, batch);
      const logits = out.logits!.dataSync();
      const h = out.pooled!.dataSync();
      for (let b = 0; b < batch.batch; b++) {
        const p = softmaxRow(logits, b, 3);
        for (let k = 0; k < 3; k++) {
          fb[k] += (p[k] * (1 - p[k])) / 6;
          for (let j = 0; j < 8; j++) fw[k * 8 + j] += (p[k] * (1 - p[k]) * h[b * 8 + j] ** 2) / 6;
        }
      }
    }
    expect(maxRelDiff(fb, f.entries.get('classifier.bias')!.data)).toBeLessThan(1e-12);
    expect(maxRelDiff(fw, f.entries.get('classifier.weight')!.data)).toBeLessThan(1e-12);
  });

  it('matches central finite differences of log p(c|x) everywhere in the network', async () => {
    const one = [randomBatches(tiny, 5, 1, 1, 5, false, 3)[0]];
    const f = await collector.collect({ spec, model, batches: one });
    const probs = softmaxRow(forward({ config: tiny, params: asMap(model), head: 'classifier' }, one[0]).logits!.dataSync(), 0, 3);
    const picks: [string, number][] = [
      ['bert.encoder.layer.0.attention.self.query.weight', 13],
      ['bert.encoder.layer.0.attention.self.key.bias', 3],
      ['bert.encoder.layer.0.output.dense.weight', 40],
      ['bert.embeddings.LayerNorm.weight', 2],
      ['bert.embeddings.word_embeddings.weight', one[0].ids[1] * 8 + 5],
      ['bert.pooler.dense.weight', 7],
    ];
    const h = 1e-5;
    for (const [name, i] of picks) {
      let expected = 0;
      for (let c = 0; c < 3; c++) {
        const shifted = (delta: number) => {
          const t = model.params.get(name)!;
          const d = Float64Array.from(t.dataSync());
          d[i] += delta;
          return logProb(model, one[0], c, new Map([...asMap(model), [name, fromHost(d, t.shape)]]));
        };
        const g = (shifted(h) - shifted(-h)) / (2 * h);
        expected += probs[c] * g * g;
      }
      const got = f.entries.get(name)!.data[i];
      expect(Math.abs(got - expected)).toBeLessThan(1e-6 * Math.max(1e-3, Math.abs(expected)) + 1e-12);
    }
  });

  it('is a mean of per-example squares, not the square of the batch gradient (empirical labels)', async () => {
    const f = await collector.collect({ spec, model, batches, options: { labels: 'empirical' } });
    expect(f.meta.method).toBe('empirical');
    // Squared gradient of the mean log-likelihood over all examples.
    let n = 0;
    const total = new Map<string, Float64Array>();
    for (const batch of batches) {
      const { grads } = valueAndGrad(() => sumLogLikelihood(forward({ config: tiny, params: asMap(model), head: 'classifier' }, batch).logits!, batch.labels!), asMap(model));
      for (const [k, g] of grads) {
        const acc = total.get(k) ?? new Float64Array(g.size);
        g.dataSync().forEach((v, i) => (acc[i] += v));
        total.set(k, acc);
      }
      n += batch.batch;
    }
    for (const [k, e] of f.entries) {
      const sq = total.get(k)!.map((v) => (v / n) ** 2);
      // Mean of squares ≥ square of the mean (Jensen), and far from equal wherever the data informs it.
      for (let i = 0; i < sq.length; i++) expect(e.data[i]).toBeGreaterThanOrEqual(sq[i] - 1e-12);
      const sumF = e.data.reduce((a, b) => a + b, 0);
      if (sumF > 0) expect(sq.reduce((a, b) => a + b, 0) / sumF, k).toBeLessThan(0.8);
    }
    const bias = f.entries.get('classifier.bias')!.data;
    const biasSq = total.get('classifier.bias')!.map((v) => (v / n) ** 2);
    expect(maxRelDiff(bias, biasSq)).toBeGreaterThan(0.1);
  });

  it('sharded collection combined equals one pass', async () => {
    const many = randomBatches(tiny, 8, 5, 2, 6, true, 3);
    const whole = await collector.collect({ spec, model, batches: many });
    const parts = await Promise.all([1, 2].map((i) => collector.collect({ spec, model, batches: many, options: { shard: `${i}/2` } })));
    const combined = combineFisher(parts);
    expect(combined.meta).toEqual(whole.meta);
    for (const [k, e] of whole.entries) expect(maxRelDiff(e.data, combined.entries.get(k)!.data)).toBeLessThan(1e-13);
    expect(() => combineFisher([parts[0], parts[0]])).toThrow(/shard 1\/2 appears twice/);
  });

  it('refuses what it cannot compute, naming the option or batch', async () => {
    const bare = randomEncoderModel(tiny, { seed: 1, head: 'none' });
    await expect(collector.collect({ spec: specOf(bare), model: bare, batches })).rejects.toThrow(/head is 'none'; the Fisher of log p\(y\|x\) needs a 'classifier' or 'mlm' head/);
    const unlabelled = randomBatches(tiny, 2, 1, 2, 6);
    await expect(collector.collect({ spec, model, batches: unlabelled, options: { labels: 'empirical' } })).rejects.toThrow(/batch 0: empirical Fisher needs gold labels, but the batch of example 0 has none/);
    await expect(collector.collect({ spec, model, batches, options: { labels: 'gold' } })).rejects.toThrow(/fisher collector options: labels/);
  });
});

describe('fisher collector (MLM)', () => {
  const mlmCfg = { ...tiny, numLabels: undefined };
  const model = randomEncoderModel(mlmCfg, { seed: 3, head: 'mlm', dtype: 'f64', gain: 2 });
  const spec = specOf(model);
  const options = { maskTokenId: 4, specialTokenIds: [0, 1] };

  it('samples labels from the model, seeded per example: deterministic, shard-invariant, seed-dependent', async () => {
    const batches = randomBatches(mlmCfg, 4, 4, 2, 7);
    const a = await collector.collect({ spec, model, batches, options });
    const b = await collector.collect({ spec, model, batches, options });
    for (const [k, e] of a.entries) expect(b.entries.get(k)!.data).toEqual(e.data);
    expect(a.meta).toMatchObject({ method: 'sampled', seed: 0, examples: 8, maskTokenId: 4 });
    expect(Number(a.meta.maskedTokens)).toBeGreaterThanOrEqual(8);
    const shards = await Promise.all([1, 2, 3].map((i) => collector.collect({ spec, model, batches, options: { ...options, shard: `${i}/3` } })));
    const combined = combineFisher(shards);
    expect(combined.meta).toEqual(a.meta);
    for (const [k, e] of a.entries) expect(maxRelDiff(e.data, combined.entries.get(k)!.data)).toBeLessThan(1e-13);
    const other = await collector.collect({ spec, model, batches, options: { ...options, seed: 1 } });
    expect(maxRelDiff(a.entries.get('cls.predictions.bias')!.data, other.entries.get('cls.predictions.bias')!.data)).toBeGreaterThan(1e-3);
  });

  it('averages sampled labels towards the exact expectation over the vocabulary', async () => {
    // Only position 2 is maskable: ids 5 and 6 are declared special.
    const ids = Int32Array.from([5, 6, 7, 6, 5]);
    const batch: ModelBatch = { ids, mask: new Int32Array(5).fill(1), batch: 1, seqLen: 5 };
    const f = await collector.collect({ spec, model, batches: [batch], options: { maskTokenId: 4, specialTokenIds: [5, 6], samples: 2000 } });
    expect(f.meta.maskedTokens).toBe(1);
    const masked = { ...batch, ids: Int32Array.from([5, 6, 4, 6, 5]) };
    const params = asMap(model);
    const probs = softmaxRow(forwardMlmAt({ config: mlmCfg, params, head: 'mlm' }, masked, [2]).logits!.dataSync(), 0, 11);
    const exact = new Map<string, Float64Array>();
    for (let v = 0; v < 11; v++) {
      const { grads } = valueAndGrad(() => sumLogLikelihood(forwardMlmAt({ config: mlmCfg, params, head: 'mlm' }, masked, [2]).logits!, Int32Array.of(v)), params);
      for (const [k, g] of grads) {
        const acc = exact.get(k) ?? new Float64Array(g.size);
        g.dataSync().forEach((x, i) => (acc[i] += probs[v] * x * x));
        exact.set(k, acc);
      }
    }
    // The decoder bias: F(b_v) = p_v(1 − p_v) exactly; the estimate from 2000 draws is within a few percent in total.
    const exactBias = exact.get('cls.predictions.bias')!;
    probs.forEach((p, v) => expect(exactBias[v]).toBeCloseTo(p * (1 - p), 12));
    for (const name of ['cls.predictions.bias', 'bert.encoder.layer.0.intermediate.dense.weight', 'bert.embeddings.word_embeddings.weight']) {
      const total = (a: Float64Array) => a.reduce((s, x) => s + x, 0);
      const rel = Math.abs(total(f.entries.get(name)!.data) - total(exact.get(name)!)) / total(exact.get(name)!);
      expect(rel, name).toBeLessThan(0.05);
    }
  });

  it('uses the original tokens with empirical labels, and needs the mask id', async () => {
    const batches = randomBatches(mlmCfg, 4, 2, 2, 7);
    const e = await collector.collect({ spec, model, batches, options: { ...options, labels: 'empirical' } });
    expect(e.meta.method).toBe('empirical');
    await expect(collector.collect({ spec, model, batches })).rejects.toThrow(/an MLM model needs options\.maskTokenId/);
  });
});
