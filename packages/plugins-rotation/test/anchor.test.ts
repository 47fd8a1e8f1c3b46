/**
 * N ≥ 2 models: the anchor choice (closest to the plain average, or an index), aligning every model
 * to it, and the distance reports (whole model, per tensor, per layer).
 */
import { describe, expect, it } from 'vitest';
import { fromHost } from '@symfuse/tensor';
import { applyTransform, type ModelWeights, randomTransform, verify } from '@symfuse/symmetry';
import { randomEncoderModel, smallEncoderConfig } from '@symfuse/symmetry/testing';
import { bertFamilyArchitecture } from '@symfuse/symmetry';
import { alignAllToAnchor, chooseAnchor, distancesToMean, layerOfParam, modelDistance } from '../src/index.js';

const config = smallEncoderConfig({ numLayers: 2, hiddenSize: 16, numHeads: 4 });
const spec = bertFamilyArchitecture().buildSpec(config, { head: 'mlm' });

/** Naive oracle: build the mean model explicitly, then sum squared differences. */
function naiveDistancesToMean(models: ModelWeights[]): number[] {
  const out = models.map(() => 0);
  for (const name of models[0].params.keys()) {
    const arrays = models.map((m) => Array.from(m.params.get(name)!.dataSync() as Float32Array));
    const mean = arrays[0].map((_, k) => arrays.reduce((s, a) => s + a[k], 0) / arrays.length);
    arrays.forEach((a, i) => (out[i] += a.reduce((s, v, k) => s + (v - mean[k]) ** 2, 0)));
  }
  return out.map(Math.sqrt);
}

/** θ scaled towards another model: (1 − t)·a + t·b, parameter by parameter. */
function blend(a: ModelWeights, b: ModelWeights, t: number): ModelWeights {
  const params = new Map([...a.params].map(([name, ta]) => {
    const x = ta.dataSync() as Float32Array;
    const y = b.params.get(name)!.dataSync() as Float32Array;
    return [name, fromHost(x.map((v, i) => (1 - t) * v + t * y[i]), ta.shape)] as const;
  }));
  return { ...a, params, id: `blend-${t}` };
}

describe('chooseAnchor', () => {
  const m0 = randomEncoderModel(config, { seed: 1, head: 'mlm' });
  const m2 = randomEncoderModel(config, { seed: 2, head: 'mlm' });
  const mid = blend(m0, m2, 0.45); // near the average of the three

  it('distancesToMean matches a naive oracle', () => {
    const got = distancesToMean([m0, mid, m2]);
    naiveDistancesToMean([m0, mid, m2]).forEach((d, i) => expect(got[i]).toBeCloseTo(d, 3));
  });

  it("defaults to the model closest to the plain average; an index overrides it", () => {
    expect(chooseAnchor([m0, mid, m2])).toBe(1);
    expect(chooseAnchor([mid, m0, m2], { anchor: 'closest-to-mean' })).toBe(0);
    expect(chooseAnchor([m0, mid, m2], { anchor: 2 })).toBe(2);
    expect(() => chooseAnchor([m0, mid], { anchor: 2 })).toThrow(/anchor = 2; expected an integer index in 0\.\.1 or 'closest-to-mean'/);
    expect(() => chooseAnchor([])).toThrow(/no models/);
  });
});

describe('alignAllToAnchor', () => {
  it('aligns N = 3 planted copies onto the anchor: transforms are symmetries, distances drop to ≈ 0', async () => {
    const base = randomEncoderModel(config, { seed: 5, head: 'mlm' });
    const copy = (seed: number) => {
      const g = randomTransform(spec, { seed, kinds: ['head-orthogonal', 'head-scale'] });
      return { ...base, params: applyTransform(spec, g, base.params), id: `copy-${seed}` };
    };
    const models = [copy(1), copy(2), copy(3)];
    const progress: string[] = [];
    const r = await alignAllToAnchor(models, { anchor: 1, progress: (e) => progress.push(e.stage) });
    expect(r.anchorIndex).toBe(1);
    expect(r.aligned[1]).toBe(models[1]);
    expect(r.transforms[1].elements.size).toBe(0);
    expect(r.distances.map((d) => d.model)).toEqual([0, 2]);
    for (const d of r.distances) {
      expect(d.before.total).toBeGreaterThan(1);
      expect(d.after.total).toBeLessThan(1e-3);
      expect(d.matchedAfter.total).toBeLessThan(1e-3);
      // The untouched parameters (embeddings, LayerNorms, FFN…) were already equal.
      expect(d.matchedBefore.total).toBeCloseTo(d.before.total, 4);
      expect(verify(models[d.model], r.aligned[d.model]).equivalent).toBe(true);
    }
    expect(r.steps.map((s) => s.model)).toEqual([0, 2]);
    expect(progress).toContain('rotation');
  });

  it('runs any pipeline config, and refuses fewer than 2 models', async () => {
    const models = [1, 2].map((seed) => randomEncoderModel(config, { seed, head: 'mlm' }));
    const r = await alignAllToAnchor(models, { config: { align: [{ aligner: 'rotation', spaces: ['layer.1.attention.*'], options: { rescale: false } }] } });
    expect([...r.transforms[1 - r.anchorIndex].elements.keys()]).toEqual(['layer.1.attention.qk', 'layer.1.attention.vo']);
    const d = r.distances[0];
    expect(d.after.total).toBeLessThan(d.before.total);
    expect(Object.keys(d.matchedAfter.perTensor).every((n) => n.includes('layer.1.'))).toBe(true);
    await expect(alignAllToAnchor(models.slice(0, 1))).rejects.toThrow(/got 1 model; aligning needs at least 2/);
  });
});

describe('modelDistance', () => {
  it('per tensor and per layer add up to the total; layers come from names, else the spec', () => {
    const a = randomEncoderModel(config, { seed: 1, head: 'mlm' });
    const b = randomEncoderModel(config, { seed: 2, head: 'mlm' });
    const d = modelDistance(a, b, { spec });
    const sq = (xs: number[]) => xs.reduce((s, x) => s + x * x, 0);
    expect(Math.sqrt(sq(Object.values(d.perTensor)))).toBeCloseTo(d.total, 9);
    expect(Math.sqrt(sq(d.perLayer.map((l) => l.distance)) + d.outsideLayers ** 2)).toBeCloseTo(d.total, 9);
    expect(d.perLayer.map((l) => l.layer)).toEqual([0, 1]);
    expect(d.tensors).toBe(a.params.size);
    expect(layerOfParam('bert.encoder.layer.11.attention.self.query.weight')).toBe(11);
    expect(layerOfParam('bert.embeddings.word_embeddings.weight', spec)).toBeUndefined();
    expect(layerOfParam('custom.q', { ...spec, bindings: [{ param: 'custom.q', axis: 0, space: 'layer.1.attention.qk', role: 'out' }] })).toBe(1);
    expect(modelDistance(a, a).total).toBe(0);
    expect(() => modelDistance(a, { ...b, params: new Map() })).toThrow(/missing from model/);
  });
});
