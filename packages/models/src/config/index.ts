/** Hugging Face `config.json` for BERT/RoBERTa encoders: parse, validate, serialize. */
export { ModelConfigError, type ConfigIssue } from './config-error.js';
export {
  HF_DEFAULTS,
  HF_HIDDEN_ACTS,
  LAYER_NORM_PLACEMENT_KEY,
  LAYER_NORM_PLACEMENTS,
  PROBLEM_TYPES,
  SUPPORTED_ARCHITECTURES,
  SUPPORTED_MODEL_TYPES,
  type HfHiddenAct,
  type HiddenAct,
  type LayerNormPlacement,
  type ModelHead,
  type ProblemType,
  type SupportedArchitecture,
  type SupportedModelType,
} from './hf-schema.js';
export { modelConfigToJson, parseModelConfig, readModelConfig, serializeModelConfig, writeModelConfig, type ModelConfig } from './model-config.js';
