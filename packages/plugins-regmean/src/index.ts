/**
 * `@symfuse/plugins-regmean` — simple (weighted) averaging and RegMean (Jin et al. 2023) as mergers of
 * the symmetry registry, with the Gram statistics collector (`XᵀX` of every linear layer's input),
 * sharded collection and incremental (greedy subset) merging. Statistics files, shards, task heads and
 * statistics checks are `@symfuse/symmetry`'s (shared with every collector and merger).
 *
 * ```ts
 * const registry = createRegistry().use(coreSymmetryPlugin()).use(regmeanPlugin()).freeze();
 * const grams = await registry.collector('gram').collect({ spec, model, batches });
 * saveStatsBundle('model-a.gram.safetensors', grams); // from @symfuse/symmetry
 * await runPipeline(registry, { merge: { method: 'regmean', alpha: 0.9 } }, { anchor, models, statsProvider });
 * ```
 */
export { regmeanPlugin, REGMEAN_PLUGIN_NAME } from './plugin.js';
export { simpleMerger, weightedMean } from './simple-merger.js';
export { regmeanMerger, isSpecLinear, scaledGram } from './regmean-merger.js';
export { regmeanLinear, type RegmeanLayer, type RegmeanLayerResult } from './regmean-solve.js';
export { solveSpdRidge, type SpdSolution } from './spd-solve.js';
export {
  gramCollector,
  collectGrams,
  gramAccumulator,
  gramOfTap,
  combineGrams,
  GramAccumulator,
  gramCollectOptionsSchema,
  type GramCollectOptions,
} from './gram-collector.js';
export { gramNameFor, gramSites } from './gram-sites.js';
export {
  simpleParamsSchema,
  regmeanParamsSchema,
  alphaOverrideSchema,
  simpleParams,
  regmeanParams,
  alphaFor,
  type SimpleParams,
  type RegmeanParams,
} from './params.js';
export {
  incrementalMerge,
  subsetPerModelParams,
  type IncrementalMergeOptions,
  type IncrementalMergeResult,
  type IncrementalStep,
  type SubsetScore,
} from './incremental.js';
