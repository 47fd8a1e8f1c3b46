/**
 * @symfuse/symmetry — symmetry specs (spaces + axis bindings), group actions, transforms,
 * `applyTransform`, statistics in transformed bases, the plugin interfaces and registry, the
 * alignment/merge pipeline and the invariance checker, plus what every merger and collector plugin
 * shares: statistics files, sharded collection, statistics checks, task heads and host f64 transfer.
 * Nothing registers on import.
 *
 * Subpaths: `@symfuse/symmetry/di` (tsyringe wiring for entry points), `@symfuse/symmetry/testing`
 * (planted recovery and random models for plugin tests).
 */
export * from './spec.js';
export * from './spec-validate.js';
export * from './spec-json.js';
export * from './transform.js';
export * from './transform-ops.js';
export * from './transform-validate.js';
export * from './transform-json.js';
export * from './interfaces.js';
export * from './errors.js';
export { zodOptions, formatZodIssues } from './options.js';
export {
  elementSize,
  invertElement,
  inverseTransposeElement,
  composeElements,
  elementToDense,
  toHeadForm,
  identityDefect,
  invertPermutation,
  identityPermutation,
  isIdentityPermutation,
  isPermutationArray,
  classifyBlock,
  headBlock,
  headBlockKindOf,
  type BlockClass,
} from './group/element-ops.js';
export { actOnArray, type ActSite, type HostArray } from './group/act.js';
export { checkElement, type ElementCheck } from './group/membership.js';
export { randomElement, randomTransform, identityElement, type RandomTransformOptions } from './group/random.js';
export { groupActions } from './group/actions.js';
export { createRng, type SymRng } from './deprecated.js';
export { applyTransform, elementFor } from './apply.js';
export { transformGram, transformParamStats, transformStatsBundle, asPermutation } from './stats-transform.js';
export { hostF64, tensorLike } from './host-f64.js';
export { saveStatsBundle, loadStatsBundle, STATS_FILE_FORMAT, type SaveStatsOptions, type LoadStatsOptions } from './stats/stats-files.js';
export { assertStatsFit, paramsFingerprint, type StatsFitExpectation } from './stats/stats-check.js';
export { parseShard, inShard, shardLabel, combineMeta, shardOptionSchema, type ShardSpec } from './stats/shard.js';
export { collectJointly, collectWithAccumulator, runAccumulators, type JointCollection, type CollectJointlyOptions, type AccumulatorEntry } from './stats/joint.js';
export {
  TASK_PARAM_PREFIX,
  TASK_ID_PATTERN,
  taskParamName,
  taskHeadNames,
  planTasks,
  checkModels,
  mergeByTask,
  describeTasks,
  modelForTask,
  type TaskGroup,
  type TaskPlan,
} from './task-heads.js';
export { ignoreHeadsTransform, separateResidualTransform, forcedTransform, residualRotationTransform, bertSublayerOf } from './non-symmetries.js';
export { buildBertFamilySpec, bertFamilyArchitecture, bertSpaceIds, ATTENTION_KINDS } from './architectures/bert-family.js';
export { createRegistry, type SymmetryRegistry, type RegistryBuilder, type ContributionKind } from './registry.js';
export { coreSymmetryPlugin, lapjvSolver } from './core-plugin.js';
export { parsePipelineConfig, pipelineConfigSchema, type PipelineConfig, type AlignStepConfig } from './pipeline/config.js';
export { selectSpaces, COMPONENT_SELECTORS, type Selection } from './pipeline/select.js';
export {
  runPipeline,
  type PipelineInputs,
  type PipelineResult,
  type StepReport,
  type StatsProvider,
  type PlannedStats,
  type StatsRequestContext,
} from './pipeline/run.js';
export {
  verify,
  verifyAsync,
  checkInvariance,
  makeProbes,
  type VerifyOptions,
  type VerifyResult,
  type OutputDiff,
  type ProbeOptions,
  type ProbeOutputs,
} from './verify.js';
