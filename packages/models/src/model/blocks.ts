/**
 * The parts of the encoder forward pass (ALGORITHMS.md, "The transformer"), each a public function so
 * that a caller can run the model unit by unit — embeddings, one encoder layer, the final LayerNorm,
 * a head — with only that unit's parameters in memory (a streaming merge reads one layer of each
 * checkpoint at a time). `forward` is built from exactly these functions, so the two cannot drift.
 *
 * Conventions: activations are 2-D `[B·T, features]` (row `b·T + t`); a function never disposes its
 * input `x` (the caller owns it) and returns a fresh tensor the caller owns; intermediates are released
 * by `ctx.releaser`; parameters are looked up by their Hugging Face names in `params`, which needs to
 * hold only the unit's parameters (a missing one is a `ParamMismatchError` naming it).
 */
import { type Tensor, add, gather, matmul, tanh, tensor } from '@symfuse/tensor';
import { ModelInputError } from './errors.js';
import type { ForwardContext } from './forward-context.js';
import { activate, layerNormNamed, linear, param, selfAttentionContext } from './layers.js';
import { classifierHeadNames, embeddingParamNames, finalLayerNormNames, layerParamNames, mlmHeadNames } from './names.js';
import { TapSites } from './taps.js';
import type { ParamMap } from './types.js';

function upload(ctx: ForwardContext, a: Int32Array): Tensor {
  return tensor(a, [a.length], { backend: ctx.backend });
}

/**
 * Embeddings: `LN_emb(E_word[ids] + E_type[types] + E_pos[pos])` → `[B·T, d]`, tapped at
 * `embeddings.output`. Needs the word, position and token-type embeddings and the embedding LayerNorm.
 */
export function embedTokens(params: ParamMap, ctx: ForwardContext): Tensor {
  const { prep, releaser: r, config } = ctx;
  const e = embeddingParamNames(config.modelType);
  const idx = [upload(ctx, prep.ids), upload(ctx, prep.typeIds), upload(ctx, prep.positions)];
  const word = gather(param(params, e.word), idx[0], 0);
  const type = gather(param(params, e.tokenType), idx[1], 0);
  const pos = gather(param(params, e.position), idx[2], 0);
  r.release(...idx);
  // Same summation order as HF: (word + type) + position.
  const s1 = add(word, type);
  r.release(word, type);
  const s2 = add(s1, pos);
  r.release(s1, pos);
  const out = layerNormNamed(s2, params, e.ln, config.layerNormEps);
  r.release(s2);
  ctx.taps.emit([TapSites.embeddingsOutput], out);
  return out;
}

/**
 * Encoder layer `l` on `x` `[B·T, d]` → `[B·T, d]`, post-LN or pre-LN as the config says, with its
 * taps (the Q/K/V input, the head contexts, x_a, the W_1 input, the FFN activation, the output).
 * Needs layer `l`'s parameters only (`layerParamNames(modelType, l)`).
 */
export function encoderLayer(params: ParamMap, l: number, x: Tensor, ctx: ForwardContext): Tensor {
  if (!Number.isInteger(l) || l < 0 || l >= ctx.config.numLayers) {
    throw new ModelInputError('layer', `is ${l}; expected an integer in [0, numLayers=${ctx.config.numLayers})`);
  }
  return ctx.config.layerNormPlacement === 'post' ? postLnLayer(params, l, x, ctx) : preLnLayer(params, l, x, ctx);
}

/** Post-LN (BERT): x_a = LN₁(x + W_O ctx + b_O), x_f = LN₂(x_a + W_2 act(W_1 x_a + b_1) + b_2). */
function postLnLayer(params: ParamMap, l: number, x: Tensor, ctx: ForwardContext): Tensor {
  const { config, releaser: r, taps } = ctx;
  const n = layerParamNames(config.modelType, l);
  taps.emit([TapSites.linearInput(n.query.weight)], x);
  const c = selfAttentionContext(x, params, n, ctx.mask, ctx.dims, r);
  taps.emit([TapSites.attentionContext(l), TapSites.linearInput(n.attnOut.weight)], c);
  const o = linear(c, param(params, n.attnOut.weight), param(params, n.attnOut.bias), r);
  r.release(c);
  const s = add(o, x);
  r.release(o);
  const xa = layerNormNamed(s, params, n.ln1, config.layerNormEps);
  r.release(s);
  taps.emit([TapSites.attentionResidual(l), TapSites.linearInput(n.ffnIn.weight)], xa);
  const f = ffn(params, l, xa, ctx);
  const s2 = add(f, xa);
  r.release(f, xa);
  const xf = layerNormNamed(s2, params, n.ln2, config.layerNormEps);
  r.release(s2);
  taps.emit([TapSites.layerOutput(l)], xf);
  return xf;
}

/** Pre-LN: x_a = x + W_O MHA(LN₁(x)) + b_O, x_f = x_a + W_2 act(W_1 LN₂(x_a) + b_1) + b_2. */
function preLnLayer(params: ParamMap, l: number, x: Tensor, ctx: ForwardContext): Tensor {
  const { config, releaser: r, taps } = ctx;
  const n = layerParamNames(config.modelType, l);
  const u = layerNormNamed(x, params, n.ln1, config.layerNormEps);
  taps.emit([TapSites.linearInput(n.query.weight)], u);
  const c = selfAttentionContext(u, params, n, ctx.mask, ctx.dims, r);
  r.release(u);
  taps.emit([TapSites.attentionContext(l), TapSites.linearInput(n.attnOut.weight)], c);
  const o = linear(c, param(params, n.attnOut.weight), param(params, n.attnOut.bias), r);
  r.release(c);
  const xa = add(x, o);
  r.release(o);
  taps.emit([TapSites.attentionResidual(l)], xa);
  const v = layerNormNamed(xa, params, n.ln2, config.layerNormEps);
  taps.emit([TapSites.linearInput(n.ffnIn.weight)], v);
  const f = ffn(params, l, v, ctx);
  r.release(v);
  const xf = add(xa, f);
  r.release(xa, f);
  taps.emit([TapSites.layerOutput(l)], xf);
  return xf;
}

/** `W_2 act(W_1 u + b_1) + b_2`, tapping the activation (the input of W_2). */
function ffn(params: ParamMap, l: number, u: Tensor, ctx: ForwardContext): Tensor {
  const { config, releaser: r, taps } = ctx;
  const n = layerParamNames(config.modelType, l);
  const h = linear(u, param(params, n.ffnIn.weight), param(params, n.ffnIn.bias), r);
  const a = activate(h, config.hiddenAct);
  r.release(h);
  taps.emit([TapSites.ffnActivation(l), TapSites.linearInput(n.ffnOut.weight)], a);
  const out = linear(a, param(params, n.ffnOut.weight), param(params, n.ffnOut.bias), r);
  r.release(a);
  return out;
}

/**
 * The end of the encoder: the final LayerNorm of pre-LN models (`finalLayerNormNames`), then the
 * `encoder.output` tap. Returns the final hidden states `[B·T, d]`: `x` itself for post-LN (nothing to
 * apply), else a fresh tensor (the caller still owns `x`).
 */
export function encoderOutput(params: ParamMap, x: Tensor, ctx: ForwardContext): Tensor {
  const { config } = ctx;
  const y = config.layerNormPlacement === 'pre' ? layerNormNamed(x, params, finalLayerNormNames(config.modelType), config.layerNormEps) : x;
  ctx.taps.emit([TapSites.encoderOutput], y);
  return y;
}

function checkRows(rows: Int32Array | readonly number[], total: number): Int32Array {
  const out = rows instanceof Int32Array ? rows : Int32Array.from(rows);
  for (let i = 0; i < out.length; i++) {
    if (!(out[i] >= 0 && out[i] < total) || out[i] !== rows[i]) {
      throw new ModelInputError('mlmRows', `entry ${i} is ${rows[i]}; expected an integer row index in [0, batch·seqLen=${total})`);
    }
  }
  return out;
}

/**
 * MLM head on the final hidden states `x` `[B·T, d]`: `t = LN_h(act(W_t x + b_t))`,
 * `logits = t E_wordᵀ + b_dec` (decoder tied to the word embeddings, so `params` needs the word
 * embeddings besides the head). BERT's transform uses the config's activation; RoBERTa's `lm_head`
 * always uses exact GELU. With `rows` (flat `b·T + t`) the logits are `[rows.length, V]` at those rows
 * only, else `[B, T, V]`.
 */
export function mlmHead(params: ParamMap, x: Tensor, ctx: ForwardContext, rows?: Int32Array | readonly number[]): Tensor {
  const { config, releaser: r, taps, prep } = ctx;
  const h = mlmHeadNames(config.modelType);
  let sel = x;
  let positions = taps.allPositions;
  if (rows) {
    positions = checkRows(rows, prep.batch * prep.seqLen);
    const idx = upload(ctx, positions);
    sel = gather(x, idx, 0);
    r.release(idx);
  }
  taps.emit([TapSites.linearInput(h.dense.weight)], sel, positions);
  const d = linear(sel, param(params, h.dense.weight), param(params, h.dense.bias), r);
  if (sel !== x) r.release(sel);
  const a = activate(d, config.modelType === 'roberta' ? 'gelu' : config.hiddenAct);
  r.release(d);
  const t = layerNormNamed(a, params, h.ln, config.layerNormEps);
  r.release(a);
  taps.emit([TapSites.linearInput(h.decoderWeight)], t, positions);
  const word = param(params, embeddingParamNames(config.modelType).word);
  const z = matmul(t, word, { transB: true });
  r.release(t);
  const logits = add(z, param(params, h.bias));
  r.release(z);
  if (rows) return logits;
  const shaped = logits.reshape([prep.batch, prep.seqLen, config.vocabSize]);
  r.release(logits);
  return shaped;
}

/**
 * Classifier head on the first token of each sequence ([CLS] / `<s>`) of `x` `[B·T, d]`: BERT
 * `logits = W_c tanh(W_p x + b_p) + b_c` (pooler + classifier), RoBERTa the same shape with
 * `classifier.dense` and `classifier.out_proj`. Returns the logits `[B, numLabels]` and the pooled
 * features `[B, d]` (both owned by the caller).
 */
export function classifierHead(params: ParamMap, x: Tensor, ctx: ForwardContext): { logits: Tensor; pooled: Tensor } {
  const { config, releaser: r, taps, prep } = ctx;
  const h = classifierHeadNames(config.modelType);
  const positions = new Int32Array(prep.batch);
  for (let b = 0; b < prep.batch; b++) positions[b] = b * prep.seqLen;
  const idx = upload(ctx, positions);
  const first = gather(x, idx, 0);
  r.release(idx);
  taps.emit([TapSites.linearInput(h.first.weight)], first, positions);
  const p = linear(first, param(params, h.first.weight), param(params, h.first.bias), r);
  r.release(first);
  const pooled = tanh(p);
  r.release(p);
  taps.emit([TapSites.linearInput(h.out.weight)], pooled, positions);
  const logits = linear(pooled, param(params, h.out.weight), param(params, h.out.bias), r);
  return { logits, pooled };
}
