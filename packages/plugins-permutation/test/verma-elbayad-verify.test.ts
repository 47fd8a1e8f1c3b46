/**
 * Function invariance of the Verma–Elbayad transforms on two INDEPENDENT random models (nothing
 * planted, so the permutations are arbitrary): every valid variant passes `verify`; ignore-heads and
 * separate are flagged `preservesFunction: false` and `verify` catches them.
 */
import fc from 'fast-check';
import { checkInvariance, validateTransform } from '@symfuse/symmetry';
import { arbEncoderConfig, randomEncoderModel, smallEncoderConfig } from '@symfuse/symmetry/testing';
import { describe, expect, it } from 'vitest';
import type { VermaElbayadDiagnostics } from '../src/index.js';
import { alignVE, correlations, probes, specOf } from './helpers.js';

describe('verma-elbayad transforms and verify', () => {
  it('every valid variant (MHA head-perm/monotonic × residual identity/first/last/all × classifier head) preserves the function', async () => {
    await fc.assert(
      fc.asyncProperty(
        arbEncoderConfig({ layers: [1, 2], hidden: [8, 16], heads: [2, 4] }),
        fc.constantFrom('head-perm', 'monotonic'),
        fc.constantFrom('identity', 'first', 'last', 'all'),
        fc.integer({ min: 0, max: 1e6 }),
        async ({ config, head }, mha, residual, seed) => {
          const a = randomEncoderModel(config, { seed, head });
          const b = randomEncoderModel(config, { seed: seed + 7, head });
          const spec = specOf(config, head, a.params);
          const stats = await correlations(spec, a, b, probes(config, seed, 3));
          const r = await alignVE(spec, a, b, stats, { mha: mha as 'head-perm', residual: residual as 'first', classifierHead: true });
          expect(r.transform.preservesFunction).toBe(true);
          const { structural, symmetry } = validateTransform(spec, r.transform);
          expect([...structural, ...symmetry]).toEqual([]);
          const check = checkInvariance(spec, r.transform, b, { seed, compare: head === 'none' ? 'hidden' : 'both' });
          expect(check.equivalent).toBe(true);
        },
      ),
      { numRuns: 24 },
    );
  });

  it('ignore-heads is flagged and fails verify', async () => {
    const config = smallEncoderConfig({ numLayers: 2, hiddenSize: 16, numHeads: 4, intermediateSize: 24 });
    const a = randomEncoderModel(config, { seed: 1, head: 'mlm' });
    const b = randomEncoderModel(config, { seed: 2, head: 'mlm' });
    const spec = specOf(config, 'mlm', a.params);
    const stats = await correlations(spec, a, b, probes(config, 1));
    const r = await alignVE(spec, a, b, stats, { mha: 'ignore-heads', ffn: false });
    expect(r.transform.preservesFunction).toBe(false);
    expect((r.diagnostics as unknown as VermaElbayadDiagnostics).preservesFunction).toBe(false);
    const el = r.transform.elements.get('layer.0.attention.qk');
    expect(el?.kind).toBe('permutation');
    expect(r.transform.elements.get('layer.0.attention.vo')).toBe(el);
    // validateTransform sees that the element is not in the spaces' groups
    expect(validateTransform(spec, r.transform).symmetry.length).toBeGreaterThan(0);
    expect(checkInvariance(spec, r.transform, b).equivalent).toBe(false);
    // ignore-heads maximises over a superset of head-structured permutations
    const hp = await alignVE(spec, a, b, stats, { mha: 'head-perm', ffn: false });
    const total = (x: typeof r) => x.trace.reduce((s, t) => s + (t.objectiveAfter ?? 0), 0);
    expect(total(r)).toBeGreaterThanOrEqual(total(hp) - 1e-9);
  });

  it('separate residual is flagged, acts per sublayer through parameter overrides, and fails verify', async () => {
    const config = smallEncoderConfig({ numLayers: 2, hiddenSize: 8, numHeads: 2, intermediateSize: 12 });
    const a = randomEncoderModel(config, { seed: 3, head: 'mlm' });
    const b = randomEncoderModel(config, { seed: 4, head: 'mlm' });
    const spec = specOf(config, 'mlm', a.params);
    const stats = await correlations(spec, a, b, probes(config, 2));
    const r = await alignVE(spec, a, b, stats, { residual: 'separate', ffn: false, mha: 'none' });
    expect(r.transform.preservesFunction).toBe(false);
    expect(r.transform.elements.size).toBe(0);
    const overrides = r.transform.paramOverrides!;
    const permOf = (param: string) => Array.from((overrides.get(param)!.get('residual') as { perm: Int32Array }).perm);
    // W_O's rows live in x_a of layer 0, as does W_1's input; W_2's rows in x_f
    expect(permOf('bert.encoder.layer.0.attention.output.dense.weight')).toEqual(permOf('bert.encoder.layer.0.intermediate.dense.weight'));
    expect(permOf('bert.encoder.layer.0.output.dense.weight')).toEqual(permOf('bert.encoder.layer.1.attention.self.query.weight'));
    expect(permOf('bert.embeddings.word_embeddings.weight')).toEqual(permOf('bert.encoder.layer.0.attention.self.query.weight'));
    const d = r.diagnostics as unknown as VermaElbayadDiagnostics;
    expect(d.sites.map((s) => s.site)).toEqual(['embeddings.output', 'layer.0.attention.residual', 'layer.0.output', 'layer.1.attention.residual', 'layer.1.output']);
    expect(d.sites.every((s) => !s.exact)).toBe(true);
    expect(checkInvariance(spec, r.transform, b).equivalent).toBe(false);
  });
});
