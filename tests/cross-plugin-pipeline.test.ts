/**
 * End to end across plugins: FFN weight matching (`@symfuse/plugins-permutation`), then per-head
 * Procrustes on attention (`@symfuse/plugins-rotation`), then RegMean (`@symfuse/plugins-regmean`) with
 * Gram statistics collected by the pipeline — on a random model θ and a planted transform g·θ.
 * Aligning g·θ must give back θ (same parameters, same function), and merging θ with the aligned g·θ
 * must give θ; without alignment the merge is not θ (so the test can fail).
 */
import { permutationPlugin } from '@symfuse/plugins-permutation';
import { regmeanPlugin } from '@symfuse/plugins-regmean';
import { rotationPlugin } from '@symfuse/plugins-rotation';
import { coreSymmetryPlugin, createRegistry, type ModelWeights, runPipeline, type StatsProvider, verify } from '@symfuse/symmetry';
import { expectRecovered, maxParamDiff, plantedRecovery, randomBatches, smallEncoderConfig } from '@symfuse/symmetry/testing';
import { describe, expect, it } from 'vitest';

const registry = createRegistry().use(coreSymmetryPlugin()).use(permutationPlugin()).use(rotationPlugin()).use(regmeanPlugin()).freeze();

describe('weight matching (FFN) + rotation (attention) + RegMean, through runPipeline', () => {
  for (const layerNormPlacement of ['post', 'pre'] as const) {
    it(`recovers a planted FFN permutation and scaled head rotations, and merges [θ, g·θ] into θ (${layerNormPlacement}-LN)`, async () => {
      const config = smallEncoderConfig({ numLayers: 2, layerNormPlacement });
      const spec0 = registry.architectureFor(config).buildSpec(config, { head: 'classifier' });
      // g acts on the FFN and attention spaces only (the aligners are not asked for the residual stream).
      const spaces = spec0.spaces.filter((s) => s.component === 'ffn' || s.component === 'attention-qk' || s.component === 'attention-vo').map((s) => s.id);
      const { spec, anchor, planted, g } = plantedRecovery({ config, kinds: ['permutation', 'head-orthogonal', 'head-scale'], seed: 17, head: 'classifier', dtype: 'f64', spaces });
      expect(g.elements.size).toBe(spaces.length);
      const batches = randomBatches(config, 5, 2, 3, 8);
      const collected: string[] = [];
      const statsProvider: StatsProvider = async (kind, model: ModelWeights) => {
        collected.push(`${kind}:${model.id}`);
        return registry.collector(kind).collect({ spec, model, batches });
      };
      const result = await runPipeline(
        registry,
        { align: [{ aligner: 'weight-matching', spaces: ['ffn'] }, { aligner: 'rotation', spaces: ['attention'] }], merge: { method: 'regmean' } },
        { anchor, models: [planted], statsProvider },
      );
      expect(result.steps.map((s) => `${s.aligner}:${s.spaces.length}`)).toEqual([`weight-matching:2`, `rotation:4`]);
      expect(result.warnings).toEqual([]);
      // The Grams of g·θ are moved into the anchor's basis, not collected again.
      expect(collected).toEqual([`gram:${anchor.id}`, `gram:${planted.id}`]);

      // Recovered: the composed transform undoes g, and the aligned model is θ, parameter by parameter...
      expectRecovered(result.transforms[0], g, spec, { tolerance: 1e-8 });
      const aligned = result.aligned[0];
      const paramDiff = maxParamDiff(anchor.params, aligned.params);
      expect(paramDiff.diff, paramDiff.name).toBeLessThan(1e-9);
      // ...and as a function (the invariance checker on probe batches).
      const check = verify(anchor, aligned, { seed: 3, compare: 'both' });
      expect(check.equivalent).toBe(true);
      expect(check.maxAbsDiff).toBeLessThan(1e-9);

      // merge([θ, g·θ aligned]) = θ.
      const mergedDiff = maxParamDiff(anchor.params, result.merged!);
      expect(mergedDiff.diff, mergedDiff.name).toBeLessThan(1e-8);
      expect((result.mergeDiagnostics as { tasks: unknown[] }).tasks).toHaveLength(1);

      // Control: merging without alignment does not give θ.
      const unaligned = await runPipeline(registry, { merge: { method: 'regmean' } }, { anchor, models: [planted], statsProvider });
      expect(maxParamDiff(anchor.params, unaligned.merged!).diff).toBeGreaterThan(1e-2);
    });
  }
});
