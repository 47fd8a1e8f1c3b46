/**
 * Random initialisation of an encoder, as BERT does it (`BertPreTrainedModel._init_weights`):
 * weights and embeddings N(0, 0.02²), biases 0, LayerNorm γ = 1 and β = 0, and the padding rows of
 * the embeddings that have a padding index (word embeddings; RoBERTa's position embeddings) zeroed.
 */
import { type Backend, type DType, type Tensor, fromHost } from '@symfuse/tensor';
import { type InitRng, SeededNormalRng } from './init-rng.js';
import { embeddingParamNames, expectedParams } from './names.js';
import { resolveHead } from './resolve-head.js';
import type { EncoderConfig, HeadKind, ParamMap } from './types.js';
import { type ValidConfig, validateConfig } from './validate-config.js';

/** Options of {@link initParams}. */
export interface InitOptions {
  /** Seed of the default generator (ignored when `rng` is given). Default 0. */
  seed?: number;
  /** Random source, e.g. `new Rng(seed)` of `@symfuse/tensor`. Each parameter draws from `rng.fork(name)`. */
  rng?: InitRng;
  /** Head to create; default: from `config.architectures`, else `none`. */
  head?: HeadKind;
  /** Standard deviation of weights (HF `initializer_range`). Default 0.02. */
  std?: number;
  /** dtype of the parameters: `f32` (default) or `f64`. */
  dtype?: Extract<DType, 'f32' | 'f64'>;
  /** Backend the parameters are created on (default: the default backend). */
  backend?: Backend | string;
}

/**
 * Fresh parameters for `config` (see the module comment). Each parameter draws from its own fork of
 * the generator, labelled by its name, so adding a head does not change the encoder's weights.
 * `seedOrOptions` may be a plain seed.
 * @returns a {@link ParamMap} with exactly the names and shapes of `expectedParams(config, head)`.
 */
export function initParams(config: EncoderConfig, seedOrOptions: InitOptions | number = {}): ParamMap {
  const options = typeof seedOrOptions === 'number' ? { seed: seedOrOptions } : seedOrOptions;
  const head = resolveHead(config, undefined, options.head);
  const cfg = validateConfig(config, head);
  const params: ParamMap = new Map();
  for (const [name, shape] of expectedParams(cfg, head)) params.set(name, initParam(cfg, name, shape, options));
  return params;
}

/**
 * One freshly initialised parameter `name` of `shape` (the rule of {@link initParams}); how loaders
 * fill in parameters a checkpoint lacks (e.g. a new classifier head).
 */
export function initParam(config: ValidConfig, name: string, shape: readonly number[], options: InitOptions = {}): Tensor {
  const rng = options.rng ?? new SeededNormalRng(options.seed ?? 0);
  const std = options.std ?? 0.02;
  const size = shape.reduce((a, b) => a * b, 1);
  const host = (options.dtype ?? 'f32') === 'f64' ? new Float64Array(size) : new Float32Array(size);
  const emb = embeddingParamNames(config.modelType);
  if (/(LayerNorm|layer_norm)\.weight$/.test(name)) host.fill(1);
  else if (name.endsWith('.weight')) {
    rng.fork(name).fillNormal(host, 0, std);
    // Embeddings created with `padding_idx` in HF have their padding row zeroed at init.
    const padded = name === emb.word || (config.modelType === 'roberta' && name === emb.position);
    if (padded && shape.length === 2 && config.padTokenId < shape[0]) {
      host.fill(0, config.padTokenId * shape[1], (config.padTokenId + 1) * shape[1]);
    }
  }
  // Biases (`.bias`, `cls.predictions.bias`, `lm_head.bias`) stay zero.
  return fromHost(host, shape, options.backend);
}
