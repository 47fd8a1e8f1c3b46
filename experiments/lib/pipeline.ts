/**
 * Alignment and merging through the public pipeline (`runPipeline` of `@symfuse/symmetry` with every
 * bundled plugin), with a statistics provider that collects correlations, Grams and Fisher on the
 * experiment's data by the registry's own collectors — exactly what a user of the library does.
 */
import { fisherPlugin } from '@symfuse/plugins-fisher';
import { permutationPlugin } from '@symfuse/plugins-permutation';
import { regmeanPlugin } from '@symfuse/plugins-regmean';
import { rotationPlugin } from '@symfuse/plugins-rotation';
import { coreSymmetryPlugin, createRegistry, type ModelBatch, type ModelWeights, type PipelineResult, runPipeline, type StatsBundle, type StatsProvider, type SymmetryRegistry } from '@symfuse/symmetry';
import type { Tensor } from '@symfuse/tensor';
import type { Tokenizer } from '@symfuse/models';
import { blockBatches, classificationSample, trainBlocks } from './data.js';
import { classifierDomain } from './zoo.js';

let registry: SymmetryRegistry | undefined;

/** The registry of every bundled plugin (one per process). */
export function experimentRegistry(): SymmetryRegistry {
  registry ??= createRegistry().use(coreSymmetryPlugin()).use(permutationPlugin()).use(rotationPlugin()).use(regmeanPlugin()).use(fisherPlugin()).freeze();
  return registry;
}

/** What statistics are collected on (part of every cache key that depends on them). */
export interface StatsSpec {
  /** MLM models: training blocks of `sotu+moby-dick`. */
  readonly mlmBlocks: number;
  readonly mlmLength: number;
  /** Classifiers: examples of the model's own training split. */
  readonly examples: number;
  readonly maxLength: number;
  /** Seed of the document order and of the collectors' sampling. */
  readonly seed: number;
}

/** The batches statistics of `model` are collected on. */
export function statsBatches(tok: Tokenizer, model: ModelWeights, spec: StatsSpec): ModelBatch[] {
  if (model.head === 'classifier') {
    const { task, domain } = classifierDomain(model.id ?? '');
    return classificationSample(tok, { task, domain, split: 'train', examples: spec.examples, maxLength: spec.maxLength });
  }
  return blockBatches(trainBlocks(tok, spec.mlmBlocks, spec.mlmLength, spec.seed), 8);
}

function collectorOptions(kind: string, tok: Tokenizer, spec: StatsSpec, description: string): Record<string, unknown> {
  const s = tok.specialIds;
  const special = [s.pad, s.unk, s.cls, s.sep, s.mask].filter((x): x is number => x !== undefined);
  switch (kind) {
    case 'gram':
      return { data: description };
    case 'fisher':
      return { data: description, maskTokenId: s.mask, specialTokenIds: special, seed: spec.seed };
    default:
      return {};
  }
}

/** Seconds spent collecting, by kind (for the cost tables). */
export type CollectTimes = Record<string, number>;

/**
 * A statistics provider over `spec`'s data, memoised per (model object, kind, reference object): the
 * pipeline asks for the anchor's statistics once per merge, and an experiment that runs several
 * configurations on the same models reuses them.
 */
export function createStatsProvider(tok: Tokenizer, spec: StatsSpec, times: CollectTimes = {}): StatsProvider {
  const reg = experimentRegistry();
  const perModel = new WeakMap<ModelWeights, Map<string, Promise<StatsBundle>>>();
  const refIds = new WeakMap<ModelWeights, number>();
  let nextRef = 1;
  return (kind, model, reference, context) => {
    const refKey = reference ? (refIds.get(reference) ?? (refIds.set(reference, nextRef++), refIds.get(reference)!)) : 0;
    const key = `${kind}|${refKey}`;
    const m = perModel.get(model) ?? new Map<string, Promise<StatsBundle>>();
    perModel.set(model, m);
    const hit = m.get(key);
    if (hit) return hit;
    const p = (async () => {
      const batches = statsBatches(tok, model, spec);
      const t0 = performance.now();
      const bundle = await reg.collector(kind, reference !== undefined).collect({
        spec: context.spec,
        model,
        ...(reference ? { reference } : {}),
        batches,
        options: collectorOptions(kind, tok, spec, `${model.id ?? 'model'} statistics sample`),
      });
      times[kind] = (times[kind] ?? 0) + (performance.now() - t0) / 1000;
      return bundle;
    })();
    m.set(key, p);
    return p;
  };
}

/** A pipeline configuration (see `parsePipelineConfig`). */
export interface PipelineConfigInput {
  readonly align?: readonly { readonly aligner: string; readonly spaces?: readonly string[]; readonly options?: Record<string, unknown> }[];
  readonly merge?: { readonly method: string } & Record<string, unknown>;
  readonly seed?: number;
}

/** Runs the pipeline with every bundled plugin; returns its result and the seconds it took. */
export async function pipeline(config: PipelineConfigInput, anchor: ModelWeights, models: readonly ModelWeights[], stats: StatsProvider, seed: number): Promise<{ result: PipelineResult; seconds: number }> {
  const t0 = performance.now();
  const result = await runPipeline(experimentRegistry(), { seed, ...config, align: config.align ?? [] }, { anchor, models, statsProvider: stats, seed });
  return { result, seconds: (performance.now() - t0) / 1000 };
}

/** A model with other parameters (same config, head and id). */
export function withParams<M extends ModelWeights>(model: M, params: ReadonlyMap<string, Tensor>): M {
  return { ...model, params };
}
