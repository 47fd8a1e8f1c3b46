/**
 * The plugin through the registry and `runPipeline`: statistics requested from the collector, the
 * paper's ablations as space selections, a residual + FFN + heads planted problem recovered by one
 * step and by weight matching; options validation; `needsFor`; Fig. 5 matrices on request.
 */
import { coreSymmetryPlugin, createRegistry, type ModelBatch, runPipeline, type StatsProvider } from '@symfuse/symmetry';
import { expectRecovered, smallEncoderConfig } from '@symfuse/symmetry/testing';
import { describe, expect, it } from 'vitest';
import { permutationPlugin, vermaElbayadAligner, type VermaElbayadDiagnostics, vermaElbayadOptions } from '../src/index.js';
import { alignVE, correlations, plant, probes } from './helpers.js';

const registry = createRegistry().use(coreSymmetryPlugin()).use(permutationPlugin()).freeze();

function provider(batches: readonly ModelBatch[], calls: string[]): StatsProvider {
  return async (kind, model, reference, ctx) => {
    calls.push(`${kind}:${model.id}:${reference?.id}`);
    return registry.collector(kind, ctx.need.pairwise).collect({ spec: ctx.spec, model, reference, batches });
  };
}

describe('permutation plugin in the pipeline', () => {
  const config = smallEncoderConfig({ numLayers: 2, hiddenSize: 16, numHeads: 4, intermediateSize: 24, modelType: 'roberta', layerNormPlacement: 'pre' });

  it('verma-elbayad with residual = first recovers residual + FFN + heads; then weight matching has nothing left to do', async () => {
    const p = plant(config, 'mlm', 31, { residual: true, ffn: true, attention: 'heads' });
    const calls: string[] = [];
    const result = await runPipeline(
      registry,
      { align: [{ aligner: 'verma-elbayad', options: { residual: 'first' } }, { aligner: 'weight-matching' }], seed: 3 },
      { anchor: p.anchor, models: [p.model], statsProvider: provider(probes(config, 5), calls) },
    );
    expect(calls).toEqual(['correlation:planted-31:anchor-31']);
    expectRecovered(result.transforms[0], p.g, p.spec);
    expect(result.steps[1].transform.elements.size).toBe(0);
    expect(result.warnings).toEqual(["align[0] (aligner 'verma-elbayad'): selector 'head' matches no space of 'roberta-mlm-pre-ln'", "align[1] (aligner 'weight-matching'): selector 'head' matches no space of 'roberta-mlm-pre-ln'"]);
  });

  it('the ablations are space selections: FFN only, MHA only; residual identity needs no statistics', async () => {
    const p = plant(config, 'mlm', 32, { residual: false, ffn: true, attention: 'heads' });
    const calls: string[] = [];
    const inputs = { anchor: p.anchor, models: [p.model], statsProvider: provider(probes(config, 6), calls) };
    const ffn = await runPipeline(registry, { align: [{ aligner: 'verma-elbayad', spaces: ['ffn'] }] }, inputs);
    expect([...ffn.transforms[0].elements.keys()]).toEqual(['layer.0.ffn', 'layer.1.ffn']);
    const mha = await runPipeline(registry, { align: [{ aligner: 'verma-elbayad', spaces: ['attention'] }] }, inputs);
    expect([...mha.transforms[0].elements.keys()].sort()).toEqual(['layer.0.attention.qk', 'layer.0.attention.vo', 'layer.1.attention.qk', 'layer.1.attention.vo']);
    expectRecovered(mha.transforms[0], p.g, p.spec, { spaces: ['layer.0.attention.qk', 'layer.0.attention.vo', 'layer.1.attention.qk', 'layer.1.attention.vo'] });
    calls.length = 0;
    const none = await runPipeline(registry, { align: [{ aligner: 'verma-elbayad', spaces: ['residual'] }] }, inputs);
    expect(calls).toEqual([]);
    expect(none.transforms[0].elements.size).toBe(0);
  });

  it('head-perm on only the VO spaces falls back to σ = identity (QK and VO must share σ), with a warning', async () => {
    const p = plant(config, 'mlm', 33, { residual: false, ffn: false, attention: 'within' });
    const stats = await correlations(p.spec, p.anchor, p.model, probes(config, 7));
    const vo = p.spec.spaces.filter((s) => s.component === 'attention-vo');
    const r = await alignVE(p.spec, p.anchor, p.model, stats, {}, vo);
    expectRecovered(r.transform, p.g, p.spec, { spaces: vo.map((s) => s.id) });
    expect((r.diagnostics as unknown as VermaElbayadDiagnostics).warnings[0]).toMatch(/layer\.0\.attention\.vo: head-perm needs every space of head group 'layer\.0\.attention' \(missing layer\.0\.attention\.qk\); used monotonic/);
  });

  it('returns the Fig. 5 matrices on request, reordered by the permutation', async () => {
    const p = plant(config, 'mlm', 34, { residual: false, ffn: true, attention: 'heads' });
    const stats = await correlations(p.spec, p.anchor, p.model, probes(config, 8));
    const r = await alignVE(p.spec, p.anchor, p.model, stats, { correlationMatrices: ['layer.1.attention.context'] });
    const m = (r.diagnostics as unknown as VermaElbayadDiagnostics).correlationMatrices!;
    expect(Object.keys(m)).toEqual(['layer.1.attention.context']);
    const { rows, cols, after } = m['layer.1.attention.context'];
    expect([rows, cols]).toEqual([16, 16]);
    for (let i = 0; i < 16; i++) expect(after[i * 16 + i]).toBeCloseTo(1, 6);
    const all = await alignVE(p.spec, p.anchor, p.model, stats, { correlationMatrices: true });
    expect(Object.keys((all.diagnostics as unknown as VermaElbayadDiagnostics).correlationMatrices!).sort()).toEqual([
      'layer.0.attention.context',
      'layer.0.ffn.activation',
      'layer.1.attention.context',
      'layer.1.ffn.activation',
    ]);
  });

  it('validates options naming the key and the allowed values; needsFor follows the options', () => {
    expect(() => vermaElbayadOptions.parse({ mha: 'heads' })).toThrow(/mha = "heads".*"head-perm"\|"monotonic"\|"ignore-heads"\|"none"/);
    expect(() => vermaElbayadOptions.parse({ residual: 'middle' })).toThrow(/residual = "middle".*"identity"\|"first"\|"last"\|"all"\|"separate"/);
    expect(() => vermaElbayadOptions.parse({ ffns: true })).toThrow(/ffns.*allowed keys: ffn, mha, residual, classifierHead, correlationMatrices/);
    expect(vermaElbayadOptions.parse(undefined)).toEqual({ ffn: true, mha: 'head-perm', residual: 'identity', classifierHead: false, correlationMatrices: false });
    const aligner = vermaElbayadAligner();
    const spaces = plant(config, 'mlm', 1, {}).spec.spaces;
    const residualOnly = spaces.filter((s) => s.component === 'residual');
    expect(aligner.needsFor!(vermaElbayadOptions.parse({}), residualOnly)).toEqual([]);
    expect(aligner.needsFor!(vermaElbayadOptions.parse({ residual: 'all' }), residualOnly)).toEqual([{ kind: 'correlation', pairwise: true }]);
    expect(aligner.needsFor!(vermaElbayadOptions.parse({ ffn: false, mha: 'none' }), spaces)).toEqual([]);
  });

  it('names what is missing when the statistics lack a site or are absent', async () => {
    const p = plant(config, 'mlm', 35, { residual: false, ffn: true, attention: 'none' });
    const stats = await correlations(p.spec, p.anchor, p.model, probes(config, 9, 1), ['layer.0.ffn.activation']);
    await expect(alignVE(p.spec, p.anchor, p.model, stats, { mha: 'none' })).rejects.toThrow(/'layer\.1\.ffn\.activation\/anchor-mean' is missing/);
    const aligner = vermaElbayadAligner();
    await expect(
      aligner.align({ spec: p.spec, anchor: p.anchor, model: p.model, spaces: p.spec.spaces, options: vermaElbayadOptions.parse({}), stats: new Map(), solver: registry.solver(), seed: 0 }),
    ).rejects.toThrow(/needs pairwise 'correlation' statistics \(anchor × model\) but the request has none/);
  });
});

describe('verma-elbayad options: the heads alias', () => {
  it('accepts `heads` as the spelling of `mha` used by merge configs, and rejects giving both', () => {
    expect(vermaElbayadOptions.parse({ heads: 'monotonic' }).mha).toBe('monotonic');
    expect(() => vermaElbayadOptions.parse({ heads: 'monotonic', mha: 'head-perm' })).toThrow(/heads/);
    expect(() => vermaElbayadOptions.parse({ heads: 'sideways' })).toThrow(/sideways/);
  });
});
