/**
 * Function invariance: for random small configs and random valid transforms over every space and
 * kind (ReLU FFN scaling, per-head orthogonal / scale / invertible QK and VO, head permutations,
 * within-head permutations, the residual permutation, the classifier head), the transformed model's
 * outputs equal the original's (f32: 1e-4 relative; f64: 1e-9).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HeadKind } from '@symfuse/models';
import { buildBertFamilySpec, checkInvariance, type GroupKind, randomTransform, GROUP_KINDS } from '../src/index.js';
import { arbEncoderConfig, randomEncoderModel, smallEncoderConfig } from '../src/testing/index.js';
import { maxAbsDiff } from './helpers.js';

const SYMMETRY_KINDS = GROUP_KINDS.filter((k) => k !== 'orthogonal' && k !== 'invertible');

describe('function invariance', () => {
  it('random configs × random transforms of random kinds keep logits and (mapped) hidden states', () => {
    fc.assert(
      fc.property(arbEncoderConfig(), fc.subarray([...SYMMETRY_KINDS], { minLength: 1 }), fc.integer({ min: 0, max: 1e6 }), ({ config, head }, kinds, seed) => {
        const model = randomEncoderModel(config, { seed, head });
        const spec = buildBertFamilySpec(config, head);
        const t = randomTransform(spec, { seed: seed + 1, kinds });
        const r = checkInvariance(spec, t, model, { seed, compare: head === 'none' ? 'hidden' : 'both' });
        expect(r.equivalent, `${spec.architecture} kinds=${kinds.join(',')} maxAbsDiff=${r.maxAbsDiff}`).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  const cases: { name: string; kinds: GroupKind[]; space: string; act?: string; head?: HeadKind; heads?: number }[] = [
    { name: 'ReLU FFN positive scaling', kinds: ['scale'], space: 'layer.1.ffn', act: 'relu' },
    { name: 'ReLU FFN permutation × scaling', kinds: ['permutation', 'scale'], space: 'layer.0.ffn', act: 'relu' },
    { name: 'GELU FFN permutation', kinds: ['permutation'], space: 'layer.0.ffn' },
    { name: 'per-head orthogonal QK', kinds: ['head-orthogonal'], space: 'layer.0.attention.qk' },
    { name: 'per-head orthogonal VO', kinds: ['head-orthogonal'], space: 'layer.1.attention.vo' },
    { name: 'per-head scale QK', kinds: ['head-scale'], space: 'layer.0.attention.qk' },
    { name: 'per-head scale VO', kinds: ['head-scale'], space: 'layer.0.attention.vo' },
    { name: 'per-head invertible QK', kinds: ['head-invertible'], space: 'layer.1.attention.qk' },
    { name: 'within-head permutation VO', kinds: ['permutation'], space: 'layer.0.attention.vo' },
    { name: 'residual permutation', kinds: ['permutation'], space: 'residual' },
    { name: 'BERT pooler permutation', kinds: ['permutation'], space: 'head.pooler', head: 'classifier' },
  ];
  for (const c of cases) {
    for (const placement of ['post', 'pre']) {
      it(`${c.name} (${placement}-LN) changes the parameters but not the function`, () => {
        const config = smallEncoderConfig({ hiddenAct: c.act ?? 'gelu', layerNormPlacement: placement });
        const head = c.head ?? 'mlm';
        const model = randomEncoderModel(config, { seed: 17, head });
        const spec = buildBertFamilySpec(config, head);
        const t = randomTransform(spec, { seed: 99, kinds: c.kinds, spaces: [c.space] });
        expect([...t.elements.keys()]).toEqual([c.space]);
        const r = checkInvariance(spec, t, model, { compare: 'both' });
        expect(r.equivalent, `maxAbsDiff ${r.maxAbsDiff}`).toBe(true);
        let changed = 0;
        for (const [name, p] of model.params) changed = Math.max(changed, maxAbsDiff(p.dataSync(), r.transformed.params.get(name)!.dataSync()));
        expect(changed).toBeGreaterThan(1e-3);
      });
    }
  }

  it('a head permutation shared by QK and VO keeps the function', () => {
    const config = smallEncoderConfig({ modelType: 'roberta' });
    const spec = buildBertFamilySpec(config, 'mlm');
    const model = randomEncoderModel(config, { seed: 5, head: 'mlm' });
    const t = randomTransform(spec, { seed: 8, kinds: ['head-permutation'], spaces: ['layer.0.attention.qk', 'layer.0.attention.vo'] });
    const e = t.elements.get('layer.0.attention.qk');
    expect(e?.kind).toBe('head');
    expect(checkInvariance(spec, t, model).equivalent).toBe(true);
  });

  it('f64 models agree to 1e-9 under every kind at once', () => {
    for (const modelType of ['bert', 'roberta']) {
      const config = smallEncoderConfig({ modelType, hiddenAct: 'relu', numLayers: 2 });
      for (const head of ['mlm', 'classifier'] as const) {
        const model = randomEncoderModel(config, { seed: 3, head, dtype: 'f64' });
        const spec = buildBertFamilySpec(config, head);
        const r = checkInvariance(spec, randomTransform(spec, { seed: 4 }), model, { compare: 'both', tolerance: 1e-9 });
        expect(r.equivalent, `${spec.architecture}: ${r.maxAbsDiff}`).toBe(true);
      }
    }
  });
});
