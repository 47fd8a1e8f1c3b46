/**
 * The fields of a Hugging Face BERT/RoBERTa `config.json` that symfuse reads, as a zod schema, with the
 * defaults `transformers` applies when a field is absent (BertConfig / RobertaConfig, transformers 5).
 * Unknown keys pass through untouched so they can be written back.
 */
import { z } from 'zod';

/** Model types symfuse implements. */
export const SUPPORTED_MODEL_TYPES = ['bert', 'roberta'] as const;
/** `'bert'` or `'roberta'`. */
export type SupportedModelType = (typeof SUPPORTED_MODEL_TYPES)[number];

/** HF `hidden_act` spellings symfuse implements, and the function each one is. */
export const HF_HIDDEN_ACTS = {
  gelu: 'gelu',
  gelu_new: 'gelu_tanh',
  gelu_pytorch_tanh: 'gelu_tanh',
  relu: 'relu',
} as const;
/** A supported HF `hidden_act` spelling. */
export type HfHiddenAct = keyof typeof HF_HIDDEN_ACTS;
/** The activation functions: exact (erf) GELU, tanh-approximated GELU, ReLU. */
export type HiddenAct = (typeof HF_HIDDEN_ACTS)[HfHiddenAct];

/** Architectures symfuse implements, with the head each one carries. */
export const SUPPORTED_ARCHITECTURES = {
  BertModel: { modelType: 'bert', head: 'none' },
  BertForMaskedLM: { modelType: 'bert', head: 'mlm' },
  BertForSequenceClassification: { modelType: 'bert', head: 'classifier' },
  RobertaModel: { modelType: 'roberta', head: 'none' },
  RobertaForMaskedLM: { modelType: 'roberta', head: 'mlm' },
  RobertaForSequenceClassification: { modelType: 'roberta', head: 'classifier' },
} as const;
/** A supported HF architecture name. */
export type SupportedArchitecture = keyof typeof SUPPORTED_ARCHITECTURES;
/** The task head on top of the encoder (the same kinds as the model code's `HeadKind`). */
export type ModelHead = (typeof SUPPORTED_ARCHITECTURES)[SupportedArchitecture]['head'];

/** HF `problem_type` values. */
export const PROBLEM_TYPES = ['regression', 'single_label_classification', 'multi_label_classification'] as const;
/** A HF `problem_type`. */
export type ProblemType = (typeof PROBLEM_TYPES)[number];

/** symfuse's extension key for pre-LN models (absent means post-LN, as in BERT). */
export const LAYER_NORM_PLACEMENT_KEY = 'symfuse_layer_norm_placement';

/** Where the per-layer LayerNorms sit: after each residual add (BERT) or before each sublayer. */
export const LAYER_NORM_PLACEMENTS = ['post', 'pre'] as const;
/** A LayerNorm placement. */
export type LayerNormPlacement = (typeof LAYER_NORM_PLACEMENTS)[number];

/** `transformers` defaults for absent fields, per model type. */
export const HF_DEFAULTS: Readonly<Record<SupportedModelType, Readonly<Record<string, unknown>>>> = {
  bert: {
    vocab_size: 30522,
    hidden_size: 768,
    num_hidden_layers: 12,
    num_attention_heads: 12,
    intermediate_size: 3072,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    attention_probs_dropout_prob: 0.1,
    max_position_embeddings: 512,
    type_vocab_size: 2,
    initializer_range: 0.02,
    layer_norm_eps: 1e-12,
    pad_token_id: 0,
    bos_token_id: null,
    eos_token_id: null,
    classifier_dropout: null,
    tie_word_embeddings: true,
  },
  roberta: {
    vocab_size: 50265,
    hidden_size: 768,
    num_hidden_layers: 12,
    num_attention_heads: 12,
    intermediate_size: 3072,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    attention_probs_dropout_prob: 0.1,
    max_position_embeddings: 512,
    type_vocab_size: 2,
    initializer_range: 0.02,
    layer_norm_eps: 1e-12,
    pad_token_id: 1,
    bos_token_id: 0,
    eos_token_id: 2,
    classifier_dropout: null,
    tie_word_embeddings: true,
  },
};

const count = z.number().int().min(1);
const tokenId = z.number().int().min(0);
const probability = z.number().min(0).max(1);

/** Field-level schema; cross-field rules (divisibility, ranges against vocab_size…) are checked after. */
export const hfConfigSchema = z.looseObject({
  model_type: z.enum(SUPPORTED_MODEL_TYPES),
  architectures: z.array(z.enum(Object.keys(SUPPORTED_ARCHITECTURES) as [SupportedArchitecture, ...SupportedArchitecture[]])).nullish(),
  vocab_size: count,
  hidden_size: count,
  num_hidden_layers: count,
  num_attention_heads: count,
  intermediate_size: count,
  hidden_act: z.enum(Object.keys(HF_HIDDEN_ACTS) as [HfHiddenAct, ...HfHiddenAct[]]),
  hidden_dropout_prob: probability,
  attention_probs_dropout_prob: probability,
  classifier_dropout: probability.nullable(),
  max_position_embeddings: count,
  type_vocab_size: count,
  initializer_range: z.number().min(0),
  layer_norm_eps: z.number().min(0),
  pad_token_id: tokenId,
  bos_token_id: tokenId.nullable(),
  eos_token_id: tokenId.nullable(),
  tie_word_embeddings: z.boolean(),
  num_labels: count.optional(),
  id2label: z.record(z.string(), z.string()).optional(),
  label2id: z.record(z.string(), z.number().int().min(0)).optional(),
  problem_type: z.enum(PROBLEM_TYPES).nullish(),
  position_embedding_type: z.literal('absolute').optional(),
  is_decoder: z.literal(false).optional(),
  add_cross_attention: z.literal(false).optional(),
  [LAYER_NORM_PLACEMENT_KEY]: z.enum(LAYER_NORM_PLACEMENTS).optional(),
});

/** A `config.json` after field validation and defaults (snake_case, as in the file). */
export type HfConfigJson = z.infer<typeof hfConfigSchema>;
