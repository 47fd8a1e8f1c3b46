/**
 * The canonical parameter names of the encoder family (exactly Hugging Face's, plus one symfuse
 * extension for pre-LN) and their shapes. Everything that walks parameters — init, loading, the
 * forward pass, symmetry specs — derives names from here so they cannot drift apart.
 *
 * symfuse extension (pre-LN): HF's BERT/RoBERTa are post-LN. A pre-LN model keeps the same per-layer
 * names — `attention.output.LayerNorm` is LN₁ applied to the layer input before self-attention and
 * `output.LayerNorm` is LN₂ applied to x_a before the FFN — and adds one final LayerNorm
 * `{prefix}.encoder.final_layer_norm.{weight,bias}` applied to the last layer's output.
 */
import { classifierHeadNames, mlmHeadNames, wb } from './head-names.js';
import { resolveHead } from './resolve-head.js';
import { validateConfig } from './validate-config.js';
import type { EncoderConfig, EncoderModelType, HeadKind } from './types.js';

export { classifierHeadNames, mlmHeadNames } from './head-names.js';

/** Shapes of every parameter, keyed by name, in canonical order. */
export type ParamShapes = Map<string, readonly number[]>;

/** `bert` or `roberta`: the prefix of the encoder's parameters. */
export function basePrefix(modelType: EncoderModelType): string {
  return modelType;
}

/** Names of one layer's parameters (weights are `[out, in]`). */
export interface LayerParamNames {
  readonly query: { readonly weight: string; readonly bias: string };
  readonly key: { readonly weight: string; readonly bias: string };
  readonly value: { readonly weight: string; readonly bias: string };
  /** W_O, `[d, d]`: its input is the concatenation of head contexts. */
  readonly attnOut: { readonly weight: string; readonly bias: string };
  /** LN₁: after attention (post-LN) or before it (pre-LN). */
  readonly ln1: { readonly weight: string; readonly bias: string };
  /** W_1, `[d_ff, d]`. */
  readonly ffnIn: { readonly weight: string; readonly bias: string };
  /** W_2, `[d, d_ff]`. */
  readonly ffnOut: { readonly weight: string; readonly bias: string };
  /** LN₂: after the FFN (post-LN) or before it (pre-LN). */
  readonly ln2: { readonly weight: string; readonly bias: string };
}

/** Parameter names of layer `i` for a model type. */
export function layerParamNames(modelType: EncoderModelType, i: number): LayerParamNames {
  const l = `${basePrefix(modelType)}.encoder.layer.${i}`;
  return {
    query: wb(`${l}.attention.self.query`),
    key: wb(`${l}.attention.self.key`),
    value: wb(`${l}.attention.self.value`),
    attnOut: wb(`${l}.attention.output.dense`),
    ln1: wb(`${l}.attention.output.LayerNorm`),
    ffnIn: wb(`${l}.intermediate.dense`),
    ffnOut: wb(`${l}.output.dense`),
    ln2: wb(`${l}.output.LayerNorm`),
  };
}

/** Names of the embedding parameters. */
export function embeddingParamNames(modelType: EncoderModelType) {
  const e = `${basePrefix(modelType)}.embeddings`;
  return {
    word: `${e}.word_embeddings.weight`,
    position: `${e}.position_embeddings.weight`,
    tokenType: `${e}.token_type_embeddings.weight`,
    ln: wb(`${e}.LayerNorm`),
  } as const;
}

/** The final LayerNorm of pre-LN models (symfuse extension, see the module comment). */
export function finalLayerNormNames(modelType: EncoderModelType): { weight: string; bias: string } {
  return wb(`${basePrefix(modelType)}.encoder.final_layer_norm`);
}

/**
 * The parameters a model of `config` with `head` must have, with their shapes, in canonical order
 * (embeddings, layers, final LN for pre-LN, head). The tied MLM decoder weight is not included.
 * `head` defaults to the one `config.architectures` names (else `none`).
 * @throws UnsupportedConfigError when `config` is not one the family supports.
 */
export function expectedParams(cfg: EncoderConfig, headKind?: HeadKind): ParamShapes {
  const head = headKind ?? resolveHead(cfg);
  const config = validateConfig(cfg, head);
  const t = config.modelType;
  const d = config.hiddenSize;
  const f = config.intermediateSize;
  const out: ParamShapes = new Map();
  const e = embeddingParamNames(t);
  out.set(e.word, [config.vocabSize, d]);
  out.set(e.position, [config.maxPositionEmbeddings, d]);
  out.set(e.tokenType, [config.typeVocabSize, d]);
  out.set(e.ln.weight, [d]);
  out.set(e.ln.bias, [d]);
  for (let i = 0; i < config.numLayers; i++) {
    const n = layerParamNames(t, i);
    for (const lin of [n.query, n.key, n.value, n.attnOut]) {
      out.set(lin.weight, [d, d]);
      out.set(lin.bias, [d]);
    }
    out.set(n.ln1.weight, [d]);
    out.set(n.ln1.bias, [d]);
    out.set(n.ffnIn.weight, [f, d]);
    out.set(n.ffnIn.bias, [f]);
    out.set(n.ffnOut.weight, [d, f]);
    out.set(n.ffnOut.bias, [d]);
    out.set(n.ln2.weight, [d]);
    out.set(n.ln2.bias, [d]);
  }
  if (config.layerNormPlacement === 'pre') {
    const fl = finalLayerNormNames(t);
    out.set(fl.weight, [d]);
    out.set(fl.bias, [d]);
  }
  if (head === 'mlm') {
    const h = mlmHeadNames(t);
    out.set(h.dense.weight, [d, d]);
    out.set(h.dense.bias, [d]);
    out.set(h.ln.weight, [d]);
    out.set(h.ln.bias, [d]);
    out.set(h.bias, [config.vocabSize]);
  } else if (head === 'classifier') {
    const h = classifierHeadNames(t);
    const labels = config.numLabels ?? 0;
    out.set(h.first.weight, [d, d]);
    out.set(h.first.bias, [d]);
    out.set(h.out.weight, [labels, d]);
    out.set(h.out.bias, [labels]);
  }
  return out;
}

/** The canonical parameter names of `config` with `head`, in order (see {@link expectedParams}). */
export function paramNames(config: EncoderConfig, head?: HeadKind): string[] {
  return [...expectedParams(config, head).keys()];
}
