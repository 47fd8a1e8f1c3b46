/**
 * The pipeline: aligners see only their spaces and the model as transformed by earlier steps;
 * transforms compose; statistics reach the merger in the anchor's basis; configuration errors name
 * the step, the aligner and the option.
 */
import { describe, expect, it } from 'vitest';
import {
  applyTransform,
  coreSymmetryPlugin,
  createRegistry,
  PipelineError,
  parsePipelineConfig,
  randomTransform,
  runPipeline,
  selectSpaces,
  type SpaceElement,
  type StatsBundle,
  verify,
  buildBertFamilySpec,
} from '../src/index.js';
import { expectRecovered, plantedRecovery, smallEncoderConfig } from '../src/testing/index.js';
import { maxAbsDiff } from './helpers.js';
import { measureGrams, toyPlugin } from './toy-plugins.js';

function setup(reply?: Parameters<typeof toyPlugin>[2]) {
  const log: Parameters<typeof toyPlugin>[0] = [];
  const seen: Parameters<typeof toyPlugin>[1] = [];
  const registry = createRegistry().use(coreSymmetryPlugin()).use(toyPlugin(log, seen, reply)).freeze();
  return { log, seen, registry };
}

const statsProvider = async (kind: string, model: Parameters<typeof measureGrams>[0]): Promise<StatsBundle> => {
  if (kind !== 'gram') throw new Error(`no ${kind}`);
  return measureGrams(model);
};

describe('runPipeline', () => {
  it('recovers planted FFN permutations, composes steps, and merges θ with the aligned g·θ into θ', async () => {
    const config = smallEncoderConfig({ numLayers: 2, intermediateSize: 12 });
    const { anchor, planted, g, spec } = plantedRecovery({ config, kinds: ['permutation'], seed: 3, head: 'mlm', spaces: ['layer.0.ffn', 'layer.1.ffn'], dtype: 'f64' });
    const { log, seen, registry } = setup();
    const progress: string[] = [];
    const result = await runPipeline(
      registry,
      {
        align: [
          { aligner: 'toy-ffn-matching', spaces: ['ffn'] },
          { aligner: 'toy-spy', spaces: ['layer.1.*', 'residual'], options: { wantsGram: true } },
        ],
        merge: { method: 'toy-mean', weight: 2 },
      },
      { anchor, models: [planted], statsProvider, progress: (e) => progress.push(`${e.stage}:${e.done}/${e.total}`) },
    );
    expectRecovered(result.transforms[0], g, spec);
    // the spy (step 2) saw exactly its spaces and the model already aligned by step 1
    expect(log).toHaveLength(1);
    expect(log[0].spaces).toEqual(['residual', 'layer.1.attention.qk', 'layer.1.attention.vo', 'layer.1.ffn']);
    expect(log[0].stats).toEqual(['gram']);
    for (const [k, v] of log[0].params) expect(v, k).toEqual(Array.from(anchor.params.get(k)!.dataSync()));
    expect(result.steps.map((s) => [s.model, s.step, s.aligner])).toEqual([[0, 0, 'toy-ffn-matching'], [0, 1, 'toy-spy']]);
    expect(result.steps[0].trace.map((t) => t.space)).toEqual(['layer.0.ffn', 'layer.1.ffn']);
    for (const [k, p] of result.merged!) expect(maxAbsDiff(p.dataSync(), anchor.params.get(k)!.dataSync()), k).toBeLessThan(1e-12);
    expect(result.mergeDiagnostics).toEqual({ n: 2 });
    expect(progress[0]).toBe('align:0/2');
    expect(progress.at(-1)).toBe('merge:1/1');
    expect(seen).toHaveLength(1);
  });

  it('gives the merger statistics moved into the anchor basis (= measured on the aligned model)', async () => {
    const config = smallEncoderConfig({ numLayers: 1, hiddenAct: 'relu' });
    const { anchor, planted, spec } = plantedRecovery({ config, kinds: ['permutation', 'scale', 'head-permutation', 'head-orthogonal'], seed: 5, head: 'classifier', dtype: 'f64' });
    // the spy returns a random symmetry on its spaces: the merger must see Grams in that new basis
    const r = randomTransform(spec, { seed: 77 });
    const reply = (spaces: readonly { id: string }[]) => new Map(spaces.map((s) => [s.id, r.elements.get(s.id)!] as [string, SpaceElement]));
    const { seen, registry } = setup(reply);
    const result = await runPipeline(registry, { align: [{ aligner: 'toy-spy', spaces: ['attention', 'ffn'] }], merge: { method: 'toy-mean' } }, { anchor, models: [planted], statsProvider });
    const aligned = result.aligned[0];
    expect(verify(planted, aligned).equivalent).toBe(true);
    const direct = measureGrams(aligned);
    const given = seen[0][1].get('gram')!;
    expect([...given.entries.keys()].sort()).toEqual([...direct.entries.keys()].sort());
    for (const [k, e] of direct.entries) {
      const scale = Math.max(...e.data.map(Math.abs));
      expect(maxAbsDiff(given.entries.get(k)!.data, e.data) / scale, k).toBeLessThan(1e-10);
    }
    // the anchor's own statistics are untouched
    expect(seen[0][0].get('gram')!.entries.get('classifier.weight')).toEqual(measureGrams(anchor).entries.get('classifier.weight'));
    expect(result.transforms[0].elements.size).toBe(3);
    expect(result.warnings).toEqual([]);
    // applying the composed transform to the input model gives the aligned model
    const again = applyTransform(spec, result.transforms[0], planted.params);
    for (const [k, p] of aligned.params) expect(Array.from(again.get(k)!.dataSync())).toEqual(Array.from(p.dataSync()));
  });

  it('moves per-parameter statistics by permutations, and collects them again when a transform cannot move them', async () => {
    const config = smallEncoderConfig({ numLayers: 1 });
    const { anchor, planted, spec } = plantedRecovery({ config, kinds: ['permutation'], seed: 2, head: 'mlm', dtype: 'f64' });
    const fisherLike = (m: { params: ReadonlyMap<string, { shape: readonly number[]; dataSync(): ArrayLike<number> }> }): StatsBundle => ({
      kind: 'fisher',
      meta: {},
      entries: new Map([...m.params].map(([k, t]) => [k, { shape: t.shape, data: Float64Array.from(t.dataSync(), (v) => v * v) }])),
    });
    for (const [kinds, expectWarning] of [[['permutation', 'head-permutation'], false], [['head-orthogonal'], true]] as const) {
      const r = randomTransform(spec, { seed: 4, kinds: [...kinds] });
      const log: Parameters<typeof toyPlugin>[0] = [];
      const seen: StatsBundle[] = [];
      const registry = createRegistry()
        .use(coreSymmetryPlugin())
        .use(toyPlugin(log, [], (spaces) => new Map(spaces.filter((x) => r.elements.has(x.id)).map((x) => [x.id, r.elements.get(x.id)!] as [string, SpaceElement]))))
        .use({
          meta: { name: 'fisher-like', version: '0', description: '' },
          collectors: [{ id: 'sq', kind: 'fisher', pairwise: false, layout: 'per-param', collect: async ({ model }) => fisherLike(model), combine: (p) => p[0] }],
          mergers: [{ id: 'keep-anchor', prettyName: '', reference: '', params: { parse: () => ({}) }, needs: [{ kind: 'fisher', pairwise: false }], merge: async ({ models, stats }) => { seen.push(stats[1].get('fisher')!); return { params: new Map(models[0].params), diagnostics: {} }; } }],
        })
        .freeze();
      const result = await runPipeline(registry, { align: [{ aligner: 'toy-spy', spaces: ['residual', 'attention'] }], merge: { method: 'keep-anchor' } }, { anchor, models: [planted], statsProvider: async (_k, m) => fisherLike(m) });
      const direct = fisherLike(result.aligned[0]);
      for (const [k, e] of direct.entries) expect(maxAbsDiff(seen[0].entries.get(k)!.data, e.data), k).toBeLessThan(1e-12);
      expect(result.warnings.length > 0).toBe(expectWarning);
      if (expectWarning) expect(result.warnings[0]).toMatch(/'fisher' statistics of model 0 were collected again on the aligned model/);
    }
  });

  it('rejects aligners that step outside their spaces or return non-symmetries', async () => {
    const config = smallEncoderConfig({ numLayers: 1 });
    const { anchor, planted, spec } = plantedRecovery({ config, kinds: ['permutation'], seed: 1, head: 'mlm' });
    const r = randomTransform(spec, { seed: 2 });
    const greedy = setup(() => new Map([['residual', r.elements.get('residual')!]]));
    await expect(runPipeline(greedy.registry, { align: [{ aligner: 'toy-spy', spaces: ['ffn'] }] }, { anchor, models: [planted] })).rejects.toThrow(
      "align[0] (aligner 'toy-spy') returned elements for spaces it was not given: residual (its spaces: layer.0.ffn)",
    );
    const scaler = setup((spaces) => new Map(spaces.map((s) => [s.id, { kind: 'scale', scale: new Float64Array(24).fill(2) } as SpaceElement])));
    await expect(runPipeline(scaler.registry, { align: [{ aligner: 'toy-spy', spaces: ['ffn'] }] }, { anchor, models: [planted] })).rejects.toThrow(/needs kind 'scale'/);
  });

  it('configuration errors name the step, the aligner, the option and the allowed values', async () => {
    const config = smallEncoderConfig({ numLayers: 1 });
    const { anchor, planted } = plantedRecovery({ config, kinds: ['permutation'], seed: 1, head: 'mlm' });
    const { registry } = setup();
    const run = (cfg: unknown) => runPipeline(registry, cfg, { anchor, models: [planted], statsProvider });
    await expect(run({ align: [{ aligner: 'nope' }] })).rejects.toThrow(/unknown aligner 'nope'; known aligners: toy-ffn-matching, toy-spy/);
    await expect(run({ align: [{ aligner: 'toy-ffn-matching', spaces: ['residual'] }] })).rejects.toThrow(/align\[0\] \(aligner 'toy-ffn-matching'\) handles components ffn; it cannot align 'residual' \(residual\)/);
    await expect(run({ align: [{ aligner: 'toy-ffn-matching', spaces: ['layer.9.*'] }] })).rejects.toThrow(/space selector 'layer\.9\.\*' matches nothing.*attention/);
    await expect(run({ align: [], merge: { method: 'toy-mean', weight: 'heavy' } })).rejects.toThrow(/merge \(merger 'toy-mean'\) params: weight = "heavy": expected a number/);
    await expect(run({ align: [{ aligner: 'toy-spy', spaces: 'ffn' }] })).rejects.toThrow(/align\[0\]\.spaces = "ffn": Invalid input: expected array/);
    await expect(run({ aligners: [] })).rejects.toThrow(/Unrecognized key: "aligners"; allowed keys: align, merge, solver, seed/);
    await expect(runPipeline(registry, { align: [{ aligner: 'toy-spy', options: { wantsGram: true } }] }, { anchor, models: [planted] })).rejects.toThrow(/needs statistics \(gram\) but no statsProvider was given/);
    await expect(runPipeline(registry, { align: [] }, { anchor, models: [] })).rejects.toThrow(/no models to align/);
    // a selector of a component that the spec lacks is a warning, not an error
    const ok = await run({ align: [{ aligner: 'toy-spy', spaces: ['head', 'ffn'] }] });
    expect(ok.warnings).toEqual(["align[0] (aligner 'toy-spy'): selector 'head' matches no space of 'bert-mlm-post-ln'"]);
    expect(parsePipelineConfig({ align: [] })).toEqual({ align: [] });
  });

  it('selects spaces by component, id and wildcard', () => {
    const spec = buildBertFamilySpec(smallEncoderConfig({ numLayers: 2 }), 'classifier');
    const ids = (s: string[]) => selectSpaces(spec, s).spaces.map((x) => x.id);
    expect(ids(['attention'])).toEqual(['layer.0.attention.qk', 'layer.0.attention.vo', 'layer.1.attention.qk', 'layer.1.attention.vo']);
    expect(ids(['head', 'residual'])).toEqual(['residual', 'head.pooler']);
    expect(ids(['layer.1.*'])).toEqual(['layer.1.attention.qk', 'layer.1.attention.vo', 'layer.1.ffn']);
    expect(ids(['attention-vo', 'layer.0.attention.vo'])).toEqual(['layer.0.attention.vo', 'layer.1.attention.vo']);
    expect(() => selectSpaces(spec, ['layer.3.ffn'])).toThrow(PipelineError);
  });
});
