/**
 * The forward pass of the encoder family (ALGORITHMS.md, "The transformer"): embeddings, L encoder
 * layers (post-LN or pre-LN), optional final LayerNorm (pre-LN) and a head (MLM or classifier).
 * Only tensor ops are used, so it runs on the backend the parameters live on; ids, masks and
 * positions are prepared on the host and uploaded there.
 */
import { type Backend, type DType, type Tensor, add, gather, matmul, setKernelObserver, tanh, tensor } from '@symfuse/tensor';
import { checkParams } from './check-params.js';
import { ModelInputError } from './errors.js';
import { type BatchTensors, type PreparedBatch, prepareBatch } from './inputs.js';
import { type Dims, Releaser, activate, layerNormNamed, linear, param, selfAttentionContext } from './layers.js';
import { classifierHeadNames, embeddingParamNames, finalLayerNormNames, layerParamNames, mlmHeadNames } from './names.js';
import { resolveHead } from './resolve-head.js';
import { TapEmitter, type TapCollector, TapSites } from './taps.js';
import type { EncoderBatch, EncoderModel, HeadKind, ParamMap } from './types.js';
import { type ValidConfig, validateConfig } from './validate-config.js';

/** Options of {@link forward}. */
export interface ForwardOptions {
  /** Head to run (default: the model's, see `resolveHead`); `none` returns `hidden` only. */
  head?: HeadKind;
  /** Activation collector (see `taps.ts`); only the sites it wants are materialised. */
  taps?: TapCollector;
  /**
   * MLM only: flat row indices `b·seqLen + t` at which to compute logits; `logits` is then
   * `[rows.length, V]` in this order instead of `[B, T, V]` (the vocabulary projection dominates
   * the cost, and training needs it only at masked positions).
   */
  mlmRows?: Int32Array | readonly number[];
  /**
   * Keep every intermediate tensor alive (for an autograd tape that reads them in the backward
   * pass). Default: kept while a kernel observer (e.g. `valueAndGrad`'s tape) is installed,
   * otherwise disposed as soon as they are consumed (what bounds device memory).
   */
  keepIntermediates?: boolean;
}

/** Output of {@link forward}. */
export interface ForwardResult {
  /** Final hidden states `[B, T, d]` (after the final LayerNorm for pre-LN). */
  readonly hidden: Tensor;
  /**
   * MLM: `[B, T, V]`, or `[rows, V]` with `mlmRows`; classifier: `[B, numLabels]`; absent for `none`.
   */
  readonly logits?: Tensor;
  /** Classifier: `tanh(W_first x_first + b)`, `[B, d]` (BERT's pooler output). */
  readonly pooled?: Tensor;
  /** The head that ran. */
  readonly head: HeadKind;
}

interface Ctx {
  readonly config: ValidConfig;
  readonly head: HeadKind;
  readonly dtype: DType;
  readonly params: ParamMap;
  readonly backend: Backend;
  readonly dims: Dims;
  readonly prep: PreparedBatch;
  readonly taps: TapEmitter;
  readonly r: Releaser;
}

/**
 * Runs the encoder and its head on a batch.
 * @param model `{config, params, head?}` with parameters under HF names (see `expectedParams`).
 * @param batch ids (and optional mask `[B·T]` 1/0 and token types) as host arrays or CPU tensors.
 * @throws UnsupportedConfigError, ParamMismatchError or ModelInputError naming what is wrong.
 */
export function forward(model: EncoderModel, batch: EncoderBatch | BatchTensors, options: ForwardOptions = {}): ForwardResult {
  const head = resolveHead(model.config, model.params.keys(), options.head ?? model.head);
  const config = validateConfig(model.config, head);
  const { backend, dtype } = checkParams(config, head, model.params);
  const prep = prepareBatch(config, batch);
  if (options.mlmRows && head !== 'mlm') {
    throw new ModelInputError('mlmRows', `was given but the head is '${head}'; it applies to the 'mlm' head only`);
  }
  const dims: Dims = {
    batch: prep.batch,
    seqLen: prep.seqLen,
    heads: config.numHeads,
    headDim: config.hiddenSize / config.numHeads,
  };
  const r = new Releaser(options.keepIntermediates ?? isRecording());
  const taps = new TapEmitter(options.taps, prep.mask, prep.batch, prep.seqLen);
  const ctx: Ctx = { config, head, params: model.params, backend, dtype, dims, prep, taps, r };

  try {
    return run(ctx, options.mlmRows);
  } finally {
    ctx.taps.dispose();
  }
}

function run(ctx: Ctx, mlmRows: ForwardOptions['mlmRows']): ForwardResult {
  const { config, params, prep, r, backend, head } = ctx;
  const maskT = prep.mask ? tensor(Float32Array.from(prep.mask), [prep.batch, prep.seqLen], { backend, dtype: ctx.dtype }) : undefined;
  let x = embed(ctx);
  ctx.taps.emit([TapSites.embeddingsOutput], x);
  for (let l = 0; l < config.numLayers; l++) {
    const next = config.layerNormPlacement === 'post' ? postLnLayer(ctx, l, x, maskT) : preLnLayer(ctx, l, x, maskT);
    r.release(x);
    x = next;
  }
  r.release(maskT);
  if (config.layerNormPlacement === 'pre') {
    const y = layerNormNamed(x, params, finalLayerNormNames(config.modelType), config.layerNormEps);
    r.release(x);
    x = y;
  }
  ctx.taps.emit([TapSites.encoderOutput], x);
  const hidden = x.reshape([prep.batch, prep.seqLen, config.hiddenSize]);
  let result: ForwardResult = { hidden, head };
  if (head === 'mlm') result = { ...result, logits: mlmHead(ctx, x, mlmRows) };
  else if (head === 'classifier') result = { ...result, ...classifierHead(ctx, x) };
  r.release(x); // `hidden` is a view that keeps the storage alive
  return result;
}

/** Forward with MLM logits only at `rows` (flat `b·seqLen + t`): `logits` is `[rows.length, V]`. */
export function forwardMlmAt(
  model: EncoderModel,
  batch: EncoderBatch | BatchTensors,
  rows: Int32Array | readonly number[],
  options: Omit<ForwardOptions, 'mlmRows' | 'head'> = {},
): ForwardResult {
  return forward(model, batch, { ...options, head: 'mlm', mlmRows: rows });
}

/** True while some kernel observer (an autograd tape) records ops and may read intermediates later. */
function isRecording(): boolean {
  const current = setKernelObserver(undefined);
  setKernelObserver(current);
  return current !== undefined;
}

function upload(ctx: Ctx, a: Int32Array): Tensor {
  return tensor(a, [a.length], { backend: ctx.backend });
}

/** `LN_emb(E_word[ids] + E_type[types] + E_pos[pos])` → `[B·T, d]`. */
function embed(ctx: Ctx): Tensor {
  const { params, prep, r, config } = ctx;
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
  return out;
}

/** Post-LN (BERT): x_a = LN₁(x + W_O ctx + b_O), x_f = LN₂(x_a + W_2 act(W_1 x_a + b_1) + b_2). */
function postLnLayer(ctx: Ctx, l: number, x: Tensor, mask: Tensor | undefined): Tensor {
  const { params, config, r, taps } = ctx;
  const n = layerParamNames(config.modelType, l);
  taps.emit([TapSites.linearInput(n.query.weight)], x);
  const c = selfAttentionContext(x, params, n, mask, ctx.dims, r);
  taps.emit([TapSites.attentionContext(l), TapSites.linearInput(n.attnOut.weight)], c);
  const o = linear(c, param(params, n.attnOut.weight), param(params, n.attnOut.bias), r);
  r.release(c);
  const s = add(o, x);
  r.release(o);
  const xa = layerNormNamed(s, params, n.ln1, config.layerNormEps);
  r.release(s);
  taps.emit([TapSites.attentionResidual(l), TapSites.linearInput(n.ffnIn.weight)], xa);
  const f = ffn(ctx, l, xa);
  const s2 = add(f, xa);
  r.release(f, xa);
  const xf = layerNormNamed(s2, params, n.ln2, config.layerNormEps);
  r.release(s2);
  taps.emit([TapSites.layerOutput(l)], xf);
  return xf;
}

/** Pre-LN: x_a = x + W_O MHA(LN₁(x)) + b_O, x_f = x_a + W_2 act(W_1 LN₂(x_a) + b_1) + b_2. */
function preLnLayer(ctx: Ctx, l: number, x: Tensor, mask: Tensor | undefined): Tensor {
  const { params, config, r, taps } = ctx;
  const n = layerParamNames(config.modelType, l);
  const u = layerNormNamed(x, params, n.ln1, config.layerNormEps);
  taps.emit([TapSites.linearInput(n.query.weight)], u);
  const c = selfAttentionContext(u, params, n, mask, ctx.dims, r);
  r.release(u);
  taps.emit([TapSites.attentionContext(l), TapSites.linearInput(n.attnOut.weight)], c);
  const o = linear(c, param(params, n.attnOut.weight), param(params, n.attnOut.bias), r);
  r.release(c);
  const xa = add(x, o);
  r.release(o);
  taps.emit([TapSites.attentionResidual(l)], xa);
  const v = layerNormNamed(xa, params, n.ln2, config.layerNormEps);
  taps.emit([TapSites.linearInput(n.ffnIn.weight)], v);
  const f = ffn(ctx, l, v);
  r.release(v);
  const xf = add(xa, f);
  r.release(xa, f);
  taps.emit([TapSites.layerOutput(l)], xf);
  return xf;
}

/** `W_2 act(W_1 u + b_1) + b_2`, tapping the activation (the input of W_2). */
function ffn(ctx: Ctx, l: number, u: Tensor): Tensor {
  const { params, config, r, taps } = ctx;
  const n = layerParamNames(config.modelType, l);
  const h = linear(u, param(params, n.ffnIn.weight), param(params, n.ffnIn.bias), r);
  const a = activate(h, config.hiddenAct);
  r.release(h);
  taps.emit([TapSites.ffnActivation(l), TapSites.linearInput(n.ffnOut.weight)], a);
  const out = linear(a, param(params, n.ffnOut.weight), param(params, n.ffnOut.bias), r);
  r.release(a);
  return out;
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
 * MLM head: `t = LN_h(act(W_t x + b_t))`, `logits = t E_wordᵀ + b_dec` (decoder tied to the word
 * embeddings). BERT's transform uses the config's activation; RoBERTa's `lm_head` always uses exact GELU.
 */
function mlmHead(ctx: Ctx, x: Tensor, rows: Int32Array | readonly number[] | undefined): Tensor {
  const { params, config, r, taps, prep } = ctx;
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
 * Classifier head on the first token of each sequence ([CLS] / `<s>`): BERT `logits = W_c tanh(W_p x + b_p) + b_c`
 * (pooler + classifier), RoBERTa the same shape with `classifier.dense` and `classifier.out_proj`.
 */
function classifierHead(ctx: Ctx, x: Tensor): { logits: Tensor; pooled: Tensor } {
  const { params, config, r, taps, prep } = ctx;
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
