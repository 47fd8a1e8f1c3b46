import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  applyTransform,
  coreSymmetryPlugin,
  createRegistry,
  loadStatsBundle,
  type ModelWeights,
  randomTransform,
  runPipeline,
  saveStatsBundle,
  type StatsProvider,
  type Transform,
  transformStatsBundle,
} from '@symfuse/symmetry';
import { fixedTransformAligner, maxParamDiff, maxRelDiff, randomBatches, randomEncoderModel, smallEncoderConfig } from '@symfuse/symmetry/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { combineFisher, fisherPlugin } from '../src/index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'symfuse-fisher-files-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const config = smallEncoderConfig({ numLayers: 1, hiddenSize: 8, numHeads: 2, intermediateSize: 12 });
const batches = randomBatches(config, 2, 4, 2, 6, true, 3);

describe('Fisher statistics as files', () => {
  const registry = createRegistry().use(coreSymmetryPlugin()).use(fisherPlugin()).freeze();
  const model = randomEncoderModel(config, { seed: 1, head: 'classifier' });
  const spec = registry.architectureFor(config).buildSpec(config, { head: 'classifier' });

  it('round-trip, and shard files combine into one pass', async () => {
    const c = registry.collector('fisher');
    const whole = await c.collect({ spec, model, batches, options: { data: 'random ids' } });
    saveStatsBundle(path.join(dir, 'whole.safetensors'), whole);
    const back = loadStatsBundle(path.join(dir, 'whole.safetensors'), { kind: 'fisher' });
    expect(back.meta).toEqual(whole.meta);
    for (const [k, e] of whole.entries) expect(back.entries.get(k)!.data).toEqual(e.data);
    for (const i of [1, 2]) saveStatsBundle(path.join(dir, `s${i}.safetensors`), await c.collect({ spec, model, batches, options: { data: 'random ids', shard: `${i}/2` } }));
    const combined = combineFisher([1, 2].map((i) => loadStatsBundle(path.join(dir, `s${i}.safetensors`), { kind: 'fisher' })));
    expect(combined.meta).toEqual(whole.meta);
    for (const [k, e] of whole.entries) expect(maxRelDiff(e.data, combined.entries.get(k)!.data)).toBeLessThan(1e-13);
  });
});

describe('Fisher merging composed with aligners', () => {
  it('moves Fishers by permutations (equal to collecting on the aligned model), and re-collects under rotations', async () => {
    const anchor = randomEncoderModel(config, { seed: 1, head: 'classifier', dtype: 'f64' });
    const other = randomEncoderModel(config, { seed: 2, head: 'classifier', dtype: 'f64' });
    let transform: Transform | undefined;
    const registry = createRegistry()
      .use(coreSymmetryPlugin())
      .use(fisherPlugin())
      .use({ meta: { name: 'test-fixed', version: '0', description: 'test' }, aligners: [fixedTransformAligner(() => transform!)] })
      .freeze();
    const spec = registry.architectureFor(config).buildSpec(config, { head: 'classifier' });
    const collect = (model: ModelWeights) => registry.collector('fisher').collect({ spec, model, batches });
    const calls: string[] = [];
    const statsProvider: StatsProvider = async (kind, model) => {
      calls.push(model === anchor ? 'anchor' : model === other ? 'other' : 'aligned');
      return collect(model);
    };
    const pipelineConfig = { align: [{ aligner: 'fixed' }], merge: { method: 'fisher' } };
    transform = randomTransform(spec, { seed: 4, kinds: ['permutation', 'head-permutation'] });
    const result = await runPipeline(registry, pipelineConfig, { anchor, models: [other], statsProvider });
    expect(calls).toEqual(['anchor', 'other']);
    const aligned = { ...other, params: applyTransform(spec, transform, other.params) };
    const moved = transformStatsBundle(spec, transform, await collect(other), 'per-param');
    const direct = await collect(aligned);
    for (const [k, e] of direct.entries) expect(maxRelDiff(e.data, moved.entries.get(k)!.data)).toBeLessThan(1e-12);
    const merger = registry.merger('fisher');
    const byHand = await merger.merge({ spec, models: [anchor, aligned], stats: [new Map([['fisher', await collect(anchor)]]), new Map([['fisher', moved]])], params: merger.params.parse({}), seed: 0 });
    expect(maxParamDiff(byHand.params, result.merged!).diff).toBeLessThan(1e-14);

    // A rotation does not move a diagonal Fisher exactly: the pipeline collects it on the aligned model.
    calls.length = 0;
    transform = randomTransform(spec, { seed: 4, kinds: ['head-orthogonal'] });
    const rotated = await runPipeline(registry, pipelineConfig, { anchor, models: [other], statsProvider });
    expect(calls).toEqual(['anchor', 'other', 'aligned']);
    expect(rotated.warnings.join('\n')).toMatch(/'fisher' statistics of model 0 were collected again on the aligned model/);
  });
});
