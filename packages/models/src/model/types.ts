/**
 * The data types of the encoder family: the subset of a model configuration the forward pass needs,
 * parameter maps keyed by Hugging Face names, heads, and batches.
 */
import type { Tensor } from '@symfuse/tensor';

/** Model families of the encoder: BERT and RoBERTa. */
export type EncoderModelType = 'bert' | 'roberta';

/** Activations of the FFN (and of BERT's MLM transform): exact GELU, tanh-approximated GELU, ReLU. */
export type EncoderActivation = 'gelu' | 'gelu_tanh' | 'relu';

/** Where the per-layer LayerNorms sit: after each residual add (BERT) or before each sublayer. */
export type EncoderLnPlacement = 'post' | 'pre';

/**
 * What the encoder forward needs from a configuration. The config package's `ModelConfig` is
 * structurally compatible (it has these fields and more), so either can be passed.
 */
export interface EncoderConfig {
  readonly modelType: string;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  readonly intermediateSize: number;
  readonly hiddenAct: string;
  readonly layerNormEps: number;
  readonly layerNormPlacement: string;
  readonly vocabSize: number;
  readonly maxPositionEmbeddings: number;
  readonly typeVocabSize: number;
  readonly padTokenId: number;
  /** Number of classifier outputs (sequence classification only). */
  readonly numLabels?: number;
  /** HF `architectures`, e.g. `['BertForMaskedLM']`; used to pick the head when none is given. */
  readonly architectures?: readonly string[];
}

/**
 * The task head on top of the encoder.
 * - `none`: the bare encoder (no pooler; `hidden` only).
 * - `mlm`: masked-language-model head, decoder tied to the word embeddings.
 * - `classifier`: sequence classification (BERT: pooler + `classifier`; RoBERTa: `classifier.dense` +
 *   `classifier.out_proj` on the `<s>` token, no pooler).
 */
export type HeadKind = 'none' | 'mlm' | 'classifier';

/** All head kinds, for error messages. */
export const HEAD_KINDS: readonly HeadKind[] = ['none', 'mlm', 'classifier'];

/** Parameters keyed by their exact Hugging Face names; linear weights are `[out, in]`. */
export type ParamMap = Map<string, Tensor>;

/**
 * A model: its configuration and parameters. `head` overrides the head inferred from
 * `config.architectures` (then from which head parameters are present).
 */
export interface EncoderModel {
  readonly config: EncoderConfig;
  readonly params: ParamMap;
  readonly head?: HeadKind;
}

/** Host integer arrays accepted for ids, masks and token types. */
export type IntArray = Int32Array | Uint8Array | Uint16Array | Uint32Array | readonly number[];

/**
 * A batch of `batch` sequences of `seqLen` tokens, row-major (`ids[b·seqLen + t]`).
 * `mask` is 1 for real tokens and 0 for padding (default: all real); `typeIds` default to 0.
 */
export interface EncoderBatch {
  readonly ids: IntArray;
  readonly mask?: IntArray;
  readonly typeIds?: IntArray;
  readonly batch: number;
  readonly seqLen: number;
}
