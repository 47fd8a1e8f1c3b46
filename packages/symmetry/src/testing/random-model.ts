/**
 * Random encoder models for tests: every parameter random and non-degenerate (biases, LayerNorm γ and
 * β included), so that a transform which mishandles any parameter changes the outputs.
 */
import { type EncoderConfig, expectedParams, type HeadKind, resolveHead } from '@symfuse/models';
import { fromHost, Rng, type Tensor } from '@symfuse/tensor';
import type { ModelWeights } from '../interfaces.js';

/** Options of {@link randomEncoderModel}. */
export interface RandomModelOptions {
  readonly seed: number;
  /** Default: from the config (`architectures`), else `none`. */
  readonly head?: HeadKind;
  /** Default `f32`. */
  readonly dtype?: 'f32' | 'f64';
  /** Weight scale: weights are N(0, gain²/fan_in) (default 1). */
  readonly gain?: number;
}

/**
 * A model with random parameters: linear weights N(0, gain²/fan_in), biases N(0, 0.1²), embeddings
 * N(0, 1), LayerNorm γ = 1 + N(0, 0.2²) and β = N(0, 0.1²). Deterministic in `seed`.
 */
export function randomEncoderModel(config: EncoderConfig, options: RandomModelOptions): ModelWeights<EncoderConfig> & { head: HeadKind } {
  const head = options.head ?? resolveHead(config);
  const rng = new Rng(options.seed);
  const gain = options.gain ?? 1;
  const params = new Map<string, Tensor>();
  for (const [name, shape] of expectedParams(config, head)) {
    const r = rng.fork(name);
    const size = shape.reduce((a, b) => a * b, 1);
    const data = options.dtype === 'f64' ? new Float64Array(size) : new Float32Array(size);
    let mean = 0;
    let std: number;
    if (name.includes('embeddings')) std = 1;
    else if (/layer_?norm/i.test(name) || name.includes('LayerNorm')) {
      const isGamma = name.endsWith('.weight');
      mean = isGamma ? 1 : 0;
      std = isGamma ? 0.2 : 0.1;
    } else if (shape.length === 2) std = gain / Math.sqrt(shape[1]);
    else std = 0.1;
    for (let i = 0; i < size; i++) data[i] = mean + std * r.normal();
    params.set(name, fromHost(data, shape));
  }
  return { config, params, head, id: `random-${options.seed}` };
}

/** A small valid encoder config (override any field). */
export function smallEncoderConfig(overrides: Partial<EncoderConfig> = {}): EncoderConfig {
  return {
    modelType: 'bert',
    hiddenSize: 16,
    numLayers: 2,
    numHeads: 4,
    intermediateSize: 24,
    hiddenAct: 'gelu',
    layerNormEps: 1e-5,
    layerNormPlacement: 'post',
    vocabSize: 23,
    maxPositionEmbeddings: 16,
    typeVocabSize: 2,
    padTokenId: 1,
    numLabels: 3,
    ...overrides,
  };
}
