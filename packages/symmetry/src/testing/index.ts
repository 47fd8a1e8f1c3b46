/**
 * @symfuse/symmetry/testing — helpers for plugin tests: random encoder models, fast-check config
 * arbitraries, and the planted-recovery harness (`plantedRecovery`, `expectRecovered`).
 */
export { randomEncoderModel, smallEncoderConfig, type RandomModelOptions } from './random-model.js';
export { arbEncoderConfig, type ArbConfigOptions } from './arbitraries.js';
export { plantedRecovery, expectRecovered, type PlantedOptions, type PlantedProblem, type RecoveredOptions } from './planted.js';
