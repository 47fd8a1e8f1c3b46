/**
 * The `rotation` aligner end to end: planted recovery (per-head orthogonal blocks and scales, and
 * planted head permutations with head pairing), function invariance of what it produces, subset
 * matching, option errors, diagnostics, and composition with an FFN aligner through the pipeline.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AlignRequest,
  applyTransform,
  coreSymmetryPlugin,
  createRegistry,
  lapjvSolver,
  type ModelWeights,
  runPipeline,
  type SymmetryPlugin,
  type SymmetrySpec,
  verify,
} from '@symfuse/symmetry';
import { arbEncoderConfig, expectRecovered, plantedRecovery, randomEncoderModel, smallEncoderConfig } from '@symfuse/symmetry/testing';
import { modelDistance, rotationAligner, rotationPlugin, type RotationDiagnostics, type RotationOptions } from '../src/index.js';
import { toyFfnWeightMatching } from './helpers.js';

const registry = (...extra: SymmetryPlugin[]) => {
  let b = createRegistry().use(coreSymmetryPlugin()).use(rotationPlugin());
  for (const p of extra) b = b.use(p);
  return b.freeze();
};
const attentionSpaces = (spec: SymmetrySpec) => spec.spaces.filter((s) => s.component === 'attention-qk' || s.component === 'attention-vo');

async function alignDirect(spec: SymmetrySpec, anchor: ModelWeights, model: ModelWeights, options: unknown = {}, spaces = attentionSpaces(spec)) {
  const aligner = rotationAligner();
  const request: AlignRequest<RotationOptions> = {
    spec,
    anchor,
    model,
    spaces,
    options: aligner.options.parse(options),
    stats: new Map(),
    solver: lapjvSolver(),
    seed: 0,
  };
  const result = await aligner.align(request);
  return { ...result, diag: result.diagnostics as unknown as RotationDiagnostics };
}

const config = smallEncoderConfig({ numLayers: 2, hiddenSize: 16, numHeads: 4, intermediateSize: 20 });

describe('rotation aligner: planted recovery', () => {
  it('undoes planted per-head orthogonal blocks and scales (f64): f ∘ g = I, distance to the anchor ≈ 0', async () => {
    const { spec, anchor, planted, g } = plantedRecovery({ config, kinds: ['head-orthogonal', 'head-scale'], seed: 11, head: 'mlm', dtype: 'f64' });
    const { transform, diag } = await alignDirect(spec, anchor, planted);
    expectRecovered(transform, g, spec, { tolerance: 1e-9 });
    const aligned = { ...planted, params: applyTransform(spec, transform, planted.params) };
    expect(modelDistance(anchor, aligned).total).toBeLessThan(1e-9);
    expect(diag.distance.before).toBeGreaterThan(1);
    expect(diag.distance.after).toBeLessThan(1e-9);
    // The planted scales are log-uniform in [1/2, 2]: some head needed a scale far from 1.
    const scales = Object.values(diag.heads).flatMap((hs) => hs.map((h) => h.scale));
    expect(Math.max(...scales.map((a) => Math.abs(Math.log(a))))).toBeGreaterThan(0.05);
  });

  it('undoes planted rotations through the pipeline on f32 models (post-LN and pre-LN, BERT and RoBERTa)', async () => {
    for (const [modelType, layerNormPlacement] of [['bert', 'post'], ['roberta', 'pre']] as const) {
      const cfg = smallEncoderConfig({ modelType, layerNormPlacement, numLayers: 2, hiddenSize: 24, numHeads: 3 });
      const { anchor, planted, g, spec } = plantedRecovery({ config: cfg, kinds: ['head-orthogonal', 'head-scale'], seed: 5, head: 'classifier' });
      const result = await runPipeline(registry(), { align: [{ aligner: 'rotation' }] }, { anchor, models: [planted] });
      expectRecovered(result.transforms[0], g, spec, { tolerance: 1e-4 });
      expect(modelDistance(anchor, result.aligned[0]).total).toBeLessThan(1e-3);
    }
  });

  it('recovers a planted head permutation with headPairing, and cannot without it', async () => {
    const kinds = ['head-permutation', 'head-orthogonal', 'head-scale'] as const;
    const { spec, anchor, planted, g } = plantedRecovery({ config, kinds: [...kinds], seed: 3, head: 'mlm', dtype: 'f64' });
    // The planted σ is not the identity in some layer (else this test would prove nothing).
    const sigmas = [...g.elements.values()].map((e) => (e.kind === 'head' ? Array.from(e.headPerm) : []));
    expect(sigmas.some((s) => s.some((v, i) => v !== i))).toBe(true);
    const paired = await alignDirect(spec, anchor, planted, { headPairing: true });
    expectRecovered(paired.transform, g, spec, { tolerance: 1e-9 });
    expect(paired.diag.distance.after).toBeLessThan(1e-9);
    for (const p of Object.values(paired.diag.headPairing)) expect(p.cost).toBeLessThan(p.costIdentity);
    const unpaired = await alignDirect(spec, anchor, planted, { headPairing: false });
    expect(unpaired.diag.distance.after).toBeGreaterThan(0.1);
  });

  it('without rescaling returns orthogonal blocks and recovers pure rotations exactly', async () => {
    const { spec, anchor, planted, g } = plantedRecovery({ config, kinds: ['head-orthogonal'], seed: 21, head: 'none', dtype: 'f64' });
    const { transform, diag } = await alignDirect(spec, anchor, planted, { rescale: false });
    for (const e of transform.elements.values()) expect(e.kind === 'head' && e.blockKind).toBe('orthogonal');
    expectRecovered(transform, g, spec, { tolerance: 1e-9 });
    expect(diag.distance.after).toBeLessThan(1e-9);
  });

  it('with rescaling off, a planted scale stays (the distance shrinks but not to 0)', async () => {
    const { spec, anchor, planted } = plantedRecovery({ config, kinds: ['head-orthogonal', 'head-scale'], seed: 11, head: 'mlm', dtype: 'f64' });
    const { diag } = await alignDirect(spec, anchor, planted, { rescale: false });
    expect(diag.distance.after).toBeLessThan(diag.distance.before);
    expect(diag.distance.after).toBeGreaterThan(1e-3);
  });
});

describe('rotation aligner: every transform it produces is a symmetry', () => {
  it('aligned models compute the same function (random configs, options and model pairs)', async () => {
    await fc.assert(
      fc.asyncProperty(
        arbEncoderConfig({ layers: [1, 2], hidden: [8, 16], heads: [1, 2, 4] }),
        fc.record({ rescale: fc.boolean(), headPairing: fc.boolean(), qk: fc.boolean(), vo: fc.constant(true) }),
        fc.integer({ min: 0, max: 1000 }),
        async ({ config: cfg, head }, options, seed) => {
          const a = randomEncoderModel(cfg, { seed, head });
          const b = randomEncoderModel(cfg, { seed: seed + 1, head });
          const spec = registry().architectureFor(cfg).buildSpec(cfg, { head });
          const { transform, diag } = await alignDirect(spec, a, b, options);
          const aligned = { ...b, params: applyTransform(spec, transform, b.params) };
          const v = verify(b, aligned, { compare: head === 'none' ? 'hidden' : 'both' });
          expect(v.equivalent, `max diff ${v.maxAbsDiff}`).toBe(true);
          // And it does what it says: the matched distance never grows without pairing
          // (with pairing the identity is a candidate of the assignment, so the group total cannot grow either).
          expect(diag.distance.after).toBeLessThanOrEqual(diag.distance.before * (1 + 1e-9) + 1e-12);
          // The reported distance is the real one: recompute it from the aligned parameters.
          const params = Object.keys(diag.perTensor);
          const real = modelDistance(a, aligned, { params });
          expect(real.total).toBeCloseTo(diag.distance.after, 4);
        },
      ),
      { numRuns: 12 },
    );
  });

  it('the pipeline accepts its transforms (kinds, head groups) on the default options', async () => {
    const a = randomEncoderModel(config, { seed: 1, head: 'mlm' });
    const b = randomEncoderModel(config, { seed: 2, head: 'mlm' });
    const result = await runPipeline(registry(), { align: [{ aligner: 'rotation', options: { headPairing: true } }] }, { anchor: a, models: [b] });
    expect(verify(b, result.aligned[0]).equivalent).toBe(true);
    expect(result.steps[0].spaces).toEqual(attentionSpaces(result.spec).map((s) => s.id));
  });
});

describe('rotation aligner: subsets, options, diagnostics', () => {
  const cfg3 = smallEncoderConfig({ numLayers: 3, hiddenSize: 16, numHeads: 4 });
  const a = randomEncoderModel(cfg3, { seed: 7, head: 'mlm' });
  const b = randomEncoderModel(cfg3, { seed: 8, head: 'mlm' });
  const spec = registry().architectureFor(cfg3).buildSpec(cfg3, { head: 'mlm' });
  const spaceIds = (layers: number[], parts = ['qk', 'vo']) => layers.flatMap((l) => parts.map((p) => `layer.${l}.attention.${p}`));

  it('matches only the chosen layers, or the first / last k', async () => {
    const cases: [unknown, string[]][] = [
      [[1], spaceIds([1])],
      [[2, 0], spaceIds([0, 2])],
      [{ first: 2 }, spaceIds([0, 1])],
      [{ last: 1 }, spaceIds([2])],
      [{ last: 3 }, spaceIds([0, 1, 2])],
    ];
    for (const [layers, expected] of cases) {
      const { transform, diag } = await alignDirect(spec, a, b, { layers });
      expect([...transform.elements.keys()].sort()).toEqual([...expected].sort());
      expect(diag.layers).toEqual([...new Set(expected.map((id) => Number(id.split('.')[1])))].sort());
    }
  });

  it('qk / vo switch the two kinds of spaces', async () => {
    expect([...(await alignDirect(spec, a, b, { qk: false })).transform.elements.keys()]).toEqual(spaceIds([0, 1, 2], ['vo']));
    expect([...(await alignDirect(spec, a, b, { vo: false })).transform.elements.keys()]).toEqual(spaceIds([0, 1, 2], ['qk']));
    // Pairing alone permutes whole heads (identity blocks) on both spaces of a group.
    const { transform } = await alignDirect(spec, a, b, { qk: false, vo: false, headPairing: true });
    for (const e of transform.elements.values()) expect(e.kind === 'head' && e.blockKind).toBe('identity');
  });

  it('refuses layers out of range and pairing on half a head group, naming what is wrong', async () => {
    await expect(alignDirect(spec, a, b, { layers: [3] })).rejects.toThrow(/layers = \[3\]: layer 3 out of range; the model has layers 0\.\.2/);
    await expect(alignDirect(spec, a, b, { layers: { first: 4 } })).rejects.toThrow(/k = 4 exceeds the 3 layers/);
    const qkOnly = spec.spaces.filter((s) => s.component === 'attention-qk');
    await expect(alignDirect(spec, a, b, { headPairing: true }, qkOnly)).rejects.toThrow(/head group 'layer\.0\.attention'.*layer\.0\.attention\.vo is not among this step's spaces/);
  });

  it('option errors name the key, the value and what is allowed', () => {
    const o = rotationAligner().options;
    expect(o.parse(undefined)).toEqual({ rescale: true, qk: true, vo: true, headPairing: false });
    expect(() => o.parse({ rescale: 'yes' })).toThrow(/rescale = "yes": Invalid input: expected boolean/);
    expect(() => o.parse({ rescaling: true })).toThrow(/Unrecognized key: "rescaling"; allowed keys: rescale, qk, vo, headPairing, layers/);
    expect(() => o.parse({ layers: 'all' })).toThrow(/layers = "all": expected an array of layer indices.*\{ first: k \} or \{ last: k \}/);
    expect(() => o.parse({ layers: { first: 0 } })).toThrow(/layers\.first = 0: Too small/);
    expect(() => o.parse({ qk: false, vo: false })).toThrow(/nothing to align/);
    expect(o.describe?.headPairing).toMatch(/different initialisations/);
  });

  it('pipeline errors carry the step and the option', async () => {
    await expect(runPipeline(registry(), { align: [{ aligner: 'rotation', options: { headPairing: 1 } }] }, { anchor: a, models: [b] })).rejects.toThrow(
      /align\[0\] \(aligner 'rotation'\) options: headPairing = 1/,
    );
  });

  it('diagnostics add up: per tensor and per layer match the total; per-head objectives are ordered; trace and progress', async () => {
    const events: string[] = [];
    const aligner = rotationAligner();
    const result = await aligner.align({
      spec,
      anchor: a,
      model: b,
      spaces: attentionSpaces(spec),
      options: aligner.options.parse({}),
      stats: new Map(),
      solver: lapjvSolver(),
      seed: 0,
      progress: (e) => events.push(`${e.done}/${e.total} ${e.detail}`),
    });
    const diag = result.diagnostics as unknown as RotationDiagnostics;
    const sq = (xs: number[]) => xs.reduce((s, x) => s + x * x, 0);
    for (const key of ['before', 'after'] as const) {
      expect(Math.sqrt(sq(Object.values(diag.perTensor).map((d) => d[key])))).toBeCloseTo(diag.distance[key], 9);
      expect(Math.sqrt(sq(diag.perLayer.map((d) => d[key])))).toBeCloseTo(diag.distance[key], 9);
    }
    // Every attention weight and bias of every layer but b_O (on the residual stream) is a matched tensor.
    expect(Object.keys(diag.perTensor)).toHaveLength(3 * 7);
    expect(Object.keys(diag.perTensor).some((n) => n.includes('attention.output.dense.bias'))).toBe(false);
    for (const hs of Object.values(diag.heads)) {
      for (const h of hs) {
        expect(h.afterRotation).toBeLessThanOrEqual(h.before * (1 + 1e-12));
        expect(h.after).toBeLessThanOrEqual(h.afterRotation * (1 + 1e-12));
      }
    }
    expect(result.trace.map((t) => t.space)).toEqual(attentionSpaces(spec).map((s) => s.id));
    for (const t of result.trace) {
      expect(t.step).toBe('procrustes+rescale');
      expect(t.objectiveAfter!).toBeLessThan(t.objectiveBefore!);
      expect(t.ms).toBeGreaterThanOrEqual(0);
      expect((t.detail as { objectivePerHead: unknown[] }).objectivePerHead).toHaveLength(4);
    }
    expect(events).toEqual(attentionSpaces(spec).map((s, i) => `${i + 1}/6 ${s.id}`));
    expect(diag.timings.totalMs).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(diag)).options).toEqual(diag.options);
  });
});

describe('rotation aligner: composed with FFN weight matching in the pipeline (how the paper matches FFNs)', () => {
  it('recovers a planted FFN permutation and planted head rotations in one run', async () => {
    const toy: SymmetryPlugin = { meta: { name: 'toy-ffn', version: '0', description: 'test stand-in' }, aligners: [toyFfnWeightMatching()] };
    const spaces = registry().architectureFor(config).buildSpec(config, { head: 'mlm' }).spaces.filter((s) => s.component !== 'residual').map((s) => s.id);
    // FFN spaces get a permutation, attention spaces scaled orthogonal blocks (no head permutation:
    // 'head-permutation' is not asked for).
    const { anchor, planted, g, spec } = plantedRecovery({ config, kinds: ['permutation', 'head-orthogonal', 'head-scale'], seed: 9, head: 'mlm', spaces });
    const result = await runPipeline(
      registry(toy),
      { align: [{ aligner: 'toy-ffn-weight-matching', spaces: ['ffn'] }, { aligner: 'rotation', spaces: ['attention'] }] },
      { anchor, models: [planted] },
    );
    expectRecovered(result.transforms[0], g, spec, { tolerance: 1e-4 });
    expect(modelDistance(anchor, result.aligned[0]).total).toBeLessThan(1e-3);
    expect(result.steps.map((s) => s.aligner)).toEqual(['toy-ffn-weight-matching', 'rotation']);
  });
});
