/**
 * applyTransform is pure, applies every binding, validates transforms with errors naming the space or
 * parameter; statistics transform like the activations they summarise (Grams measured through the
 * model's own activation taps on the original and transformed models).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forward, layerParamNames, type EncoderModel, type TapCollector } from '@symfuse/models';
import type { Tensor } from '@symfuse/tensor';
import {
  applyTransform,
  buildBertFamilySpec,
  composeTransforms,
  invertTransform,
  makeProbes,
  randomTransform,
  transformFromJson,
  transformGram,
  transformParamStats,
  transformStatsBundle,
  transformToJson,
  TransformError,
  validateTransform,
  type StatEntry,
  type Transform,
} from '../src/index.js';
import { arbEncoderConfig, randomEncoderModel, smallEncoderConfig } from '../src/testing/index.js';
import { maxAbsDiff } from './helpers.js';

function snapshot(params: ReadonlyMap<string, Tensor>): Map<string, number[]> {
  return new Map([...params].map(([k, t]) => [k, Array.from(t.dataSync())]));
}

/** Gram of the inputs of `weights` measured with the forward pass's taps (f64). */
function measuredGrams(model: EncoderModel, weights: readonly string[]): Map<string, StatEntry> {
  const grams = new Map<string, StatEntry>();
  const taps: TapCollector = {
    wants: (site) => weights.includes(site),
    collect(site, features) {
      const [n, d] = features.shape;
      const x = features.dataSync();
      const g = grams.get(site)?.data ?? new Float64Array(d * d);
      for (let r = 0; r < n; r++) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) g[i * d + j] += x[r * d + i] * x[r * d + j];
      grams.set(site, { shape: [d, d], data: g });
    },
  };
  for (const batch of makeProbes(model.config, { seed: 4, count: 2 })) {
    const r = forward(model, batch, { taps });
    r.hidden.dispose();
    r.logits?.dispose();
  }
  return grams;
}

describe('applyTransform', () => {
  it('is pure: inputs unchanged, untouched parameters shared, transformed ones new', () => {
    fc.assert(
      fc.property(arbEncoderConfig({ layers: [1, 2] }), fc.integer({ min: 0, max: 1e6 }), ({ config, head }, seed) => {
        const model = randomEncoderModel(config, { seed, head });
        const before = snapshot(model.params);
        const spec = buildBertFamilySpec(config, head);
        const t = randomTransform(spec, { seed, spaces: ['layer.0.ffn'] });
        const out = applyTransform(spec, t, model.params);
        expect(snapshot(model.params)).toEqual(before);
        expect([...out.keys()]).toEqual([...model.params.keys()]);
        const n = layerParamNames(config.modelType as 'bert', 0);
        expect(out.get(n.query.weight)).toBe(model.params.get(n.query.weight));
        expect(out.get(n.ffnIn.weight)).not.toBe(model.params.get(n.ffnIn.weight));
        expect(out.get(n.ffnIn.weight)!.dtype).toBe('f32');
      }),
      { numRuns: 25 },
    );
  });

  it('applying t then t⁻¹ gives back the parameters; composition equals sequential application', () => {
    const config = smallEncoderConfig({ hiddenAct: 'relu' });
    const model = randomEncoderModel(config, { seed: 2, head: 'classifier', dtype: 'f64' });
    const spec = buildBertFamilySpec(config, 'classifier');
    const a = randomTransform(spec, { seed: 1 });
    const b = randomTransform(spec, { seed: 2 });
    const back = applyTransform(spec, invertTransform(a), applyTransform(spec, a, model.params));
    for (const [k, p] of model.params) expect(maxAbsDiff(back.get(k)!.dataSync(), p.dataSync())).toBeLessThan(1e-12);
    const seq = applyTransform(spec, b, applyTransform(spec, a, model.params));
    const once = applyTransform(spec, composeTransforms(b, a), model.params);
    for (const [k, p] of seq) expect(maxAbsDiff(once.get(k)!.dataSync(), p.dataSync())).toBeLessThan(1e-12);
  });

  it('errors name the space and parameter', () => {
    const config = smallEncoderConfig({ numLayers: 1 });
    const model = randomEncoderModel(config, { seed: 2, head: 'mlm' });
    const spec = buildBertFamilySpec(config, 'mlm');
    const wrongSize: Transform = { elements: new Map([['layer.0.ffn', { kind: 'permutation', perm: Int32Array.from([1, 0]) }]]), preservesFunction: true };
    expect(() => applyTransform(spec, wrongSize, model.params)).toThrow(/space 'layer\.0\.ffn' \(size 24\): the permutation element has size 2/);
    const unknown: Transform = { elements: new Map([['layer.7.ffn', { kind: 'permutation', perm: Int32Array.from([0]) }]]), preservesFunction: true };
    expect(() => applyTransform(spec, unknown, model.params)).toThrow(/space 'layer\.7\.ffn' is not in spec 'bert-mlm-post-ln'; known spaces: residual/);
    const notPerm: Transform = { elements: new Map([['residual', { kind: 'permutation', perm: new Int32Array(16) }]]), preservesFunction: false };
    expect(() => applyTransform(spec, notPerm, model.params)).toThrow(/'perm' is not a permutation/);
    const t = randomTransform(spec, { seed: 1, spaces: ['residual'] });
    const missing = new Map(model.params);
    missing.delete('bert.embeddings.word_embeddings.weight');
    expect(() => applyTransform(spec, t, missing)).toThrow(/parameter 'bert\.embeddings\.word_embeddings\.weight' \(bound to space 'residual'\) is missing/);
    const lying: Transform = {
      elements: new Map([['layer.0.attention.qk', { kind: 'head', headPerm: Int32Array.from([0, 1, 2, 3]), headDim: 4, blockKind: 'orthogonal', blocks: Array.from({ length: 4 }, () => Float64Array.from({ length: 16 }, (_, i) => (i % 5 === 0 ? 2 : 0))) }]]),
      preservesFunction: true,
    };
    expect(() => applyTransform(spec, lying, model.params)).toThrow(/head block 0 is declared 'orthogonal' but is a scale matrix/);
  });

  it('validateTransform separates structural problems from symmetry violations', () => {
    const config = smallEncoderConfig({ numLayers: 1 });
    const spec = buildBertFamilySpec(config, 'none');
    const scaleGelu: Transform = { elements: new Map([['layer.0.ffn', { kind: 'scale', scale: new Float64Array(24).fill(2) }]]), preservesFunction: true };
    const r = validateTransform(spec, scaleGelu);
    expect(r.structural).toEqual([]);
    expect(r.symmetry.join()).toMatch(/space 'layer\.0\.ffn' \(kinds: permutation\): the scale element needs kind 'scale'/);
  });

  it('per-parameter overrides act on their parameter only', () => {
    const config = smallEncoderConfig({ numLayers: 1 });
    const model = randomEncoderModel(config, { seed: 2, head: 'none' });
    const spec = buildBertFamilySpec(config, 'none');
    const perm = Int32Array.from({ length: 16 }, (_, i) => (i + 1) % 16);
    const ln = 'bert.embeddings.LayerNorm.weight';
    const t: Transform = { elements: new Map(), paramOverrides: new Map([[ln, new Map([['residual', { kind: 'permutation', perm }]])]]), preservesFunction: false };
    const out = applyTransform(spec, t, model.params);
    const before = model.params.get(ln)!.dataSync();
    expect(Array.from(out.get(ln)!.dataSync())).toEqual(Array.from(perm, (p) => before[p]));
    for (const [k, p] of model.params) if (k !== ln) expect(out.get(k)).toBe(p);
  });

  it('transforms survive a JSON round trip', () => {
    const config = smallEncoderConfig({ hiddenAct: 'relu' });
    const spec = buildBertFamilySpec(config, 'mlm');
    const t = randomTransform(spec, { seed: 12 });
    const back = transformFromJson(JSON.stringify(transformToJson(t)));
    expect(back).toEqual(t);
    expect(() => transformFromJson({ format: 'symfuse-transform', version: 1, preservesFunction: true, elements: { a: { kind: 'perm' } } })).toThrow(/elements\.a\.kind = "perm"/);
  });
});

describe('statistics in the transformed basis', () => {
  it('transformGram(G) equals the Gram measured on the transformed model, for every kind', () => {
    for (const head of ['mlm', 'classifier'] as const) {
      const config = smallEncoderConfig({ hiddenAct: 'relu', layerNormPlacement: head === 'mlm' ? 'post' : 'pre' });
      const model = randomEncoderModel(config, { seed: 8, head, dtype: 'f64' });
      const spec = buildBertFamilySpec(config, head);
      const t = randomTransform(spec, { seed: 3 });
      const n = layerParamNames('bert', 1);
      const weights = [n.query.weight, n.attnOut.weight, n.ffnIn.weight, n.ffnOut.weight, head === 'mlm' ? 'cls.predictions.transform.dense.weight' : 'classifier.weight'];
      const g0 = measuredGrams({ ...model, params: new Map(model.params) }, weights);
      const g1 = measuredGrams({ ...model, params: applyTransform(spec, t, model.params) }, weights);
      expect(g0.size).toBe(weights.length);
      for (const w of weights) {
        const predicted = transformGram(spec, t, w, g0.get(w)!);
        const scale = Math.max(...g1.get(w)!.data.map(Math.abs));
        expect(maxAbsDiff(predicted.data, g1.get(w)!.data) / scale, w).toBeLessThan(1e-10);
        // and the Gram actually changed (the test is not vacuous)
        expect(maxAbsDiff(g0.get(w)!.data, g1.get(w)!.data) / scale, w).toBeGreaterThan(1e-3);
      }
      const bundle = transformStatsBundle(spec, t, { kind: 'gram', meta: {}, entries: g0 }, 'linear-input-gram');
      expect(bundle.entries.get(n.ffnOut.weight)).toEqual(transformGram(spec, t, n.ffnOut.weight, g0.get(n.ffnOut.weight)!));
    }
  });

  it('per-parameter statistics move like the parameters under permutations, and refuse other elements', () => {
    const config = smallEncoderConfig();
    const model = randomEncoderModel(config, { seed: 8, head: 'mlm', dtype: 'f64' });
    const spec = buildBertFamilySpec(config, 'mlm');
    const t = randomTransform(spec, { seed: 3, kinds: ['permutation', 'head-permutation'] });
    const entries = new Map([...model.params].map(([k, p]) => [k, { shape: p.shape, data: Float64Array.from(p.dataSync()) }]));
    const moved = transformParamStats(spec, t, entries);
    const transformed = applyTransform(spec, t, model.params);
    for (const [k, e] of moved) expect(Array.from(e.data)).toEqual(Array.from(transformed.get(k)!.dataSync()));
    const rot = randomTransform(spec, { seed: 3, kinds: ['head-orthogonal'], spaces: ['layer.0.attention.vo'] });
    expect(() => transformParamStats(spec, rot, entries)).toThrow(/space 'layer\.0\.attention\.vo' carries a head \(orthogonal blocks\) element; per-parameter statistics/);
    expect(() => transformParamStats(spec, t, new Map([['nope', { shape: [1], data: new Float64Array(1) }]]))).toThrow(/'nope' is not a parameter/);
    expect(() => transformStatsBundle(spec, t, { kind: 'correlation', meta: {}, entries: new Map() }, 'pairwise')).toThrow(/collect them again/);
    expect(() => transformGram(spec, t, layerParamNames('bert', 0).ffnIn.weight, { shape: [3, 3], data: new Float64Array(9) })).toThrow(/expected \[16, 16\]/);
  });
});
