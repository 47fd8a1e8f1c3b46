/**
 * Non-symmetries are caught: ignore-heads, a separate residual permutation per sublayer, a rotation
 * of the residual stream and positive scaling of a GELU FFN each change the outputs, `verify` says so,
 * and `applyTransform` refuses them unless they are marked `preservesFunction: false`.
 */
import { describe, expect, it } from 'vitest';
import {
  buildBertFamilySpec,
  checkInvariance,
  forcedTransform,
  ignoreHeadsTransform,
  residualRotationTransform,
  separateResidualTransform,
  applyTransform,
  TransformError,
  type Transform,
  verify,
} from '../src/index.js';
import { randomEncoderModel, smallEncoderConfig } from '../src/testing/index.js';

const variants: { name: string; make: (spec: ReturnType<typeof buildBertFamilySpec>) => Transform; refusal: RegExp }[] = [
  { name: 'ignore-heads', make: (s) => ignoreHeadsTransform(s, ['layer.0.attention.qk', 'layer.0.attention.vo'], 3), refusal: /mixes coordinates of different heads/ },
  { name: 'separate residual', make: (s) => separateResidualTransform(s, 4), refusal: /per-parameter override/ },
  { name: 'rotation of the residual stream', make: (s) => residualRotationTransform(s, 5), refusal: /needs kind 'orthogonal'/ },
  { name: 'GELU FFN scaling', make: (s) => forcedTransform(s, ['layer.1.ffn'], ['scale'], 6), refusal: /needs kind 'scale'/ },
];

describe('non-symmetries', () => {
  for (const v of variants) {
    for (const placement of ['post', 'pre']) {
      for (const head of ['mlm', 'classifier'] as const) {
        it(`${v.name} changes the function (${placement}-LN, ${head}) and verify reports it`, () => {
          const config = smallEncoderConfig({ layerNormPlacement: placement, modelType: head === 'mlm' ? 'bert' : 'roberta' });
          const model = randomEncoderModel(config, { seed: 21, head });
          const spec = buildBertFamilySpec(config, head);
          const t = v.make(spec);
          expect(t.preservesFunction).toBe(false);
          const r = checkInvariance(spec, t, model);
          expect(r.equivalent).toBe(false);
          expect(r.maxAbsDiff).toBeGreaterThan(1e-3);
          expect(verify(model, r.transformed, { seed: 1 }).equivalent).toBe(false);
          expect(() => applyTransform(spec, { ...t, preservesFunction: true }, model.params)).toThrow(v.refusal);
          expect(() => applyTransform(spec, { ...t, preservesFunction: true }, model.params)).toThrow(TransformError);
        });
      }
    }
  }

  it('verify says a model is equivalent to itself and not to a different one', () => {
    const config = smallEncoderConfig();
    const a = randomEncoderModel(config, { seed: 1, head: 'mlm' });
    const b = randomEncoderModel(config, { seed: 2, head: 'mlm' });
    const same = verify(a, a, { seed: 3 });
    expect(same).toMatchObject({ equivalent: true, maxAbsDiff: 0, tolerance: 1e-4 });
    expect(verify(a, b, { seed: 3 }).equivalent).toBe(false);
  });
});
