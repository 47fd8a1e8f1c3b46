import { coreSymmetryPlugin, createRegistry, type StatEntry, type StatsBundle, taskParamName } from '@symfuse/symmetry';
import { maxParamDiff, maxRelDiff, randomBatches, randomEncoderModel, smallEncoderConfig } from '@symfuse/symmetry/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fisherPlugin } from '../src/index.js';

const config = smallEncoderConfig({ numLayers: 1 });
const registry = createRegistry().use(coreSymmetryPlugin()).use(fisherPlugin()).freeze();
const spec = registry.architectureFor(config).buildSpec(config, { head: 'classifier' });
const merger = registry.merger('fisher');
type M = ReturnType<typeof randomEncoderModel>;

/** A Fisher bundle with entries f(name, i) for every parameter of `model`. */
function fisherOf(model: M, f: (name: string, i: number) => number): StatsBundle {
  const entries = new Map<string, StatEntry>();
  for (const [k, t] of model.params) entries.set(k, { shape: [...t.shape], data: Float64Array.from({ length: t.size }, (_, i) => f(k, i)) });
  return { kind: 'fisher', meta: { architecture: spec.architecture }, entries };
}
const statsOf = (...b: StatsBundle[]) => b.map((f) => new Map([['fisher', f]]));

describe('fisher merger', () => {
  const a = randomEncoderModel(config, { seed: 1, head: 'classifier', dtype: 'f64' });
  const b = randomEncoderModel(config, { seed: 2, head: 'classifier', dtype: 'f64' });
  const c = randomEncoderModel(config, { seed: 3, head: 'classifier', dtype: 'f64' });

  it('merge([θ, θ]) = θ, with collected Fishers', async () => {
    const f = await registry.collector('fisher').collect({ spec, model: a, batches: randomBatches(config, 1, 1, 2, 6) });
    const r = await merger.merge({ spec, models: [a, a], stats: statsOf(f, f), params: merger.params.parse({}), seed: 0 });
    expect(maxParamDiff(a.params, r.params).diff).toBeLessThan(1e-14);
  });

  it('with equal Fishers is the (λ-weighted) mean, whatever the Fisher', async () => {
    await fc.assert(
      fc.asyncProperty(fc.double({ min: 1e-8, max: 1e3, noNaN: true }), fc.constantFrom<'none' | 'l2'>('none', 'l2'), async (scale, normalize) => {
        const f = fisherOf(a, (_, i) => scale * (1 + (i % 7)));
        const r = await merger.merge({ spec, models: [a, b, c], stats: statsOf(f, f, f), params: merger.params.parse({ normalize, coefficients: [1, 2, 1] }), seed: 0 });
        const name = 'bert.encoder.layer.0.intermediate.dense.weight';
        const [x, y, z] = [a, b, c].map((m) => m.params.get(name)!.dataSync());
        expect(maxRelDiff(Float64Array.from(x, (v, i) => (v + 2 * y[i] + z[i]) / 4), r.params.get(name)!.dataSync())).toBeLessThan(1e-12);
      }),
      { numRuns: 8 },
    );
  });

  it('computes Σ λ_i F_i θ_i / Σ λ_i F_i elementwise, with the ε floor', async () => {
    const fa = fisherOf(a, (k, i) => (k.includes('LayerNorm') ? 0 : 0.5 + (i % 3)));
    const fb = fisherOf(b, (k, i) => (k.includes('LayerNorm') ? 0 : 2 + (i % 5)));
    const r = await merger.merge({ spec, models: [a, b], stats: statsOf(fa, fb), params: merger.params.parse({ coefficients: [3, 1], epsilon: 1e-6 }), seed: 0 });
    const name = 'bert.encoder.layer.0.attention.self.value.weight';
    const [x, y] = [a, b].map((m) => m.params.get(name)!.dataSync());
    const want = Float64Array.from(x, (v, i) => {
      const wa = 3 * (0.5 + (i % 3));
      const wb = 2 + (i % 5);
      return (wa * v + wb * y[i]) / (wa + wb);
    });
    expect(maxRelDiff(want, r.params.get(name)!.dataSync())).toBeLessThan(1e-14);
    // No model informs the LayerNorms: both Fishers are floored at ε, so they take the λ-weighted mean.
    const ln = 'bert.embeddings.LayerNorm.weight';
    const [u, v] = [a, b].map((m) => m.params.get(ln)!.dataSync());
    expect(maxRelDiff(Float64Array.from(u, (p, i) => (3 * p + v[i]) / 4), r.params.get(ln)!.dataSync())).toBeLessThan(1e-14);
    expect(r.diagnostics.flooredFraction).toBeGreaterThan(0);
    expect(r.diagnostics.coefficients).toEqual([3, 1]);
  });

  it("normalize 'l2' removes each model's Fisher scale; 'none' keeps it", async () => {
    const fa = fisherOf(a, (_, i) => 1 + (i % 3));
    const fb = fisherOf(b, (_, i) => 1 + (i % 4));
    const fb1000 = fisherOf(b, (_, i) => 1000 * (1 + (i % 4)));
    const run = async (normalize: 'none' | 'l2', f: StatsBundle) => (await merger.merge({ spec, models: [a, b], stats: statsOf(fa, f), params: merger.params.parse({ normalize }), seed: 0 })).params;
    expect(maxParamDiff(await run('l2', fb), await run('l2', fb1000)).diff).toBeLessThan(1e-12);
    expect(maxParamDiff(await run('none', fb), await run('none', fb1000)).diff).toBeGreaterThan(1e-3);
    // With 'none' and a huge Fisher, model b dominates.
    expect(maxParamDiff(b.params, await run('none', fb1000)).diff).toBeLessThan(0.05);
  });

  it('refuses missing or mismatched statistics, naming the tensor', async () => {
    const fa = fisherOf(a, () => 1);
    const partial = { ...fa, entries: new Map([...fa.entries].filter(([k]) => k !== 'classifier.bias')) };
    await expect(merger.merge({ spec, models: [a, b], stats: statsOf(fa, partial), params: merger.params.parse({}), seed: 0 })).rejects.toThrow(
      /model 1 \(random-2\) has no Fisher entry for parameter 'classifier\.bias'/,
    );
    await expect(merger.merge({ spec, models: [a, b], stats: [new Map([['fisher', fa]]), new Map()], params: merger.params.parse({}), seed: 0 })).rejects.toThrow(/model 1 \(random-2\) has no 'fisher' statistics/);
    const bad = { ...fa, entries: new Map(fa.entries).set('classifier.bias', { shape: [4], data: new Float64Array(4) }) };
    await expect(merger.merge({ spec, models: [a, b], stats: statsOf(fa, bad), params: merger.params.parse({}), seed: 0 })).rejects.toThrow(
      /entry 'classifier\.bias' has shape \[4\] but the model's parameter \[3\] needs \[3\]/,
    );
    const otherArch = { ...fa, meta: { architecture: 'bert-mlm-post-ln' } };
    await expect(merger.merge({ spec, models: [a, b], stats: statsOf(fa, otherArch), params: merger.params.parse({}), seed: 0 })).rejects.toThrow(/computed on architecture 'bert-mlm-post-ln' but the model is 'bert-classifier-post-ln'/);
    await expect(merger.merge({ spec, models: [a, b], stats: statsOf(fa, fa), params: merger.params.parse({ coefficients: [1, 1, 1] }), seed: 0 })).rejects.toThrow(/coefficients has 3 entries for 2 models/);
    expect(() => merger.params.parse({ normalize: 'l1' })).toThrow(/normalize/);
  });

  it('keeps task heads of different tasks apart', async () => {
    const c2 = randomEncoderModel(smallEncoderConfig({ numLayers: 1, numLabels: 2 }), { seed: 12, head: 'classifier', dtype: 'f64' });
    const r = await merger.merge({ spec, models: [a, c2], stats: statsOf(fisherOf(a, () => 1), fisherOf(c2, () => 1)), params: merger.params.parse({}), seed: 0 });
    expect(r.params.get('classifier.weight')!.dataSync()).toEqual(a.params.get('classifier.weight')!.dataSync());
    expect(r.params.get(taskParamName('task-1', 'classifier.weight'))!.dataSync()).toEqual(c2.params.get('classifier.weight')!.dataSync());
    const enc = 'bert.encoder.layer.0.output.dense.weight';
    const [x, y] = [a, c2].map((m) => m.params.get(enc)!.dataSync());
    expect(maxRelDiff(Float64Array.from(x, (v, i) => (v + y[i]) / 2), r.params.get(enc)!.dataSync())).toBeLessThan(1e-14);
  });
});
