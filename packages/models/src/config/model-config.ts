/**
 * Hugging Face `config.json` ↔ a typed, validated {@link ModelConfig} for BERT and RoBERTa encoders.
 *
 * Parsing applies the defaults `transformers` applies to absent fields, validates each field with zod,
 * then the rules that span fields (head size, token ids against the vocabulary, RoBERTa's position
 * offset, label maps), and reports every problem at once in a {@link ModelConfigError} that names the
 * field, the value found and what is supported. Keys symfuse does not use are kept in `extra` and
 * written back by {@link serializeModelConfig}, so a load/save cycle loses nothing.
 */
import * as fs from 'node:fs';
import type { z } from 'zod';
import { writeFileAtomic } from '../io/writer.js';
import { ModelConfigError, type ConfigIssue } from './config-error.js';
import {
  HF_DEFAULTS,
  HF_HIDDEN_ACTS,
  hfConfigSchema,
  LAYER_NORM_PLACEMENT_KEY,
  SUPPORTED_ARCHITECTURES,
  SUPPORTED_MODEL_TYPES,
  type HfConfigJson,
  type HfHiddenAct,
  type HiddenAct,
  type LayerNormPlacement,
  type ModelHead,
  type ProblemType,
  type SupportedArchitecture,
  type SupportedModelType,
} from './hf-schema.js';

/**
 * A validated encoder configuration. Field names follow the model code's `EncoderConfig`
 * (which this type satisfies structurally); HF spellings are in the TSDoc.
 */
export interface ModelConfig {
  /** `model_type`. */
  readonly modelType: SupportedModelType;
  /** `architectures` (may be empty). */
  readonly architectures: readonly SupportedArchitecture[];
  /** Head implied by the first architecture; `none` when there is none. */
  readonly head: ModelHead;
  /** `vocab_size`: rows of the word-embedding matrix `[vocabSize, hiddenSize]`. */
  readonly vocabSize: number;
  /** `hidden_size`. */
  readonly hiddenSize: number;
  /** `num_hidden_layers`. */
  readonly numLayers: number;
  /** `num_attention_heads`. */
  readonly numHeads: number;
  /** Derived: `hiddenSize / numHeads`. */
  readonly headDim: number;
  /** `intermediate_size`: FFN width. */
  readonly intermediateSize: number;
  /** The activation function `hidden_act` denotes. */
  readonly hiddenAct: HiddenAct;
  /** `hidden_act` as spelled in the file, written back unchanged. */
  readonly hfHiddenAct: HfHiddenAct;
  /** `max_position_embeddings`: rows of the position-embedding matrix. */
  readonly maxPositionEmbeddings: number;
  /** `type_vocab_size`. */
  readonly typeVocabSize: number;
  /** `layer_norm_eps`. */
  readonly layerNormEps: number;
  /** `pad_token_id`. */
  readonly padTokenId: number;
  /** `bos_token_id` (RoBERTa: 0). */
  readonly bosTokenId: number | null;
  /** `eos_token_id` (RoBERTa: 2). */
  readonly eosTokenId: number | null;
  /**
   * Derived: index of the first real position in the position-embedding matrix. RoBERTa numbers
   * positions from `padding_idx + 1` (= `padTokenId + 1`) so the padding row is never used; BERT from 0.
   */
  readonly positionOffset: number;
  /** Derived: longest input the position embeddings cover, `maxPositionEmbeddings − positionOffset`. */
  readonly maxSequenceLength: number;
  /** `symfuse_layer_norm_placement` (symfuse extension): `post` (BERT, default) or `pre`. */
  readonly layerNormPlacement: LayerNormPlacement;
  /** Number of classifier outputs: `len(id2label)`, or `num_labels`, or HF's default 2. */
  readonly numLabels: number;
  /** `id2label` as an array: `id2label[i]` names output i. */
  readonly id2label: readonly string[];
  /** `label2id`, the inverse of `id2label`. */
  readonly label2id: Readonly<Record<string, number>>;
  /** `problem_type`. */
  readonly problemType: ProblemType | null;
  /** `hidden_dropout_prob`. */
  readonly hiddenDropoutProb: number;
  /** `attention_probs_dropout_prob`. */
  readonly attentionProbsDropoutProb: number;
  /** `classifier_dropout` (null: use hiddenDropoutProb). */
  readonly classifierDropout: number | null;
  /** `initializer_range`: std of the normal init. */
  readonly initializerRange: number;
  /** `tie_word_embeddings`: the MLM decoder shares the word-embedding matrix. */
  readonly tieWordEmbeddings: boolean;
  /** Every other key of the file, kept verbatim for round trips. */
  readonly extra: Readonly<Record<string, unknown>>;
}

/** Keys mapped to ModelConfig fields (the rest go to `extra`; num_labels is derived, never written). */
const MAPPED_KEYS = new Set([
  'model_type',
  'architectures',
  'vocab_size',
  'hidden_size',
  'num_hidden_layers',
  'num_attention_heads',
  'intermediate_size',
  'hidden_act',
  'hidden_dropout_prob',
  'attention_probs_dropout_prob',
  'classifier_dropout',
  'max_position_embeddings',
  'type_vocab_size',
  'initializer_range',
  'layer_norm_eps',
  'pad_token_id',
  'bos_token_id',
  'eos_token_id',
  'tie_word_embeddings',
  'num_labels',
  'id2label',
  'label2id',
  'problem_type',
  LAYER_NORM_PLACEMENT_KEY,
]);

function show(v: unknown): string {
  if (v === undefined) return 'missing';
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 80)}…` : s;
}

function valueAt(obj: unknown, path: readonly PropertyKey[]): unknown {
  let v = obj;
  for (const k of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** Field-specific explanations, for values that are valid JSON but not something symfuse runs. */
const HINTS: Readonly<Record<string, string>> = {
  is_decoder: 'symfuse implements encoders only (expected false)',
  add_cross_attention: 'symfuse implements encoders only, without cross-attention (expected false)',
  position_embedding_type: "only 'absolute' position embeddings are supported",
};

function describeIssue(issue: z.core.$ZodIssue, input: unknown): ConfigIssue {
  const field = issue.path.map(String).join('.') || '(root)';
  const value = valueAt(input, issue.path);
  const hint = HINTS[String(issue.path[0])];
  let message: string;
  switch (issue.code) {
    case 'invalid_type':
      message =
        value === undefined
          ? `is missing; expected ${issue.expected}`
          : `is ${show(value)}; expected ${issue.expected === 'int' ? 'an integer' : issue.expected}`;
      break;
    case 'too_small':
      message = `is ${show(value)}; expected ${issue.inclusive ? '≥' : '>'} ${issue.minimum}`;
      break;
    case 'too_big':
      message = `is ${show(value)}; expected ${issue.inclusive ? '≤' : '<'} ${issue.maximum}`;
      break;
    case 'invalid_value':
      message = `is ${show(value)}; ${hint ?? `supported: ${issue.values.map((v) => show(v)).join(', ')}`}`;
      break;
    default:
      message = `is ${show(value)}; ${issue.message}`;
  }
  return { field, message };
}

/** Labels: `id2label` keys must be 0..n−1; `num_labels` and `label2id` must agree with it. */
function resolveLabels(cfg: HfConfigJson, issues: ConfigIssue[]): { id2label: string[]; label2id: Record<string, number> } {
  let id2label: string[] = [];
  if (cfg.id2label !== undefined) {
    const keys = Object.keys(cfg.id2label);
    const n = keys.length;
    id2label = new Array<string>(n);
    for (const k of keys) {
      const i = Number(k);
      if (!/^(0|[1-9]\d*)$/.test(k) || i >= n) {
        issues.push({ field: `id2label.${k}`, message: `has key ${show(k)}; keys must be the ids 0..${n - 1}` });
        continue;
      }
      id2label[i] = cfg.id2label[k];
    }
    if (cfg.num_labels !== undefined && cfg.num_labels !== n) {
      issues.push({ field: 'num_labels', message: `is ${cfg.num_labels} but id2label has ${n} labels` });
    }
  } else {
    id2label = Array.from({ length: cfg.num_labels ?? 2 }, (_, i) => `LABEL_${i}`);
  }
  const label2id: Record<string, number> = Object.create(null) as Record<string, number>;
  id2label.forEach((label, i) => {
    if (label === undefined) return;
    if (label in label2id) issues.push({ field: `id2label.${i}`, message: `is ${show(label)}, the same label as id ${label2id[label]}; labels must be unique` });
    else label2id[label] = i;
  });
  if (cfg.label2id !== undefined) {
    const given = cfg.label2id;
    const expected = Object.entries(label2id);
    const same = Object.keys(given).length === expected.length && expected.every(([l, i]) => given[l] === i);
    if (!same) issues.push({ field: 'label2id', message: `is ${show(given)}; expected the inverse of id2label, ${show({ ...label2id })}` });
  }
  return { id2label, label2id: { ...label2id } };
}

/** Rules that involve several fields. */
function crossFieldIssues(cfg: HfConfigJson, issues: ConfigIssue[]): void {
  if (cfg.hidden_size % cfg.num_attention_heads !== 0) {
    issues.push({
      field: 'hidden_size',
      message: `is ${cfg.hidden_size}, not divisible by num_attention_heads = ${cfg.num_attention_heads}; the head size must be an integer`,
    });
  }
  for (const key of ['pad_token_id', 'bos_token_id', 'eos_token_id'] as const) {
    const id = cfg[key];
    if (id !== null && id !== undefined && id >= cfg.vocab_size) {
      issues.push({ field: key, message: `is ${id}; expected a token id below vocab_size = ${cfg.vocab_size}` });
    }
  }
  if (cfg.model_type === 'roberta' && cfg.max_position_embeddings < cfg.pad_token_id + 2) {
    issues.push({
      field: 'max_position_embeddings',
      message: `is ${cfg.max_position_embeddings}; RoBERTa positions start at pad_token_id + 1 = ${cfg.pad_token_id + 1}, so at least ${cfg.pad_token_id + 2} are needed`,
    });
  }
  (cfg.architectures ?? []).forEach((arch, i) => {
    const family = SUPPORTED_ARCHITECTURES[arch].modelType;
    if (family !== cfg.model_type) {
      issues.push({ field: `architectures.${i}`, message: `is ${show(arch)}, a ${family} architecture, but model_type is ${show(cfg.model_type)}` });
    }
  });
}

/**
 * Parses and validates a Hugging Face BERT/RoBERTa configuration.
 * @param json the parsed `config.json` object, or its text
 * @param source where it came from, for error messages (a path or a label)
 * @throws ModelConfigError listing every problem: field, value found, what is supported
 */
export function parseModelConfig(json: unknown, source = '<config>'): ModelConfig {
  let raw = json;
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch (e) {
      throw new ModelConfigError(source, [{ field: '(file)', message: `is not valid JSON (${(e as Error).message})` }]);
    }
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ModelConfigError(source, [{ field: '(root)', message: `is ${show(raw)}; expected a JSON object` }]);
  }
  const input = raw as Record<string, unknown>;
  const modelType = input.model_type;
  if (!(SUPPORTED_MODEL_TYPES as readonly unknown[]).includes(modelType)) {
    throw new ModelConfigError(source, [{ field: 'model_type', message: `is ${show(modelType)}; supported: ${SUPPORTED_MODEL_TYPES.map((t) => show(t)).join(', ')}` }]);
  }
  // Absent fields take transformers' defaults; present ones (even null) are validated as given.
  const withDefaults: Record<string, unknown> = { ...HF_DEFAULTS[modelType as SupportedModelType], ...input };
  const parsed = hfConfigSchema.safeParse(withDefaults);
  if (!parsed.success) throw new ModelConfigError(source, parsed.error.issues.map((i) => describeIssue(i, withDefaults)));
  const cfg = parsed.data;
  const issues: ConfigIssue[] = [];
  crossFieldIssues(cfg, issues);
  const { id2label, label2id } = resolveLabels(cfg, issues);
  if (issues.length > 0) throw new ModelConfigError(source, issues);

  // Prototype-less, so even a `__proto__` key is kept as plain data.
  const extra: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of Object.entries(input)) if (!MAPPED_KEYS.has(k)) extra[k] = v;
  const architectures = cfg.architectures ?? [];
  const positionOffset = cfg.model_type === 'roberta' ? cfg.pad_token_id + 1 : 0;
  return {
    modelType: cfg.model_type,
    architectures,
    head: architectures.length > 0 ? SUPPORTED_ARCHITECTURES[architectures[0]].head : 'none',
    vocabSize: cfg.vocab_size,
    hiddenSize: cfg.hidden_size,
    numLayers: cfg.num_hidden_layers,
    numHeads: cfg.num_attention_heads,
    headDim: cfg.hidden_size / cfg.num_attention_heads,
    intermediateSize: cfg.intermediate_size,
    hiddenAct: HF_HIDDEN_ACTS[cfg.hidden_act],
    hfHiddenAct: cfg.hidden_act,
    maxPositionEmbeddings: cfg.max_position_embeddings,
    typeVocabSize: cfg.type_vocab_size,
    layerNormEps: cfg.layer_norm_eps,
    padTokenId: cfg.pad_token_id,
    bosTokenId: cfg.bos_token_id,
    eosTokenId: cfg.eos_token_id,
    positionOffset,
    maxSequenceLength: cfg.max_position_embeddings - positionOffset,
    layerNormPlacement: cfg[LAYER_NORM_PLACEMENT_KEY] ?? 'post',
    numLabels: id2label.length,
    id2label,
    label2id,
    problemType: cfg.problem_type ?? null,
    hiddenDropoutProb: cfg.hidden_dropout_prob,
    attentionProbsDropoutProb: cfg.attention_probs_dropout_prob,
    classifierDropout: cfg.classifier_dropout,
    initializerRange: cfg.initializer_range,
    tieWordEmbeddings: cfg.tie_word_embeddings,
    extra,
  };
}

/**
 * The HF `config.json` object for a configuration: snake_case keys, sorted as `transformers` writes
 * them, `extra` keys included, `symfuse_layer_norm_placement` only for pre-LN models (so a post-LN
 * config is exactly what transformers itself would write).
 */
export function modelConfigToJson(cfg: ModelConfig): Record<string, unknown> {
  const id2label: Record<string, string> = {};
  cfg.id2label.forEach((l, i) => (id2label[String(i)] = l));
  const out: Record<string, unknown> = {
    ...cfg.extra,
    model_type: cfg.modelType,
    vocab_size: cfg.vocabSize,
    hidden_size: cfg.hiddenSize,
    num_hidden_layers: cfg.numLayers,
    num_attention_heads: cfg.numHeads,
    intermediate_size: cfg.intermediateSize,
    hidden_act: cfg.hfHiddenAct,
    hidden_dropout_prob: cfg.hiddenDropoutProb,
    attention_probs_dropout_prob: cfg.attentionProbsDropoutProb,
    classifier_dropout: cfg.classifierDropout,
    max_position_embeddings: cfg.maxPositionEmbeddings,
    type_vocab_size: cfg.typeVocabSize,
    initializer_range: cfg.initializerRange,
    layer_norm_eps: cfg.layerNormEps,
    pad_token_id: cfg.padTokenId,
    tie_word_embeddings: cfg.tieWordEmbeddings,
    id2label,
    label2id: { ...cfg.label2id },
  };
  if (cfg.architectures.length > 0) out.architectures = [...cfg.architectures];
  if (cfg.bosTokenId !== null) out.bos_token_id = cfg.bosTokenId;
  if (cfg.eosTokenId !== null) out.eos_token_id = cfg.eosTokenId;
  if (cfg.problemType !== null) out.problem_type = cfg.problemType;
  if (cfg.layerNormPlacement !== 'post') out[LAYER_NORM_PLACEMENT_KEY] = cfg.layerNormPlacement;
  const sorted: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const k of Object.keys(out).sort()) sorted[k] = out[k];
  return sorted;
}

/** `config.json` text as `transformers` formats it: sorted keys, 2-space indent, final newline. */
export function serializeModelConfig(cfg: ModelConfig): string {
  return `${JSON.stringify(modelConfigToJson(cfg), null, 2)}\n`;
}

/** Reads and parses a `config.json` file. @throws ModelConfigError naming the path */
export function readModelConfig(path: string): ModelConfig {
  return parseModelConfig(fs.readFileSync(path, 'utf8'), path);
}

/** Writes a `config.json` file atomically (temporary file + rename). */
export function writeModelConfig(path: string, cfg: ModelConfig): void {
  const text = serializeModelConfig(cfg);
  writeFileAtomic(path, (write) => write(new TextEncoder().encode(text)));
}
