/**
 * The pipeline's statistics provider for CLI runs: published statistics files first, otherwise a
 * collection over the configured data with the registered collector of that kind. Results are
 * cached per (model, kind, reference), so the anchor's statistics are collected once. Collections run
 * their forward passes on the device of `device` (copies of the host models, see `device.ts`).
 */
import type { DataSource } from '@symfuse/data';
import type { ModelConfig, Tokenizer } from '@symfuse/models';
import { type ModelWeights, type ProgressSink, type StatsBundle, type StatsProvider, type SymmetryRegistry, collectJointly } from '@symfuse/symmetry';
import { type SampleSettings, statsSample } from '../data.js';
import type { DeviceModels } from '../device.js';
import { CliError } from '../errors.js';

/** Inputs of {@link createStatsProvider}. */
export interface StatsProviderInputs {
  readonly registry: SymmetryRegistry;
  /** Where to collect when no published statistics apply (undefined: nowhere). */
  readonly source?: DataSource;
  readonly tokenizer?: Tokenizer;
  readonly settings: SampleSettings;
  /** Published statistics by model object, then by kind. */
  readonly published?: ReadonlyMap<ModelWeights, ReadonlyMap<string, StatsBundle>>;
  readonly progress?: ProgressSink;
  /** Where the collections' forward passes run (default: on the models as given). */
  readonly device?: DeviceModels;
  /** Called once per collection (for logs). */
  readonly onCollect?: (kind: string, model: ModelWeights, description: string) => void;
}

/** Collector options the bundled collectors understand, by kind. */
export function collectorOptions(kind: string, description: string, tok: Tokenizer | undefined, shard?: string): Record<string, unknown> {
  const sp = tok?.specialIds;
  const special = sp ? [sp.pad, sp.unk, sp.cls, sp.sep, sp.mask, sp.bos, sp.eos].filter((x): x is number => x !== undefined) : [];
  switch (kind) {
    case 'gram':
      return { data: description, ...(shard ? { shard } : {}) };
    case 'fisher':
      return { data: description, ...(sp?.mask !== undefined ? { maskTokenId: sp.mask } : {}), specialTokenIds: [...new Set(special)], ...(shard ? { shard } : {}) };
    default:
      return {};
  }
}

/**
 * Builds the provider. Its `prefetch` collects every planned statistic that has to be collected (not
 * published) and whose collector has an accumulator in one joint pass over the data
 * (`collectJointly`): one forward pass per model and batch for all kinds, instead of one per kind.
 */
export function createStatsProvider(inputs: StatsProviderInputs): StatsProvider {
  const cache = new Map<ModelWeights, Map<string, Promise<StatsBundle>>>();
  const refIds = new Map<ModelWeights, number>();
  let sample: ReturnType<typeof statsSample> | undefined;
  const keyOf = (kind: string, reference: ModelWeights | undefined) =>
    `${kind}|${reference ? (refIds.get(reference) ?? refIds.set(reference, refIds.size).get(reference)) : '-'}`;
  const cacheOf = (model: ModelWeights) => {
    const perModel = cache.get(model) ?? new Map<string, Promise<StatsBundle>>();
    cache.set(model, perModel);
    return perModel;
  };
  const sampleFor = (model: ModelWeights) => (sample ??= statsSample(inputs.source!, inputs.tokenizer!, model.config as ModelConfig, model.head ?? 'mlm', inputs.settings));
  const provider: StatsProvider = (kind, model, reference, context) => {
    const given = inputs.published?.get(model)?.get(kind);
    if (given) return Promise.resolve(given);
    const key = keyOf(kind, reference);
    const perModel = cacheOf(model);
    const hit = perModel.get(key);
    if (hit) return hit;
    const who = context.purpose.stage === 'align' ? `aligner '${context.purpose.aligner}'` : `merger '${context.purpose.merger}'`;
    if (!inputs.source) {
      return Promise.reject(new CliError(`${who} needs '${kind}' statistics of ${model.id ?? 'a model'}, but no data was given to collect them (set 'data' / --data, or give published statistics with models[i].stats)`));
    }
    if (!inputs.tokenizer) return Promise.reject(new CliError(`collecting '${kind}' statistics on ${inputs.source.spec} needs a tokenizer; ${model.id ?? 'the anchor'} has no tokenizer.json`));
    const run = async () => {
      const { batches, description } = sampleFor(model);
      inputs.onCollect?.(kind, model, description);
      const collector = inputs.registry.collector(kind, reference !== undefined);
      const on = <M extends ModelWeights>(m: M): M => inputs.device?.model(m) ?? m;
      return collector.collect({
        spec: context.spec,
        model: on(model),
        ...(reference ? { reference: on(reference) } : {}),
        batches,
        options: collectorOptions(kind, description, inputs.tokenizer, undefined),
        progress: inputs.progress,
      });
    };
    const p = run();
    perModel.set(key, p);
    return p;
  };
  provider.prefetch = async (plan, spec) => {
    if (!inputs.source || !inputs.tokenizer) return; // the requests themselves report what is missing
    const todo = plan.filter((p) => {
      if (inputs.published?.get(p.model)?.has(p.kind) || cacheOf(p.model).has(keyOf(p.kind, p.reference))) return false;
      try {
        return inputs.registry.collector(p.kind, p.reference !== undefined).accumulator !== undefined;
      } catch {
        return false; // no such collector: the request reports it with its context
      }
    });
    if (todo.length < 2) return; // nothing to share
    const { batches, description } = sampleFor(todo[0].model);
    // One device copy per model, so that the joint run recognises a model shared by several kinds.
    const onDevice = new Map<ModelWeights, ModelWeights>();
    const on = (m: ModelWeights) => onDevice.get(m) ?? onDevice.set(m, inputs.device?.model(m) ?? m).get(m)!;
    for (const p of todo) inputs.onCollect?.(p.kind, p.model, `${description} (jointly with ${todo.length - 1} other collection${todo.length > 2 ? 's' : ''})`);
    const joint = collectJointly(
      todo.map((p) => ({
        collector: inputs.registry.collector(p.kind, p.reference !== undefined),
        request: { spec, model: on(p.model), ...(p.reference ? { reference: on(p.reference) } : {}), options: collectorOptions(p.kind, description, inputs.tokenizer, undefined) },
      })),
      batches,
      inputs.progress ? { progress: inputs.progress } : {},
    );
    todo.forEach((p, i) => cacheOf(p.model).set(keyOf(p.kind, p.reference), joint.then((bundles) => bundles[i])));
    await joint;
  };
  return provider;
}
