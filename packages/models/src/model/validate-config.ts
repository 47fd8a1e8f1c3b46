/**
 * Checks that a configuration describes a model of the encoder family, before anything allocates
 * or runs, with errors that name the field, the value found and the supported values.
 */
import { UnsupportedConfigError } from './errors.js';
import type { EncoderConfig, EncoderModelType, HeadKind, EncoderActivation, EncoderLnPlacement } from './types.js';

/** Model types the family implements. */
export const ENCODER_MODEL_TYPES: readonly EncoderModelType[] = ['bert', 'roberta'];
/** Activations the family implements. */
export const ENCODER_ACTIVATIONS: readonly EncoderActivation[] = ['gelu', 'gelu_tanh', 'relu'];
/** LayerNorm placements the family implements. */
export const ENCODER_LN_PLACEMENTS: readonly EncoderLnPlacement[] = ['post', 'pre'];

/** A configuration after validation: the string fields narrowed to the supported values. */
export interface ValidConfig extends EncoderConfig {
  readonly modelType: EncoderModelType;
  readonly hiddenAct: EncoderActivation;
  readonly layerNormPlacement: EncoderLnPlacement;
}

function positiveInt(field: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new UnsupportedConfigError(field, `is ${String(v)}; expected a positive integer`);
  }
}

function oneOf<T extends string>(field: string, v: unknown, allowed: readonly T[]): asserts v is T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new UnsupportedConfigError(field, `is ${JSON.stringify(v)}; supported: ${allowed.map((a) => `'${a}'`).join(', ')}`);
  }
}

/**
 * Validates `config` for the encoder family and returns it narrowed. With `head = 'classifier'`,
 * `numLabels` must be a positive integer.
 * @throws UnsupportedConfigError naming the field, the value and what is supported.
 */
export function validateConfig(config: EncoderConfig, head?: HeadKind): ValidConfig {
  oneOf('modelType', config.modelType, ENCODER_MODEL_TYPES);
  oneOf('hiddenAct', config.hiddenAct, ENCODER_ACTIVATIONS);
  oneOf('layerNormPlacement', config.layerNormPlacement, ENCODER_LN_PLACEMENTS);
  for (const f of ['hiddenSize', 'numLayers', 'numHeads', 'intermediateSize', 'vocabSize', 'maxPositionEmbeddings', 'typeVocabSize'] as const) {
    positiveInt(f, config[f]);
  }
  if (config.hiddenSize % config.numHeads !== 0) {
    throw new UnsupportedConfigError('numHeads', `${config.numHeads} does not divide hiddenSize ${config.hiddenSize}; the head size must be an integer`);
  }
  if (!(typeof config.layerNormEps === 'number' && config.layerNormEps >= 0 && Number.isFinite(config.layerNormEps))) {
    throw new UnsupportedConfigError('layerNormEps', `is ${String(config.layerNormEps)}; expected a finite number ≥ 0`);
  }
  const pad = config.padTokenId;
  if (typeof pad !== 'number' || !Number.isInteger(pad) || pad < 0 || pad >= config.vocabSize) {
    throw new UnsupportedConfigError('padTokenId', `is ${String(pad)}; expected an integer in [0, vocabSize=${config.vocabSize})`);
  }
  if (config.modelType === 'roberta' && config.maxPositionEmbeddings <= pad + 1) {
    throw new UnsupportedConfigError(
      'maxPositionEmbeddings',
      `is ${config.maxPositionEmbeddings}; RoBERTa positions start at padTokenId+1 = ${pad + 1}, so at least ${pad + 2} are needed`,
    );
  }
  if (head === 'classifier') positiveInt('numLabels', config.numLabels);
  return config as ValidConfig;
}
