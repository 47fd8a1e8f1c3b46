import {
  applyTransform,
  coreSymmetryPlugin,
  createRegistry,
  type ModelWeights,
  randomTransform,
  runPipeline,
  type StatsProvider,
  type Transform,
  transformStatsBundle,
} from '@symfuse/symmetry';
import { fixedTransformAligner, maxParamDiff, maxRelDiff, randomBatches, randomEncoderModel, smallEncoderConfig } from '@symfuse/symmetry/testing';
import { describe, expect, it } from 'vitest';
import { regmeanPlugin } from '../src/index.js';

describe('RegMean composed with aligners', () => {
  it('RegMean of aligned models equals RegMean on the transformed Grams (and on Grams collected after alignment)', async () => {
    const config = smallEncoderConfig({ numLayers: 2 });
    const anchor = randomEncoderModel(config, { seed: 1, head: 'classifier', dtype: 'f64' });
    const other = randomEncoderModel(config, { seed: 2, head: 'classifier', dtype: 'f64' });
    let transform: Transform | undefined;
    const registry = createRegistry()
      .use(coreSymmetryPlugin())
      .use(regmeanPlugin())
      .use({ meta: { name: 'test-fixed', version: '0', description: 'test' }, aligners: [fixedTransformAligner(() => transform!)] })
      .freeze();
    const spec = registry.architectureFor(config).buildSpec(config, { head: 'classifier' });
    // A symmetry with permutations, head permutations and per-head rotations: every kind a Gram follows.
    transform = randomTransform(spec, { seed: 5, kinds: ['permutation', 'head-permutation', 'head-orthogonal'] });
    const batches = randomBatches(config, 3, 3, 3, 8);
    const collect = (model: ModelWeights) => registry.collector('gram').collect({ spec, model, batches });
    const calls: string[] = [];
    const statsProvider: StatsProvider = async (kind, model) => {
      calls.push(`${kind}:${model.id}`);
      return collect(model);
    };
    const config_ = { align: [{ aligner: 'fixed' }], merge: { method: 'regmean', alpha: 0.8 } };
    const result = await runPipeline(registry, config_, { anchor, models: [other], statsProvider });
    expect(calls).toEqual(['gram:random-1', 'gram:random-2']);

    // By hand: align, move the original model's Grams into the anchor's basis, merge.
    const aligned = { ...other, params: applyTransform(spec, transform, other.params) };
    const ga = await collect(anchor);
    const moved = transformStatsBundle(spec, transform, await collect(other), 'linear-input-gram');
    const regmean = registry.merger('regmean');
    const byHand = await regmean.merge({ spec, models: [anchor, aligned], stats: [new Map([['gram', ga]]), new Map([['gram', moved]])], params: regmean.params.parse({ alpha: 0.8 }), seed: 0 });
    expect(maxParamDiff(byHand.params, result.merged!).diff).toBeLessThan(1e-12);

    // The moved Grams are the Grams of the aligned model's own inputs (x → T x gives T G Tᵀ).
    const direct = await collect(aligned);
    for (const [name, e] of direct.entries) expect(maxRelDiff(e.data, moved.entries.get(name)!.data)).toBeLessThan(1e-10);
    const fromDirect = await regmean.merge({ spec, models: [anchor, aligned], stats: [new Map([['gram', ga]]), new Map([['gram', direct]])], params: regmean.params.parse({ alpha: 0.8 }), seed: 0 });
    expect(maxParamDiff(fromDirect.params, result.merged!).diff).toBeLessThan(1e-8);
    // And alignment mattered: without it the merge is a different model.
    const unaligned = await regmean.merge({ spec, models: [anchor, other], stats: [new Map([['gram', ga]]), new Map([['gram', await collect(other)]])], params: regmean.params.parse({ alpha: 0.8 }), seed: 0 });
    expect(maxParamDiff(unaligned.params, result.merged!).diff).toBeGreaterThan(1e-3);
  });
});
