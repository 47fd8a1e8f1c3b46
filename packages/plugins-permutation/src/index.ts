/**
 * @symfuse/plugins-permutation — permutation alignment of transformer encoders:
 * - `verma-elbayad`: correlation matching (Verma & Elbayad 2024): FFN, MHA (head-perm, monotonic,
 *   ignore-heads), residual stream (identity, first, last, all, separate), classifier head;
 * - `weight-matching`: dataless coordinate descent (Ainsworth et al. 2023) over the same spaces;
 * - the pairwise `correlation` statistics collector (mergeable cross moments per tap site).
 * Register with `createRegistry().use(coreSymmetryPlugin()).use(permutationPlugin())`.
 */
export { permutationPlugin } from './plugin.js';
export {
  CORRELATION_KIND,
  CORRELATION_FIELDS,
  correlationEntryName,
  correlationBundle,
  correlationSites,
  momentsOfSite,
  momentsFromBundle,
  correlationMatrix,
  combineCorrelationBundles,
  type CorrelationMatrix,
} from './correlation/bundle.js';
export { collectCorrelations, correlationCollector, type CorrelationCollectInput, type CorrelationCollectorOptions } from './correlation/collector.js';
export { defaultCorrelationSites, residualSites, siteOfSpace, layerCount } from './correlation/sites.js';
export { headAssignment, headElementOf, flatPermOf, type HeadAssignment } from './assignment/heads.js';
export { maximizeAssignment, type Assignment } from './assignment/solve.js';
export { meanMatchedCorrelation, permuteColumns, type SiteCorrelation, type SiteCorrelationMatrices } from './diagnostics.js';
export {
  vermaElbayadAligner,
  alignVermaElbayad,
  type VermaElbayadDiagnostics,
  type SolveRecord,
} from './verma-elbayad/aligner.js';
export {
  vermaElbayadOptions,
  MHA_STRATEGIES,
  RESIDUAL_STRATEGIES,
  type MhaStrategy,
  type ResidualStrategy,
  type VermaElbayadOptions,
} from './verma-elbayad/options.js';
export { separateResidualSites } from './verma-elbayad/separate.js';
export {
  weightMatchingAligner,
  alignWeightMatching,
  weightMatchingOptions,
  type WeightMatchingOptions,
  type WeightMatchingDiagnostics,
} from './weight-matching/aligner.js';
export { spaceSimilarity, accumulateAxisProduct, matchingObjective, type HostParams } from './weight-matching/similarity.js';
