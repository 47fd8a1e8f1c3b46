/**
 * The streaming merge equals the in-memory pipeline: for random small encoders (BERT and RoBERTa,
 * post-LN and pre-LN, heads none / MLM / classifier, padded batches), two or three models, with or
 * without a Verma–Elbayad step (any MHA strategy, FFN on or off) and with RegMean or the mean,
 * `streamingMerge` writes exactly the parameters `runPipeline` returns when its statistics come from
 * the registry's `correlation` and `gram` collectors on the same batches — and the same permutations.
 * Tolerance: none (bit-equal f32); the two paths run the same kernels on the same rows in the same
 * order. Also: a configuration streaming cannot run fails before any work, naming what is unsupported.
 */
import { modelFromWeights, parseMergeConfig, streamingMerge, StreamingUnsupportedError, UsageError } from '@symfuse/cli';
import { permutationPlugin } from '@symfuse/plugins-permutation';
import { regmeanPlugin } from '@symfuse/plugins-regmean';
import { rotationPlugin } from '@symfuse/plugins-rotation';
import { coreSymmetryPlugin, createRegistry, type ModelWeights, runPipeline, type StatsProvider, type SymmetryRegistry } from '@symfuse/symmetry';
import { arbEncoderConfig, randomBatches, randomEncoderModel, smallEncoderConfig } from '@symfuse/symmetry/testing';
import type { Tensor } from '@symfuse/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const registry: SymmetryRegistry = createRegistry().use(coreSymmetryPlugin()).use(permutationPlugin()).use(rotationPlugin()).use(regmeanPlugin()).freeze();

/** The CLI's provider, reduced: every statistic collected on `batches` by the registered collector. */
function provider(batches: ReturnType<typeof randomBatches>): StatsProvider {
  return (kind, model, reference, context) => registry.collector(kind, reference !== undefined).collect({ spec: context.spec, model, ...(reference ? { reference } : {}), batches, options: {} });
}

async function both(models: readonly ModelWeights[], batches: ReturnType<typeof randomBatches>, config: Record<string, unknown>) {
  const pipeline = await runPipeline(registry, config, { anchor: models[0], models: models.slice(1), statsProvider: provider(batches) });
  const streamed = new Map<string, Float32Array>();
  const result = await streamingMerge({
    registry,
    models: models.map((m, k) => modelFromWeights(m, `model-${k}`)),
    batches,
    config,
    write: (name: string, t: Tensor) => {
      expect(streamed.has(name), `${name} written twice`).toBe(false);
      streamed.set(name, Float32Array.from(t.dataSync() as Float32Array));
    },
  });
  return { pipeline, streamed, result };
}

function firstDifference(want: ReadonlyMap<string, Tensor>, got: ReadonlyMap<string, Float32Array>): string | undefined {
  if (want.size !== got.size) return `pipeline merged ${want.size} parameters, streaming wrote ${got.size}`;
  for (const [name, t] of want) {
    const w = t.dataSync();
    const g = got.get(name);
    if (!g) return `'${name}' was not written`;
    for (let i = 0; i < w.length; i++) if (w[i] !== g[i]) return `'${name}'[${i}]: pipeline ${w[i]}, streaming ${g[i]}`;
  }
  return undefined;
}

const arbCase = fc.record({
  model: arbEncoderConfig({ layers: [1, 2], hidden: [8, 16], heads: [1, 2, 4] }),
  n: fc.constantFrom(2, 2, 3),
  seed: fc.integer({ min: 0, max: 1 << 20 }),
  align: fc.constantFrom('none', 'verma-elbayad', 'verma-elbayad'),
  mha: fc.constantFrom('head-perm', 'head-perm', 'monotonic', 'ignore-heads', 'none'),
  ffn: fc.constantFrom(true, true, false),
  spaces: fc.constantFrom(['ffn', 'attention'], undefined, ['layer.0.*']),
  merge: fc.constantFrom<Record<string, unknown>>({ method: 'regmean', alpha: 0.9 }, { method: 'regmean', alpha: [0.5, 1], gramScale: 'sum' }, { method: 'simple' }, { method: 'simple', weights: [3, 1] }),
});

describe('streaming merge', () => {
  it('equals runPipeline weight by weight (bit-equal) and finds the same permutations (property)', async () => {
    await fc.assert(
      fc.asyncProperty(arbCase, async ({ model, n, seed, align, mha, ffn, spaces, merge }) => {
        const { config, head } = model;
        const models = Array.from({ length: n }, (_, k) => randomEncoderModel(config, { seed: seed + k, head }));
        const batches = randomBatches(config, seed, 2, 3, 6, true);
        const perModel = (m: Record<string, unknown>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Array.isArray(v) ? Array.from({ length: n }, (_, i) => v[i % v.length]) : v]));
        const cfg = {
          align: align === 'none' ? [] : [{ aligner: 'verma-elbayad', ...(spaces ? { spaces } : {}), options: { mha, ffn, residual: 'identity' } }],
          merge: perModel(merge),
          seed: 5,
        };
        const { pipeline, streamed, result } = await both(models, batches, cfg);
        const diff = firstDifference(pipeline.merged!, streamed);
        expect(diff, JSON.stringify({ config, head, n, cfg })).toBeUndefined();
        // Same elements per space (the permutations the pipeline found).
        pipeline.transforms.forEach((t, k) => {
          expect([...result.transforms[k].elements.keys()].sort()).toEqual([...t.elements.keys()].sort());
          for (const [id, e] of t.elements) expect(result.transforms[k].elements.get(id), id).toEqual(e);
        });
        expect(result.warnings).toEqual(pipeline.warnings);
      }),
      { numRuns: 25 },
    );
  }, 60_000);

  it('a control that can fail: a different merge (alpha) changes the streamed weights', async () => {
    const config = smallEncoderConfig({ numLayers: 2 });
    const models = [0, 1].map((k) => randomEncoderModel(config, { seed: 40 + k, head: 'mlm' }));
    const batches = randomBatches(config, 3, 2, 3, 6, true);
    const base = { align: [{ aligner: 'verma-elbayad', spaces: ['ffn', 'attention'] }] };
    const a = await both(models, batches, { ...base, merge: { method: 'regmean', alpha: 0.9 } });
    const b = await both(models, batches, { ...base, merge: { method: 'regmean', alpha: 0.2 } });
    expect(firstDifference(a.pipeline.merged!, a.streamed)).toBeUndefined();
    expect(firstDifference(a.pipeline.merged!, b.streamed)).toMatch(/pipeline .*, streaming /);
    expect(a.result.steps[0].spaces.length).toBe(6);
    expect((a.result.mergeDiagnostics as { linearWeights: number }).linearWeights).toBe((a.pipeline.mergeDiagnostics as { linearWeights: number }).linearWeights);
  });

  it('refuses, before reading anything, what it cannot stream, naming each reason', async () => {
    const config = smallEncoderConfig();
    const reads: string[] = [];
    const models = [0, 1].map((k) => {
      const m = modelFromWeights(randomEncoderModel(config, { seed: k, head: 'mlm' }), `m${k}`);
      return { ...m, read: (names: readonly string[]) => (reads.push(...names), m.read(names)) };
    });
    const run = (cfg: unknown) => streamingMerge({ registry, models, batches: [], config: cfg, write: () => {} });
    await expect(run({ align: [{ aligner: 'rotation' }], merge: { method: 'regmean' } })).rejects.toThrow(/align\[0\]\.aligner 'rotation' \(streaming supports only 'verma-elbayad'/);
    await expect(run({ align: [{ aligner: 'verma-elbayad', options: { residual: 'last' } }], merge: { method: 'simple' } })).rejects.toThrow(/align\[0\]\.options\.residual 'last' \(streaming needs 'identity'/);
    const e = await run({ align: [{ aligner: 'verma-elbayad' }, { aligner: 'verma-elbayad' }], merge: { method: 'fisher' } }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StreamingUnsupportedError);
    expect((e as StreamingUnsupportedError).problems).toEqual([
      "merge.method 'fisher' (streaming supports 'regmean' and 'simple': parameter-by-parameter mergers with at most per-layer statistics)",
      "align has 2 steps (streaming runs at most one, a 'verma-elbayad' step)",
    ]);
    const other = modelFromWeights(randomEncoderModel(smallEncoderConfig({ intermediateSize: 20 }), { seed: 3, head: 'mlm' }), 'wide');
    await expect(streamingMerge({ registry, models: [models[0], other], batches: [], config: { merge: { method: 'simple' } }, write: () => {} })).rejects.toThrow(
      /models: wide \(model 1\) parameter 'bert\.encoder\.layer\.0\.intermediate\.dense\.weight' is \[20, 16\] but the anchor's is \[24, 16\]/,
    );
    expect(reads).toEqual([]);
  });

  it('the merge configuration: streaming must be a boolean; with true, published statistics and a device backend are refused up front', () => {
    const base = { models: [{ path: 'a' }, { path: 'b' }], data: 'sotu', align: [{ aligner: 'verma-elbayad' }], merge: { method: 'regmean' }, output: 'out' };
    expect(parseMergeConfig({ ...base, streaming: true }, 'm.yaml', registry).streaming).toBe(true);
    expect(parseMergeConfig({ ...base, align: [{ aligner: 'rotation' }], streaming: false }, 'm.yaml', registry).streaming).toBe(false);
    expect(() => parseMergeConfig({ ...base, streaming: 1 }, 'm.yaml', registry)).toThrow(/m\.yaml: streaming = 1: .*boolean/);
    const e = (() => {
      try {
        parseMergeConfig({ ...base, models: [{ path: 'a' }, { path: 'b', stats: 'b.gram.safetensors' }], backend: 'webgpu', streaming: true }, 'm.yaml', registry);
      } catch (x) {
        return x as Error;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(UsageError);
    expect(e!.message).toBe(
      "m.yaml: streaming = true is not supported for this configuration: models[1].stats (published statistics describe whole models; a streaming merge collects its statistics layer by layer from 'data'); backend 'webgpu' (a streaming merge runs its forward passes on the CPU) (remove 'streaming' to merge in memory)",
    );
  });
});
