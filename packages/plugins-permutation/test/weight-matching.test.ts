/**
 * Weight matching (dataless): planted recovery on weights alone (residual, FFN, heads with their own
 * QK and VO within-head permutations, classifier head), the similarity against a dense oracle,
 * seeded determinism, monotone objective, options.
 */
import fc from 'fast-check';
import { applyTransform, checkInvariance, type SymmetrySpec, validateTransform } from '@symfuse/symmetry';
import { arbEncoderConfig, expectRecovered, randomEncoderModel, smallEncoderConfig } from '@symfuse/symmetry/testing';
import { describe, expect, it } from 'vitest';
import { spaceSimilarity, type WeightMatchingDiagnostics, weightMatchingOptions } from '../src/index.js';
import { alignWM, maxParamDiff, plant, specOf } from './helpers.js';

async function hostOf(m: { params: ReadonlyMap<string, { data(): Promise<ArrayLike<number>> }> }): Promise<Map<string, Float64Array>> {
  const out = new Map<string, Float64Array>();
  for (const [k, t] of m.params) out.set(k, Float64Array.from(await t.data()));
  return out;
}

describe('weight matching', () => {
  it('recovers a planted permutation of every space from the weights alone', async () => {
    await fc.assert(
      fc.asyncProperty(arbEncoderConfig({ layers: [1, 2], hidden: [8, 16], heads: [1, 2, 4] }), fc.integer({ min: 0, max: 1e6 }), async ({ config, head }, seed) => {
        const p = plant(config, head, seed, { residual: true, ffn: true, attention: 'heads', head: true, independentQk: true });
        const r = await alignWM(p.spec, p.anchor, p.model, {}, p.spec.spaces, seed);
        expectRecovered(r.transform, p.g, p.spec);
        const aligned = { ...p.model, params: applyTransform(p.spec, r.transform, p.model.params) };
        expect(maxParamDiff(aligned, p.anchor)).toBe(0);
        const d = r.diagnostics as unknown as WeightMatchingDiagnostics;
        expect(d.converged).toBe(true);
        expect(d.objectiveAfter).toBeGreaterThanOrEqual(d.objectiveBefore);
      }),
      { numRuns: 24 },
    );
  });

  it('similarity equals Σ_W unfold(W_A) · unfold(W_B′)ᵀ computed densely (oracle)', async () => {
    const config = smallEncoderConfig({ numLayers: 1, hiddenSize: 8, numHeads: 2, intermediateSize: 6 });
    const a = randomEncoderModel(config, { seed: 1, head: 'mlm' });
    const b = randomEncoderModel(config, { seed: 2, head: 'mlm' });
    const spec = specOf(config, 'mlm', a.params);
    const host = { anchor: await hostOf(a), model: await hostOf(b) };
    // FFN space with a residual permutation in place: W_1 [f, d] (rows), b_1, W_2 [d, f] (columns).
    const rp = Int32Array.from([3, 1, 0, 2, 7, 6, 5, 4]);
    const s = spaceSimilarity(spec, 'layer.0.ffn', host, new Map([['residual', rp]]));
    const n = 6;
    const d = 8;
    const W1a = host.anchor.get('bert.encoder.layer.0.intermediate.dense.weight')!;
    const W1b = host.model.get('bert.encoder.layer.0.intermediate.dense.weight')!;
    const b1a = host.anchor.get('bert.encoder.layer.0.intermediate.dense.bias')!;
    const b1b = host.model.get('bert.encoder.layer.0.intermediate.dense.bias')!;
    const W2a = host.anchor.get('bert.encoder.layer.0.output.dense.weight')!;
    const W2b = host.model.get('bert.encoder.layer.0.output.dense.weight')!;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let e = b1a[i] * b1b[j];
        // W_B′ = W_B with the residual permutation on its d-axis: column k of W_1 ← column rp[k]; row k of W_2 ← row rp[k]
        for (let k = 0; k < d; k++) e += W1a[i * d + k] * W1b[j * d + rp[k]] + W2a[k * n + i] * W2b[rp[k] * n + j];
        expect(s[i * n + j]).toBeCloseTo(e, 10);
      }
    }
  });

  it('on independent models: valid, function-preserving, deterministic in the seed, never lowers the objective', async () => {
    const config = smallEncoderConfig({ numLayers: 2, hiddenSize: 16, numHeads: 4, intermediateSize: 24, layerNormPlacement: 'pre' });
    const a = randomEncoderModel(config, { seed: 5, head: 'mlm' });
    const b = randomEncoderModel(config, { seed: 6, head: 'mlm' });
    const spec = specOf(config, 'mlm', a.params);
    const r1 = await alignWM(spec, a, b, {}, spec.spaces, 42);
    const r2 = await alignWM(spec, a, b, {}, spec.spaces, 42);
    const d = r1.diagnostics as unknown as WeightMatchingDiagnostics;
    expect(d.converged).toBe(true);
    expect(d.objectiveAfter).toBeGreaterThan(d.objectiveBefore);
    expect(r1.trace.map((t) => [t.space, t.objectiveAfter])).toEqual(r2.trace.map((t) => [t.space, t.objectiveAfter]));
    for (const t of r1.trace) expect(t.objectiveAfter!).toBeGreaterThanOrEqual(t.objectiveBefore!);
    // the last pass improves nothing
    const lastPass = r1.trace.filter((t) => (t.detail as { iteration: number }).iteration === d.iterations);
    expect(lastPass.every((t) => !(t.detail as { improved: boolean }).improved)).toBe(true);
    expect(lastPass).toHaveLength(spec.spaces.length - 2 * config.numLayers + config.numLayers); // QK+VO of a layer are one coordinate
    const { structural, symmetry } = validateTransform(spec, r1.transform);
    expect([...structural, ...symmetry]).toEqual([]);
    expect(checkInvariance(spec, r1.transform, b).equivalent).toBe(true);
  });

  it("attention: 'skip' leaves head spaces alone; options are validated by name", async () => {
    const config = smallEncoderConfig({ numLayers: 1, hiddenSize: 8, numHeads: 2, intermediateSize: 10 });
    const p = plant(config, 'none', 3, { residual: true, ffn: true, attention: 'none' });
    const r = await alignWM(p.spec, p.anchor, p.model, { attention: 'skip' });
    expect([...r.transform.elements.keys()].sort()).toEqual(['layer.0.ffn', 'residual']);
    expectRecovered(r.transform, p.g, p.spec);
    expect(() => weightMatchingOptions.parse({ attention: 'rotate' })).toThrow(/attention = "rotate".*head-perm.*skip/);
    expect(() => weightMatchingOptions.parse({ maxIter: 3 })).toThrow(/maxIter.*allowed keys: attention, maxIterations, tolerance/);
  });

  it('respects the spaces it is given (FFN only keeps the residual fixed)', async () => {
    const config = smallEncoderConfig({ numLayers: 2, hiddenSize: 8, numHeads: 2, intermediateSize: 10 });
    const p = plant(config, 'mlm', 8, { residual: false, ffn: true, attention: 'none' });
    const ffn = p.spec.spaces.filter((s) => s.component === 'ffn');
    const r = await alignWM(p.spec as SymmetrySpec, p.anchor, p.model, {}, ffn);
    expect([...r.transform.elements.keys()].sort()).toEqual(ffn.map((s) => s.id).sort());
    expectRecovered(r.transform, p.g, p.spec);
  });
});
