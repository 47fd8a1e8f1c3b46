/**
 * `collectJointly`: several statistics collections over the same batches with one forward pass per
 * distinct model and batch. A merge with Verma–Elbayad alignment and RegMean needs the anchor × model
 * correlations and both models' Grams; collected one after the other that is four forward passes per
 * batch, jointly two (the encoder's forward pass is the costliest part of collecting statistics).
 *
 * Each collection is a collector's {@link TapAccumulator}; this runner owns the loop: per batch it runs
 * each model once (with the head the accumulators need), fans every tapped site out to the
 * accumulators that want it, then lets each accumulator fold the batch in.
 */
import { type EncoderBatch, type EncoderConfig, type HeadKind, type TapCollector, forward } from '@symfuse/models';
import { tidy } from '@symfuse/tensor';
import type { AccumulateRequest, ModelBatch, ModelWeights, ProgressSink, StatCollector, StatsBundle, TapAccumulator, TapRole } from '../interfaces.js';

/** One collection of {@link collectJointly}: a collector and what to collect with it. */
export interface JointCollection {
  readonly collector: StatCollector;
  readonly request: AccumulateRequest;
}

/** Options of {@link collectJointly}. */
export interface CollectJointlyOptions {
  /** Progress per batch (stage `statistics`). */
  readonly progress?: ProgressSink;
}

interface Pass {
  readonly model: ModelWeights;
  readonly users: { readonly acc: TapAccumulator; readonly role: TapRole }[];
}

/** The head one model's pass runs: `none` unless an accumulator needs the model's head. */
function passHead(pass: Pass): HeadKind {
  const heads = new Set(pass.users.map((u) => u.acc.head).filter((h) => h !== 'none'));
  if (heads.size > 1) {
    throw new Error(`collectJointly: accumulators need different heads (${[...heads].join(', ')}) of the same model ${pass.model.id ?? ''}; collect them separately`);
  }
  return ([...heads][0] ?? 'none') as HeadKind;
}

/**
 * Runs `collections` over `batches` (consumed once), one forward pass per distinct model object and
 * batch. Results are identical to each collector's own `collect` over the same batches when that
 * `collect` is built on the same accumulator (the bundled correlation and Gram collectors are).
 * @returns the bundles, in the order of `collections`.
 * @throws Error naming the collector when one has no accumulator, and whatever an accumulator throws.
 */
export async function collectJointly(
  collections: readonly JointCollection[],
  batches: AsyncIterable<ModelBatch> | Iterable<ModelBatch>,
  options: CollectJointlyOptions = {},
): Promise<StatsBundle[]> {
  const entries = collections.map(({ collector, request }) => {
    if (!collector.accumulator) throw new Error(`collectJointly: collector '${collector.id}' (kind '${collector.kind}') has no accumulator; run its collect() instead`);
    return { accumulator: collector.accumulator(request), model: request.model, ...(request.reference ? { reference: request.reference } : {}) };
  });
  await runAccumulators(entries, batches, options);
  return Promise.all(entries.map((e) => e.accumulator.finish()));
}

/** One accumulator and the models whose passes feed it (see {@link runAccumulators}). */
export interface AccumulatorEntry {
  readonly accumulator: TapAccumulator;
  /** Feeds the role `model`. */
  readonly model: ModelWeights;
  /** Feeds the role `reference` (pairwise statistics: the anchor). */
  readonly reference?: ModelWeights;
}

/**
 * The loop of {@link collectJointly} over ready-made accumulators: one forward pass per distinct
 * model object and batch, each tapped site handed to every accumulator that wants it, then
 * `endBatch`. Does not call `finish`.
 */
export async function runAccumulators(entries: readonly AccumulatorEntry[], batches: AsyncIterable<ModelBatch> | Iterable<ModelBatch>, options: CollectJointlyOptions = {}): Promise<void> {
  // Models are matched by object identity: the same ModelWeights object is run once per batch.
  const passes: Pass[] = [];
  const passOf = (model: ModelWeights): Pass => {
    let p = passes.find((q) => q.model === model);
    if (!p) passes.push((p = { model, users: [] }));
    return p;
  };
  for (const e of entries) {
    if (e.reference) passOf(e.reference).users.push({ acc: e.accumulator, role: 'reference' });
    passOf(e.model).users.push({ acc: e.accumulator, role: 'model' });
  }
  const heads = passes.map(passHead);
  const total = Array.isArray(batches) ? batches.length : 0;
  let index = 0;
  for await (const batch of batches as AsyncIterable<ModelBatch>) {
    const accepted = (acc: TapAccumulator) => acc.accepts?.(index) ?? true;
    passes.forEach((pass, k) => {
      const users = pass.users.filter((u) => accepted(u.acc));
      if (users.length === 0) return;
      const taps: TapCollector = {
        wants: (site) => users.some((u) => u.acc.wants(u.role, site)),
        collect(site, features, info) {
          for (const u of users) if (u.acc.wants(u.role, site)) u.acc.collect(u.role, site, features, info);
        },
      };
      const head = heads[k];
      // Tensors made during the pass (tapped features, the outputs) are freed with it; accumulators
      // `keep` what they hold past their `collect` call.
      tidy(() => {
        forward({ config: pass.model.config as EncoderConfig, params: new Map(pass.model.params), head }, batch as EncoderBatch, { taps, head });
      });
    });
    for (const e of entries) if (accepted(e.accumulator)) await e.accumulator.endBatch(index, batch);
    index++;
    options.progress?.({ stage: 'statistics', done: index, total: Math.max(total, index) });
  }
}

/**
 * A collector's `collect` built on its accumulator: {@link collectJointly} with one collection.
 * Collectors use it so that collecting alone and collecting jointly run the same code.
 */
export async function collectWithAccumulator(collector: StatCollector, request: AccumulateRequest & { readonly batches: AsyncIterable<ModelBatch> | Iterable<ModelBatch>; readonly progress?: ProgressSink }): Promise<StatsBundle> {
  const { batches, progress, ...rest } = request;
  const [bundle] = await collectJointly([{ collector, request: rest }], batches, { ...(progress ? { progress: relabel(progress, collector.kind) } : {}) });
  return bundle;
}

/** Progress events of a single collection carry the collector's kind as their stage, as before. */
function relabel(progress: ProgressSink, stage: string): ProgressSink {
  return (e) => progress({ ...e, stage });
}
