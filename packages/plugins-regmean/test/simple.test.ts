import { coreSymmetryPlugin, createRegistry, runPipeline } from '@symfuse/symmetry';
import { maxParamDiff, randomEncoderModel, smallEncoderConfig } from '@symfuse/symmetry/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { regmeanPlugin, simpleMerger } from '../src/index.js';

const config = smallEncoderConfig({ numLayers: 1 });
const registry = createRegistry().use(coreSymmetryPlugin()).use(regmeanPlugin()).freeze();
const spec = registry.architectureFor(config).buildSpec(config, { head: 'mlm' });
const merger = registry.merger('simple');
const none = (n: number) => Array.from({ length: n }, () => new Map());

describe('simple merger', () => {
  it('merge([θ, θ]) = θ for any weights', async () => {
    const theta = randomEncoderModel(config, { seed: 1, head: 'mlm' });
    await fc.assert(
      fc.asyncProperty(fc.array(fc.double({ min: 0.01, max: 100, noNaN: true }), { minLength: 2, maxLength: 4 }), async (w) => {
        const models = w.map(() => theta);
        const { params } = await merger.merge({ spec, models, stats: none(w.length), params: merger.params.parse({ weights: w }), seed: 0 });
        expect(maxParamDiff(theta.params, params).diff).toBeLessThanOrEqual(1e-7);
      }),
      { numRuns: 10 },
    );
  });

  it('weights (1, 0) give exactly the first model; (0, 1) the second', async () => {
    const a = randomEncoderModel(config, { seed: 1, head: 'mlm' });
    const b = randomEncoderModel(config, { seed: 2, head: 'mlm' });
    const first = await merger.merge({ spec, models: [a, b], stats: none(2), params: merger.params.parse({ weights: [1, 0] }), seed: 0 });
    expect(maxParamDiff(a.params, first.params).diff).toBe(0);
    const second = await merger.merge({ spec, models: [a, b], stats: none(2), params: merger.params.parse({ weights: [0, 1] }), seed: 0 });
    expect(maxParamDiff(b.params, second.params).diff).toBe(0);
  });

  it('computes the weighted mean of three models (default equal)', async () => {
    const ms = [1, 2, 3].map((seed) => randomEncoderModel(config, { seed, head: 'mlm', dtype: 'f64' }));
    const name = 'bert.encoder.layer.0.intermediate.dense.weight';
    const [a, b, c] = ms.map((m) => m.params.get(name)!.dataSync());
    const weighted = await merger.merge({ spec, models: ms, stats: none(3), params: merger.params.parse({ weights: [1, 2, 5] }), seed: 0 });
    const equal = await merger.merge({ spec, models: ms, stats: none(3), params: merger.params.parse({}), seed: 0 });
    const w = weighted.params.get(name)!.dataSync();
    const e = equal.params.get(name)!.dataSync();
    for (let i = 0; i < a.length; i++) {
      expect(w[i]).toBeCloseTo((a[i] + 2 * b[i] + 5 * c[i]) / 8, 12);
      expect(e[i]).toBeCloseTo((a[i] + b[i] + c[i]) / 3, 12);
    }
    expect(weighted.params.get(name)!.dtype).toBe('f64');
  });

  it('refuses bad input with errors that name the tensor or key', async () => {
    const a = randomEncoderModel(config, { seed: 1, head: 'mlm' });
    const bigger = randomEncoderModel(smallEncoderConfig({ numLayers: 1, intermediateSize: 32 }), { seed: 2, head: 'mlm' });
    await expect(merger.merge({ spec, models: [a, bigger], stats: none(2), params: {}, seed: 0 })).rejects.toThrow(
      /model 1 \(random-2\) parameter 'bert\.encoder\.layer\.0\.intermediate\.dense\.weight' has shape \[32, 16\] but the anchor has \[24, 16\]/,
    );
    await expect(merger.merge({ spec, models: [a], stats: none(1), params: {}, seed: 0 })).rejects.toThrow(/N ≥ 2/);
    await expect(merger.merge({ spec, models: [a, a], stats: none(2), params: { weights: [1, 1, 1] }, seed: 0 })).rejects.toThrow(/weights has 3 entries for 2 models/);
    expect(() => merger.params.parse({ weights: [0, 0] })).toThrow(/weights.*at least one weight must be > 0/);
    expect(() => merger.params.parse({ weight: [1, 1] })).toThrow(/weight/);
    await expect(runPipeline(registry, { merge: { method: 'simple', weights: [1, -1] } }, { anchor: a, models: [a] })).rejects.toThrow(/merge \(merger 'simple'\) params: weights\[1\]/);
  });

  it('is the merger the pipeline runs by id', async () => {
    const a = randomEncoderModel(config, { seed: 1, head: 'mlm', dtype: 'f64' });
    const b = randomEncoderModel(config, { seed: 2, head: 'mlm', dtype: 'f64' });
    const r = await runPipeline(registry, { merge: { method: 'simple' } }, { anchor: a, models: [b] });
    const direct = await simpleMerger().merge({ spec, models: [a, b], stats: none(2), params: {}, seed: 0 });
    expect(maxParamDiff(direct.params, r.merged!).diff).toBe(0);
  });
});
