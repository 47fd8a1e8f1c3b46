/**
 * The forward pass of the encoder family (ALGORITHMS.md, "The transformer"): embeddings, L encoder
 * layers (post-LN or pre-LN), optional final LayerNorm (pre-LN) and a head (MLM or classifier).
 * Only tensor ops are used, so it runs on the backend the parameters live on; ids, masks and
 * positions are prepared on the host and uploaded there. The parts (`embedTokens`, `encoderLayer`,
 * `encoderOutput`, `mlmHead`, `classifierHead` of `blocks.ts`) are public for callers that run the
 * model unit by unit; this file only chains them.
 */
import type { Tensor } from '@symfuse/tensor';
import { classifierHead, embedTokens, encoderLayer, encoderOutput, mlmHead } from './blocks.js';
import { checkParams } from './check-params.js';
import { ModelInputError } from './errors.js';
import { type ForwardContext, createForwardContext } from './forward-context.js';
import type { BatchTensors } from './inputs.js';
import { resolveHead } from './resolve-head.js';
import type { TapCollector } from './taps.js';
import type { EncoderBatch, EncoderModel, HeadKind, ParamMap } from './types.js';
import { validateConfig } from './validate-config.js';

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
  if (options.mlmRows && head !== 'mlm') {
    throw new ModelInputError('mlmRows', `was given but the head is '${head}'; it applies to the 'mlm' head only`);
  }
  const ctx = createForwardContext(config, batch, { backend, dtype: dtype as 'f32' | 'f64', taps: options.taps, keepIntermediates: options.keepIntermediates });
  try {
    return run(model.params, head, ctx, options.mlmRows);
  } finally {
    ctx.dispose();
  }
}

function run(params: ParamMap, head: HeadKind, ctx: ForwardContext, mlmRows: ForwardOptions['mlmRows']): ForwardResult {
  const { config, prep, releaser: r } = ctx;
  let x = embedTokens(params, ctx);
  for (let l = 0; l < config.numLayers; l++) {
    const next = encoderLayer(params, l, x, ctx);
    r.release(x);
    x = next;
  }
  const y = encoderOutput(params, x, ctx);
  if (y !== x) r.release(x);
  x = y;
  const hidden = x.reshape([prep.batch, prep.seqLen, config.hiddenSize]);
  let result: ForwardResult = { hidden, head };
  if (head === 'mlm') result = { ...result, logits: mlmHead(params, x, ctx, mlmRows) };
  else if (head === 'classifier') result = { ...result, ...classifierHead(params, x, ctx) };
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
