import { coreSymmetryPlugin, createRegistry, type ModelWeights, type ParamMap } from '@symfuse/symmetry';
import { maxParamDiff, randomBatches, randomEncoderModel, smallEncoderConfig } from '@symfuse/symmetry/testing';
import { fromHost } from '@symfuse/tensor';
import { describe, expect, it } from 'vitest';
import { incrementalMerge, regmeanPlugin, subsetPerModelParams } from '../src/index.js';

const config = smallEncoderConfig({ numLayers: 1 });
const registry = createRegistry().use(coreSymmetryPlugin()).use(regmeanPlugin()).freeze();
const spec = registry.architectureFor(config).buildSpec(config, { head: 'mlm' });

/** θ + s·ε for every parameter. */
function shifted(base: ModelWeights, noise: ModelWeights, s: number, id: string): ModelWeights {
  const params = new Map([...base.params].map(([k, t]) => {
    const a = t.dataSync();
    const e = noise.params.get(k)!.dataSync();
    return [k, fromHost(Float64Array.from(a, (v, i) => v + s * e[i]), t.shape)];
  }));
  return { ...base, params, id };
}

function distance(a: ParamMap, b: ParamMap): number {
  let s = 0;
  for (const [k, t] of a) {
    const x = t.dataSync();
    const y = b.get(k)!.dataSync();
    for (let i = 0; i < x.length; i++) s += (x[i] - y[i]) ** 2;
  }
  return Math.sqrt(s);
}

describe('incrementalMerge (greedy subset selection)', () => {
  const target = randomEncoderModel(config, { seed: 1, head: 'mlm', dtype: 'f64' });
  const noise = randomEncoderModel(config, { seed: 2, head: 'mlm', dtype: 'f64' });
  const far = randomEncoderModel(config, { seed: 3, head: 'mlm', dtype: 'f64' });
  // Models 1 and 3 straddle the target (their mean is it); 0 and 2 are poor.
  const models = [shifted(target, noise, 2, 'poor-0'), shifted(target, noise, 0.1, 'good-1'), shifted(far, noise, 0, 'poor-2'), shifted(target, noise, -0.1, 'good-3')];
  const score = (p: ParamMap) => -distance(p, target.params);

  it('adds models in order of their own score while the merge does not get worse', async () => {
    const merger = registry.merger('simple');
    const r = await incrementalMerge({ merger, request: { spec, models, stats: models.map(() => new Map()), params: merger.params.parse({}), seed: 0 }, score });
    expect(r.members).toEqual([1, 3]);
    expect(r.steps.slice(0, 2).map((s) => [s.candidate, s.accepted])).toEqual([[1, true], [3, true]]);
    expect(r.steps.slice(2).map((s) => s.accepted)).toEqual([false, false]);
    expect(r.score).toBeGreaterThan(r.individualScores[1]);
    expect(distance(r.params, target.params)).toBeLessThan(1e-12);
    const given = await incrementalMerge({ merger, request: { spec, models, stats: models.map(() => new Map()), params: {}, seed: 0 }, score, order: 'given' });
    expect(given.members[0]).toBe(0);
  });

  it('subsets per-model params (RegMean α per model and per override) for each trial', async () => {
    const merger = registry.merger('regmean');
    const stats = await Promise.all(models.map(async (m) => new Map([['gram', await registry.collector('gram').collect({ spec, model: m, batches: randomBatches(config, 1, 2, 2, 6) })]])));
    const params = merger.params.parse({ alpha: [0.2, 0.9, 0.4, 0.6], alphaOverrides: [{ pattern: '*.attention.*', alpha: 0.1, models: [3, 0] }, { pattern: '*dense*', alpha: 1, models: [2] }] });
    expect(subsetPerModelParams(params, [1, 3], 4)).toEqual({ ...params, alpha: [0.9, 0.6], alphaOverrides: [{ pattern: '*.attention.*', alpha: 0.1, models: [1] }] });
    const r = await incrementalMerge({ merger, request: { spec, models, stats, params, seed: 0 }, score });
    expect(r.members).toEqual([1, 3]);
    const direct = await merger.merge({ spec, models: [models[1], models[3]], stats: [stats[1], stats[3]], params: subsetPerModelParams(params, [1, 3], 4), seed: 0 });
    expect(maxParamDiff(direct.params, r.params).diff).toBe(0);
  });

  it('rejects non-finite scores and single candidates', async () => {
    const merger = registry.merger('simple');
    await expect(incrementalMerge({ merger, request: { spec, models, stats: models.map(() => new Map()), params: {}, seed: 0 }, score: () => Number.NaN })).rejects.toThrow(/score of models \[0\] is NaN/);
    await expect(incrementalMerge({ merger, request: { spec, models: [models[0]], stats: [new Map()], params: {}, seed: 0 }, score })).rejects.toThrow(/at least 2 candidates/);
  });
});
