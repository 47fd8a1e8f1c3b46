/**
 * The transformer encoder family (BERT, RoBERTa; post-LN and pre-LN): parameter naming, init,
 * tolerant loading, the forward pass with activation taps, and model summaries.
 *
 * How to add an architecture to the family: extend `EncoderModelType` and `ENCODER_MODEL_TYPES`,
 * give its parameter names in `names.ts` (prefix, head names), its position-id rule in `inputs.ts`,
 * any head difference in `forward.ts`, and a PyTorch reference variant in `scripts/torch_reference.py`.
 */
export * from './types.js';
export * from './errors.js';
export {
  validateConfig, type ValidConfig, ENCODER_MODEL_TYPES, ENCODER_ACTIVATIONS, ENCODER_LN_PLACEMENTS,
} from './validate-config.js';
export {
  type ParamShapes, type LayerParamNames, basePrefix, layerParamNames, embeddingParamNames, finalLayerNormNames,
  mlmHeadNames, classifierHeadNames, expectedParams, paramNames,
} from './names.js';
export { resolveHead, headOfArchitecture } from './resolve-head.js';
export { type InitRng, SeededNormalRng } from './init-rng.js';
export { type InitOptions, initParams, initParam } from './init.js';
export { type PositionalHeadsOptions, type StructuredInitOptions, applyStructuredInit, positionalFrequencies, sinusoids } from './structured-init.js';
export {
  type LoadOptions, type LoadPlan, type LoadResult, type ShapeMismatch, planParamLoad, loadParams,
} from './load.js';
export { checkParams, type ParamsInfo } from './check-params.js';
export { type PreparedBatch, type BatchTensors, prepareBatch, batchFromTensors } from './inputs.js';
export {
  type TapSite, type TapKind, type TapInfo, type TapCollector, TapSites, TapEmitter, parseTapSite, tapSites,
} from './taps.js';
export { type ForwardOptions, type ForwardResult, forward, forwardMlmAt } from './forward.js';
export { type ForwardContext, type ForwardContextOptions, createForwardContext } from './forward-context.js';
export { embedTokens, encoderLayer, encoderOutput, mlmHead, classifierHead } from './blocks.js';
export { type Dims, Releaser } from './layers.js';
export { type ModelSummary, summarizeModel } from './summary.js';
export { type TensorReader, loadCheckpointParams } from './load-checkpoint.js';
