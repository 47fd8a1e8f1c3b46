/**
 * A one-screen description of a model, for `symfuse inspect` and reports.
 */
import type { DType } from '@symfuse/tensor';
import { resolveHead } from './resolve-head.js';
import type { EncoderModel, HeadKind } from './types.js';
import { validateConfig } from './validate-config.js';

/** What {@link summarizeModel} reports. */
export interface ModelSummary {
  /** The HF architecture name (from the config, else derived: `BertForMaskedLM`, `RobertaModel`, …). */
  readonly architecture: string;
  readonly modelType: string;
  readonly layerNormPlacement: string;
  readonly hiddenAct: string;
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  readonly ffn: number;
  readonly vocab: number;
  readonly maxPositions: number;
  readonly numLabels?: number;
  /** Total number of scalars over all parameters in the map. */
  readonly params: number;
  /** Number of parameter tensors. */
  readonly tensors: number;
  /** Scalar count per dtype. */
  readonly dtypes: Partial<Record<DType, number>>;
  readonly head: HeadKind;
}

const ARCH_SUFFIX: Record<HeadKind, string> = { none: 'Model', mlm: 'ForMaskedLM', classifier: 'ForSequenceClassification' };

/**
 * Summarises `model`: architecture, sizes, parameter count and dtypes, head.
 * @throws UnsupportedConfigError when the config is not one of the family's.
 */
export function summarizeModel(model: EncoderModel): ModelSummary {
  const head = resolveHead(model.config, model.params.keys(), model.head);
  const c = validateConfig(model.config, head);
  let params = 0;
  const dtypes: Partial<Record<DType, number>> = {};
  for (const t of model.params.values()) {
    params += t.size;
    dtypes[t.dtype] = (dtypes[t.dtype] ?? 0) + t.size;
  }
  const family = c.modelType === 'bert' ? 'Bert' : 'Roberta';
  return {
    architecture: c.architectures?.[0] ?? `${family}${ARCH_SUFFIX[head]}`,
    modelType: c.modelType,
    layerNormPlacement: c.layerNormPlacement,
    hiddenAct: c.hiddenAct,
    layers: c.numLayers,
    hidden: c.hiddenSize,
    heads: c.numHeads,
    ffn: c.intermediateSize,
    vocab: c.vocabSize,
    maxPositions: c.maxPositionEmbeddings,
    ...(head === 'classifier' ? { numLabels: c.numLabels } : {}),
    params,
    tensors: model.params.size,
    dtypes,
    head,
  };
}
