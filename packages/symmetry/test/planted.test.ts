/**
 * The planted-recovery harness used by plugin tests: g·θ is functionally θ; g⁻¹ is recognised as a
 * recovery; anything else fails with the spaces named.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { composeTransforms, identityTransform, invertTransform, verify, GROUP_KINDS, randomTransform } from '../src/index.js';
import { arbEncoderConfig, expectRecovered, plantedRecovery, smallEncoderConfig } from '../src/testing/index.js';

describe('planted recovery harness', () => {
  it('plants a symmetry (g·θ ≡ θ) that g⁻¹ recovers, on random configs and kinds', () => {
    fc.assert(
      fc.property(arbEncoderConfig({ layers: [1, 2] }), fc.subarray(GROUP_KINDS.filter((k) => k !== 'orthogonal' && k !== 'invertible'), { minLength: 1 }), fc.integer({ min: 0, max: 1e6 }), ({ config, head }, kinds, seed) => {
        const { anchor, planted, g, spec } = plantedRecovery({ config, head, kinds, seed });
        // head 'none' compares hidden states, which live in the (permuted) residual basis
        const residual = g.elements.get('residual');
        expect(verify(anchor, planted, { seed, ...(residual ? { hiddenTransform: residual } : {}) }).equivalent).toBe(true);
        expectRecovered(invertTransform(g), g, spec);
      }),
      { numRuns: 30 },
    );
  });

  it('rejects a non-recovery, naming the spaces', () => {
    const config = smallEncoderConfig({ numLayers: 1, hiddenAct: 'relu' });
    const { g, spec } = plantedRecovery({ config, kinds: ['permutation', 'scale', 'head-orthogonal'], seed: 4, head: 'mlm' });
    expect(() => expectRecovered(identityTransform(), g, spec)).toThrow(/did not undo the planted transform on 4 of 4 spaces[\s\S]*space 'residual': \(found ∘ g\) deviates from the identity by a permutation/);
    // recovering all but one space
    const partial = { ...invertTransform(g), elements: new Map([...invertTransform(g).elements].filter(([k]) => k !== 'layer.0.attention.qk')) };
    expect(() => expectRecovered(partial, g, spec)).toThrow(/on 1 of 4 spaces[\s\S]*'layer\.0\.attention\.qk'/);
    expect(() => expectRecovered(partial, g, spec, { spaces: ['residual', 'layer.0.ffn'] })).not.toThrow();
    // a slightly wrong continuous recovery fails at the default tolerance
    const noisy = composeTransforms(randomTransform(spec, { seed: 1, kinds: ['head-scale'], spaces: ['layer.0.attention.vo'] }), invertTransform(g));
    expect(() => expectRecovered(noisy, g, spec)).toThrow(/'layer\.0\.attention\.vo'/);
  });
});
