/**
 * Structured initialisations that shorten the masked-LM "unigram plateau" of small encoders, applied
 * on top of {@link initParams} (the layout and parameter names stay BERT's; only starting values
 * change):
 * - **sinusoidal positions**: the learned position embeddings start as the sinusoids of Vaswani et
 *   al. 2017 (scaled by `amplitude`), so nearby positions start with similar embeddings;
 * - **mimetic attention** (Trockman & Kolter 2023, "Mimetic initialization of self-attention
 *   layers"): `W_Q` and `W_K` get `scale·I` added, so `W_Q W_Kᵀ ≈ scale²·I` and each head's score
 *   `q_i·k_j` starts as the similarity of the two tokens' inputs.
 * Together, every head starts out attending to the neighbourhood of its own position (each head sees
 * a different band of sinusoid frequencies, so a different width). A masked token's only evidence is
 * its context; with random positions and near-uniform attention, a small model first has to discover
 * locality before it can beat the unigram distribution, which measured here took longer than a
 * 20-minute CPU budget allows.
 */
import { type Tensor, fromHost } from '@symfuse/tensor';
import { embeddingParamNames, layerParamNames } from './names.js';
import type { EncoderConfig, EncoderModelType, ParamMap } from './types.js';

/** Options of {@link applyStructuredInit}. Each part is off when its field is absent. */
export interface StructuredInitOptions {
  /** Position embeddings := `amplitude ·` sinusoids (row p, column 2i: sin(p·ω_i), 2i+1: cos(p·ω_i), ω_i = 10000^(−2i/d)). */
  readonly sinusoidalPositions?: { readonly amplitude: number };
  /** `W_Q += scale·I`, `W_K += scale·I` in every layer (needs square `[d, d]` projections). */
  readonly mimeticAttention?: { readonly scale: number };
}

/**
 * Returns a copy of `params` with the structured parts of `options` applied (the input map and its
 * tensors are left as they are; untouched tensors are shared).
 * @throws Error when a parameter the option needs is missing or has an unexpected shape.
 */
export function applyStructuredInit(config: EncoderConfig, params: ParamMap, options: StructuredInitOptions): ParamMap {
  const out: ParamMap = new Map(params);
  const type = config.modelType as EncoderModelType;
  const d = config.hiddenSize;
  if (options.sinusoidalPositions) {
    const name = embeddingParamNames(type).position;
    const p = need(params, name, [config.maxPositionEmbeddings, d]);
    out.set(name, fromHost(sinusoids(p.shape[0], d, options.sinusoidalPositions.amplitude), [p.shape[0], d], p.backend));
  }
  if (options.mimeticAttention) {
    const s = options.mimeticAttention.scale;
    for (let l = 0; l < config.numLayers; l++) {
      const names = layerParamNames(type, l);
      for (const name of [names.query.weight, names.key.weight]) {
        const w = need(params, name, [d, d]);
        const host = Float32Array.from(w.dataSync());
        for (let i = 0; i < d; i++) host[i * d + i] += s;
        out.set(name, fromHost(host, [d, d], w.backend));
      }
    }
  }
  return out;
}

/** `[positions, d]` sinusoids times `amplitude` (the Transformer's fixed position encoding). */
export function sinusoids(positions: number, d: number, amplitude: number): Float32Array {
  const out = new Float32Array(positions * d);
  for (let p = 0; p < positions; p++) {
    for (let i = 0; 2 * i < d; i++) {
      const w = Math.pow(10000, (-2 * i) / d);
      out[p * d + 2 * i] = amplitude * Math.sin(p * w);
      if (2 * i + 1 < d) out[p * d + 2 * i + 1] = amplitude * Math.cos(p * w);
    }
  }
  return out;
}

function need(params: ParamMap, name: string, shape: readonly number[]): Tensor {
  const t = params.get(name);
  if (!t) throw new Error(`applyStructuredInit: parameter '${name}' is missing`);
  if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
    throw new Error(`applyStructuredInit: parameter '${name}' has shape [${t.shape.join(', ')}]; expected [${shape.join(', ')}]`);
  }
  return t;
}
