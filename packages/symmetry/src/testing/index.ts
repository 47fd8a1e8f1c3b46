/**
 * @symfuse/symmetry/testing — helpers for plugin tests: random encoder models and token batches,
 * fast-check config arbitraries, the planted-recovery harness (`plantedRecovery`, `expectRecovered`),
 * relative comparisons of arrays and parameter maps, and an aligner returning a chosen transform.
 */
export { randomEncoderModel, smallEncoderConfig, type RandomModelOptions } from './random-model.js';
export { arbEncoderConfig, type ArbConfigOptions } from './arbitraries.js';
export { plantedRecovery, expectRecovered, type PlantedOptions, type PlantedProblem, type RecoveredOptions } from './planted.js';
export { randomBatches } from './batches.js';
export { maxRelDiff, maxParamDiff } from './compare.js';
export { fixedTransformAligner } from './fixed-aligner.js';
