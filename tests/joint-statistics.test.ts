/**
 * Joint statistics collection (`collectJointly`): the anchor × model correlations and both models'
 * Grams over the same batches, with one forward pass per model and batch, must give exactly the
 * bundles of the collectors run one by one (four passes per batch); and `runPipeline` must announce
 * what it will need (`StatsProvider.prefetch`) so that a provider can collect it jointly.
 */
import type { HeadKind } from '@symfuse/models';
import { permutationPlugin } from '@symfuse/plugins-permutation';
import { regmeanPlugin } from '@symfuse/plugins-regmean';
import {
  type ModelWeights,
  type PlannedStats,
  type StatsBundle,
  type StatsProvider,
  collectJointly,
  coreSymmetryPlugin,
  createRegistry,
  runPipeline,
} from '@symfuse/symmetry';
import { randomBatches, randomEncoderModel, smallEncoderConfig } from '@symfuse/symmetry/testing';
import type { Tensor } from '@symfuse/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const registry = createRegistry().use(coreSymmetryPlugin()).use(permutationPlugin()).use(regmeanPlugin()).freeze();

/** A parameter map that counts how often it is read whole (one per forward pass over the model). */
class CountingParams extends Map<string, Tensor> {
  passes = 0;
  override [Symbol.iterator](): MapIterator<[string, Tensor]> {
    this.passes++;
    return super[Symbol.iterator]();
  }
}

function counted(m: ModelWeights): ModelWeights & { params: CountingParams } {
  return { ...m, params: new CountingParams(m.params) };
}

function expectSameBundle(got: StatsBundle, want: StatsBundle): void {
  expect(got.kind).toBe(want.kind);
  expect(got.meta).toEqual(want.meta);
  expect([...got.entries.keys()].sort()).toEqual([...want.entries.keys()].sort());
  for (const [name, e] of want.entries) {
    const g = got.entries.get(name)!;
    expect(g.shape).toEqual(e.shape);
    // Bit-identical: the same arithmetic on the same taps.
    expect(Buffer.from(g.data.buffer, g.data.byteOffset, g.data.byteLength).equals(Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength)), `entry '${name}'`).toBe(true);
  }
}

describe('collectJointly', () => {
  it('gives bit-identical bundles to the collectors run one by one, with one pass per model and batch', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.integer({ min: 1, max: 1e6 }),
          head: fc.constantFrom<HeadKind>('mlm', 'classifier'),
          placement: fc.constantFrom('post' as const, 'pre' as const),
          batches: fc.integer({ min: 1, max: 3 }),
          shard: fc.constantFrom(undefined, '1/2', '2/2'),
        }),
        async ({ seed, head, placement, batches: count, shard }) => {
          const config = smallEncoderConfig({ numLayers: 2, layerNormPlacement: placement });
          const spec = registry.architectureFor(config).buildSpec(config, { head });
          const anchor = counted(randomEncoderModel(config, { seed, head }));
          const model = counted(randomEncoderModel(config, { seed: seed + 1, head }));
          const batches = randomBatches(config, seed + 2, count + (shard ? 1 : 0), 3, 8, true, head === 'classifier' ? 2 : 0);
          const gramOptions = { data: 'random', ...(shard ? { shard } : {}) };
          const corr = registry.collector('correlation', true);
          const gram = registry.collector('gram', false);

          const separate = [
            await corr.collect({ spec, model, reference: anchor, batches }),
            await gram.collect({ spec, model: anchor, batches, options: gramOptions }),
            await gram.collect({ spec, model, batches, options: gramOptions }),
          ];
          const separatePasses = anchor.params.passes + model.params.passes;
          anchor.params.passes = 0;
          model.params.passes = 0;
          const joint = await collectJointly(
            [
              { collector: corr, request: { spec, model, reference: anchor } },
              { collector: gram, request: { spec, model: anchor, options: gramOptions } },
              { collector: gram, request: { spec, model, options: gramOptions } },
            ],
            batches,
          );
          joint.forEach((b, i) => expectSameBundle(b, separate[i]));
          // Jointly: one pass per model and batch; separately: the correlation's two plus each Gram's own.
          expect(anchor.params.passes).toBe(batches.length);
          expect(model.params.passes).toBe(batches.length);
          const gramBatches = shard ? batches.filter((_, j) => j % 2 === Number(shard[0]) - 1).length : batches.length;
          expect(separatePasses).toBe(2 * batches.length + 2 * gramBatches);
        },
      ),
      { numRuns: 12 },
    );
  });

  it('refuses a collector without an accumulator, naming it', async () => {
    const config = smallEncoderConfig();
    const spec = registry.architectureFor(config).buildSpec(config, { head: 'mlm' });
    const m = randomEncoderModel(config, { seed: 1, head: 'mlm' });
    const bare = { ...registry.collector('gram', false), accumulator: undefined, id: 'no-accumulator' };
    await expect(collectJointly([{ collector: bare, request: { spec, model: m } }], randomBatches(config, 1, 1, 2, 4))).rejects.toThrow(/collector 'no-accumulator' \(kind 'gram'\) has no accumulator/);
  });
});

describe('runPipeline announces its statistics (StatsProvider.prefetch)', () => {
  it('plans the first step’s correlations and the merger’s Grams of the original models, and a prefetching provider needs one pass per model', async () => {
    const config = smallEncoderConfig({ numLayers: 2 });
    const spec = registry.architectureFor(config).buildSpec(config, { head: 'mlm' });
    const anchor = counted(randomEncoderModel(config, { seed: 3, head: 'mlm' }));
    const model = counted(randomEncoderModel(config, { seed: 4, head: 'mlm' }));
    const batches = randomBatches(config, 5, 2, 3, 8);
    const plans: string[][] = [];
    const cache = new Map<string, Promise<StatsBundle>>();
    const key = (kind: string, m: ModelWeights, ref?: ModelWeights) => `${kind}:${m.id}:${ref?.id ?? '-'}`;
    let lazyCollections = 0;
    let prefetchPasses = 0;
    const provider: StatsProvider = (kind, m, ref) => {
      const k = key(kind, m, ref);
      if (!cache.has(k)) lazyCollections++;
      if (!cache.has(k)) cache.set(k, registry.collector(kind, ref !== undefined).collect({ spec, model: m, ...(ref ? { reference: ref } : {}), batches, options: kind === 'gram' ? { data: 'random' } : {} }));
      return cache.get(k)!;
    };
    provider.prefetch = async (plan: readonly PlannedStats[]) => {
      plans.push(plan.map((p) => key(p.kind, p.model, p.reference)));
      const before = anchor.params.passes + model.params.passes;
      const bundles = await collectJointly(
        plan.map((p) => ({ collector: registry.collector(p.kind, p.reference !== undefined), request: { spec, model: p.model, ...(p.reference ? { reference: p.reference } : {}), options: p.kind === 'gram' ? { data: 'random' } : {} } })),
        batches,
      );
      prefetchPasses = anchor.params.passes + model.params.passes - before;
      plan.forEach((p, i) => cache.set(key(p.kind, p.model, p.reference), Promise.resolve(bundles[i])));
    };
    const config1 = { align: [{ aligner: 'verma-elbayad', spaces: ['ffn', 'attention'], options: { ffn: true, mha: 'head-perm', residual: 'identity' } }], merge: { method: 'regmean', alpha: 0.9 } };
    const joint = await runPipeline(registry, config1, { anchor, models: [model], statsProvider: provider });
    expect(plans).toEqual([[key('correlation', model, anchor), key('gram', anchor), key('gram', model)]]);
    // One pass per model and batch, and nothing collected afterwards.
    expect(prefetchPasses).toBe(2 * batches.length);
    expect(lazyCollections).toBe(0);
    // The same run with a plain provider (no prefetch) merges to the same weights.
    cache.clear();
    expect(lazyCollections).toBe(0);
    const plain: StatsProvider = (kind, m, ref) => provider(kind, m, ref, undefined as never);
    const alone = await runPipeline(registry, config1, { anchor, models: [model], statsProvider: plain });
    expect(lazyCollections).toBe(3);
    for (const [name, t] of alone.merged!) expect(joint.merged!.get(name)!.dataSync(), name).toEqual(t.dataSync());
  });
});
