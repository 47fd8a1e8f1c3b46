/**
 * `@symfuse/plugins-fisher` — Fisher-weighted averaging (Matena & Raffel 2022) as a merger of the
 * symmetry registry, with the diagonal Fisher collector (per-example gradients; exact expectation over
 * classes, sampled labels for MLM, or empirical) with sharded collection. Statistics files, shards,
 * task heads and statistics checks are `@symfuse/symmetry`'s (shared with every collector and merger).
 *
 * ```ts
 * const registry = createRegistry().use(coreSymmetryPlugin()).use(fisherPlugin()).freeze();
 * const fisher = await registry.collector('fisher').collect({ spec, model, batches });
 * await runPipeline(registry, { merge: { method: 'fisher', normalize: 'l2' } }, { anchor, models, statsProvider });
 * ```
 */
export { fisherPlugin, FISHER_PLUGIN_NAME } from './plugin.js';
export { fisherMerger } from './fisher-merger.js';
export { fisherParamsSchema, fisherParams, type FisherParams } from './params.js';
export {
  fisherCollector,
  collectFisher,
  combineFisher,
  sumLogLikelihood,
  fisherCollectOptionsSchema,
  type FisherCollectOptions,
} from './fisher-collector.js';
export { splitExamples, choosePositions, sampleFromLogits, softmaxRow, type Example } from './examples.js';
