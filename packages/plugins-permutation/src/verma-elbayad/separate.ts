/**
 * The "separate" residual strategy (paper §3.3; NOT a symmetry): one permutation per residual site —
 * the embedding output, and per layer x_a and x_f — instead of one for the whole stream. Each
 * residual-bound parameter takes the permutation of the residual state its axis lives in:
 * - producers: the embeddings and LN_emb → `embeddings.output`; W_O's rows, b_O and (post-LN) LN₁ →
 *   x_a of that layer; W_2's rows, b_2 and (post-LN) LN₂ → x_f of that layer;
 * - consumers: the columns of W_Q, W_K, W_V (and pre-LN LN₁) → the layer's input (the previous x_f, or
 *   the embedding output for layer 0); W_1's columns (and pre-LN LN₂) → x_a; the final LayerNorm and
 *   the head's first dense → the last x_f; with the tied MLM decoder, b_t and LN_h → the embedding
 *   output (the decoder's basis is E_word's).
 * A parameter bound to the stream on two axes (the MLM transform W_t) gets one element for both (per
 * parameter overrides cannot tell axes apart): its input's, the last x_f.
 */
import {
  classifierHeadNames,
  type EncoderConfig,
  type EncoderModelType,
  embeddingParamNames,
  finalLayerNormNames,
  layerParamNames,
  mlmHeadNames,
  TapSites,
} from '@symfuse/models';

/**
 * Param → the residual site whose permutation it takes, for every residual-bound parameter of a
 * BERT-family model with `config`.
 */
export function separateResidualSites(config: EncoderConfig): Map<string, string> {
  const t = config.modelType as EncoderModelType;
  const L = config.numLayers;
  const pre = config.layerNormPlacement === 'pre';
  const out = new Map<string, string>();
  const set = (site: string, ...names: string[]) => {
    for (const n of names) out.set(n, site);
  };
  const e = embeddingParamNames(t);
  set(TapSites.embeddingsOutput, e.word, e.position, e.tokenType, e.ln.weight, e.ln.bias);
  for (let l = 0; l < L; l++) {
    const n = layerParamNames(t, l);
    const input = l === 0 ? TapSites.embeddingsOutput : TapSites.layerOutput(l - 1);
    const xa = TapSites.attentionResidual(l);
    const xf = TapSites.layerOutput(l);
    set(input, n.query.weight, n.key.weight, n.value.weight);
    set(xa, n.attnOut.weight, n.attnOut.bias, n.ffnIn.weight);
    set(xf, n.ffnOut.weight, n.ffnOut.bias);
    set(pre ? input : xa, n.ln1.weight, n.ln1.bias);
    set(pre ? xa : xf, n.ln2.weight, n.ln2.bias);
  }
  const last = L > 0 ? TapSites.layerOutput(L - 1) : TapSites.embeddingsOutput;
  const fl = finalLayerNormNames(t);
  set(last, fl.weight, fl.bias);
  const m = mlmHeadNames(t);
  set(last, m.dense.weight);
  set(TapSites.embeddingsOutput, m.dense.bias, m.ln.weight, m.ln.bias);
  const c = classifierHeadNames(t);
  set(last, c.first.weight);
  return out;
}
