/**
 * Planted recovery of the Verma–Elbayad aligner: the model is the anchor under a random valid
 * permutation g of the residual stream, every FFN, every attention layer (head reordering σ and
 * within-head permutations, shared by QK and VO) and the classifier head; aligning g·θ to θ must
 * return f with f∘g = identity, and f·(g·θ) must be θ exactly.
 */
import fc from 'fast-check';
import { applyTransform } from '@symfuse/symmetry';
import { arbEncoderConfig, expectRecovered, smallEncoderConfig } from '@symfuse/symmetry/testing';
import { describe, expect, it } from 'vitest';
import type { VermaElbayadDiagnostics } from '../src/index.js';
import { alignVE, correlations, maxParamDiff, plant, probes } from './helpers.js';

describe('verma-elbayad planted recovery', () => {
  it('recovers residual (first, last, all) + FFN + head-perm attention + classifier head exactly, on random configs', async () => {
    await fc.assert(
      fc.asyncProperty(
        arbEncoderConfig({ layers: [1, 2], hidden: [8, 16], heads: [1, 2, 4], activations: ['gelu', 'gelu_tanh'] }),
        fc.constantFrom('first', 'last', 'all'),
        fc.integer({ min: 0, max: 1e6 }),
        async ({ config, head }, residual, seed) => {
          const p = plant(config, head, seed, { residual: true, ffn: true, attention: 'heads', head: true });
          const stats = await correlations(p.spec, p.anchor, p.model, probes(config, seed, 6));
          const r = await alignVE(p.spec, p.anchor, p.model, stats, { residual, classifierHead: true });
          expect(r.transform.preservesFunction).toBe(true);
          expectRecovered(r.transform, p.g, p.spec);
          const aligned = { ...p.model, params: applyTransform(p.spec, r.transform, p.model.params) };
          expect(maxParamDiff(aligned, p.anchor)).toBe(0);
        },
      ),
      { numRuns: 20 },
    );
  });

  it('recovers with residual = identity when only FFN and heads are planted; reports Fig. 4 numbers', async () => {
    const config = smallEncoderConfig({ numLayers: 2, hiddenSize: 16, numHeads: 4, intermediateSize: 24 });
    const p = plant(config, 'mlm', 11, { residual: false, ffn: true, attention: 'heads' });
    const stats = await correlations(p.spec, p.anchor, p.model, probes(config, 3));
    const r = await alignVE(p.spec, p.anchor, p.model, stats);
    expectRecovered(r.transform, p.g, p.spec);
    expect(r.transform.elements.has('residual')).toBe(false);
    const d = r.diagnostics as unknown as VermaElbayadDiagnostics;
    expect(d.sites.map((s) => s.site).sort()).toEqual(['layer.0.attention.context', 'layer.0.ffn.activation', 'layer.1.attention.context', 'layer.1.ffn.activation']);
    for (const s of d.sites) {
      // the planted model's features are the anchor's, reordered: after alignment every matched pair has correlation 1
      expect(s.meanDiagAfter).toBeCloseTo(1, 6);
      expect(s.meanDiagBefore).toBeLessThan(0.9);
      expect(s.exact).toBe(true);
    }
    expect(d.solves).toHaveLength(4);
    expect(r.trace.every((t) => (t.objectiveAfter ?? 0) >= (t.objectiveBefore ?? 0) - 1e-9 && typeof t.ms === 'number')).toBe(true);
    const heads = r.trace.find((t) => t.step === 'mha-head-perm')!;
    expect(heads.detail).toMatchObject({ heads: 4, headDim: 4, innerSolves: 16 });
  });

  it('monotonic recovers within-head permutations when heads are not reordered, and misses a head reordering', async () => {
    const config = smallEncoderConfig({ numLayers: 1, hiddenSize: 16, numHeads: 4, intermediateSize: 20, layerNormPlacement: 'pre' });
    const within = plant(config, 'none', 5, { residual: false, ffn: false, attention: 'within' });
    const s1 = await correlations(within.spec, within.anchor, within.model, probes(config, 2));
    const r1 = await alignVE(within.spec, within.anchor, within.model, s1, { mha: 'monotonic', ffn: false });
    expectRecovered(r1.transform, within.g, within.spec);

    const reordered = plant(config, 'none', 1, { residual: false, ffn: false, attention: 'heads' });
    const sigma = (reordered.g.elements.get('layer.0.attention.vo') as { headPerm: Int32Array }).headPerm;
    expect(Array.from(sigma)).toEqual([3, 0, 1, 2]);
    const s2 = await correlations(reordered.spec, reordered.anchor, reordered.model, probes(config, 2));
    const r2 = await alignVE(reordered.spec, reordered.anchor, reordered.model, s2, { mha: 'monotonic', ffn: false });
    expect(() => expectRecovered(r2.transform, reordered.g, reordered.spec)).toThrow(/attention/);
    const r3 = await alignVE(reordered.spec, reordered.anchor, reordered.model, s2, { mha: 'head-perm', ffn: false });
    expectRecovered(r3.transform, reordered.g, reordered.spec);
  });

  it('ablations: FFN only, MHA only (by options or by the spaces given)', async () => {
    const config = smallEncoderConfig({ numLayers: 2, hiddenSize: 8, numHeads: 2, intermediateSize: 12 });
    const p = plant(config, 'mlm', 21, { residual: false, ffn: true, attention: 'heads' });
    const stats = await correlations(p.spec, p.anchor, p.model, probes(config, 4));
    const ffnSpaces = p.spec.spaces.filter((s) => s.component === 'ffn').map((s) => s.id);
    const attnSpaces = p.spec.spaces.filter((s) => s.component.startsWith('attention')).map((s) => s.id);
    const ffnOnly = await alignVE(p.spec, p.anchor, p.model, stats, { mha: 'none' });
    expect([...ffnOnly.transform.elements.keys()].sort()).toEqual(ffnSpaces.sort());
    expectRecovered(ffnOnly.transform, p.g, p.spec, { spaces: ffnSpaces });
    const mhaOnly = await alignVE(p.spec, p.anchor, p.model, stats, {}, p.spec.spaces.filter((s) => s.component.startsWith('attention')));
    expect([...mhaOnly.transform.elements.keys()].sort()).toEqual(attnSpaces.sort());
    expectRecovered(mhaOnly.transform, p.g, p.spec, { spaces: attnSpaces });
  });
});
