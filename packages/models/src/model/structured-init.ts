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
 * - **positional heads**: the first layer's heads start out attending to one fixed offset each
 *   (δ = −1, +1, −2, +2 by default): position embeddings are sinusoids confined to a head's worth of
 *   residual dimensions (word embeddings are zero there), and each head's `W_Q` rotates them by δ
 *   (`P_{i+δ} = R(δ) P_i` for sinusoids), so `q_i·k_j ∝ Σ_k cos((i + δ − j) ω_k)` peaks at j = i + δ.
 *   Which residual dimensions carry positions and which head gets which offset are drawn from `seed`,
 *   so models of different seeds differ by a permutation of the residual stream and of the heads —
 *   the symmetries the aligners undo — not by construction. fixtures/TRAINING-NOTES.md has what it did
 *   to the plateau.
 */
import { Rng, type Tensor, fromHost } from '@symfuse/tensor';
import { embeddingParamNames, layerParamNames } from './names.js';
import type { EncoderConfig, EncoderModelType, ParamMap } from './types.js';

/** Options of {@link applyStructuredInit}. Each part is off when its field is absent. */
export interface StructuredInitOptions {
  /** Position embeddings := `amplitude ·` sinusoids (row p, column 2i: sin(p·ω_i), 2i+1: cos(p·ω_i), ω_i = 10000^(−2i/d)). */
  readonly sinusoidalPositions?: { readonly amplitude: number };
  /** `W_Q += scale·I`, `W_K += scale·I` in every layer (needs square `[d, d]` projections). */
  readonly mimeticAttention?: { readonly scale: number };
  /** Heads that attend to fixed offsets from the first step (see the module comment). */
  readonly positionalHeads?: PositionalHeadsOptions;
}

/** Options of the positional-heads initialisation. */
export interface PositionalHeadsOptions {
  /** One offset per head (heads beyond the list keep their random init). Default `[-1, 1, -2, 2]`. */
  readonly offsets?: readonly number[];
  /** Amplitude of the positional sinusoids in the position embeddings. Default 1. */
  readonly amplitude?: number;
  /** Scale of the positional parts of `W_Q` and `W_K` (the attention's sharpness). Default 0.8. */
  readonly scale?: number;
  /** How many layers from the first get positional heads. Default 1. */
  readonly layers?: number;
  /** Draws the residual dimensions that carry positions and the offset of each head. */
  readonly seed: number;
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
  if (options.positionalHeads) applyPositionalHeads(config, params, out, options.positionalHeads);
  return out;
}

function applyPositionalHeads(config: EncoderConfig, params: ParamMap, out: Map<string, Tensor>, o: PositionalHeadsOptions): void {
  const type = config.modelType as EncoderModelType;
  const d = config.hiddenSize;
  const heads = config.numHeads;
  const dh = d / heads;
  const freqs = dh >> 1;
  if (!Number.isInteger(dh) || freqs === 0) throw new Error(`applyStructuredInit: positionalHeads needs heads of at least 2 dimensions; got hidden ${d} over ${heads} heads`);
  const offsets = o.offsets ?? [-1, 1, -2, 2];
  const amplitude = o.amplitude ?? 1;
  const scale = o.scale ?? 0.8;
  const layers = Math.min(o.layers ?? 1, config.numLayers);
  const rng = new Rng(o.seed);
  const dims = shuffled(d, rng).slice(0, 2 * freqs);
  const headOrder = shuffled(heads, rng);
  const positions = config.maxPositionEmbeddings;
  const omega = positionalFrequencies(freqs, positions);
  const names = embeddingParamNames(type);
  const pe = need(params, names.position, [positions, d]);
  const pos = new Float32Array(positions * d);
  for (let p = 0; p < positions; p++) {
    for (let k = 0; k < freqs; k++) {
      pos[p * d + dims[2 * k]] = amplitude * Math.sin(p * omega[k]);
      pos[p * d + dims[2 * k + 1]] = amplitude * Math.cos(p * omega[k]);
    }
  }
  out.set(names.position, fromHost(pos, [positions, d], pe.backend));
  // Word embeddings leave the positional dimensions to the positions.
  const we = need(params, names.word, [config.vocabSize, d]);
  const words = Float32Array.from(we.dataSync());
  for (let v = 0; v < config.vocabSize; v++) for (const c of dims) words[v * d + c] = 0;
  out.set(names.word, fromHost(words, [config.vocabSize, d], we.backend));
  for (let l = 0; l < layers; l++) {
    const n = layerParamNames(type, l);
    const wq = Float32Array.from(need(params, n.query.weight, [d, d]).dataSync());
    const wk = Float32Array.from(need(params, n.key.weight, [d, d]).dataSync());
    for (let h = 0; h < heads; h++) {
      const delta = offsets[headOrder[h]];
      if (delta === undefined) continue;
      const row0 = h * dh;
      wq.fill(0, row0 * d, (row0 + dh) * d);
      wk.fill(0, row0 * d, (row0 + dh) * d);
      for (let k = 0; k < freqs; k++) {
        const [sinRow, cosRow] = [(row0 + 2 * k) * d, (row0 + 2 * k + 1) * d];
        const [sinDim, cosDim] = [dims[2 * k], dims[2 * k + 1]];
        const c = Math.cos(delta * omega[k]);
        const sn = Math.sin(delta * omega[k]);
        // q = R(δ)·(sin iω, cos iω) = (sin (i+δ)ω, cos (i+δ)ω); k = (sin jω, cos jω).
        wq[sinRow + sinDim] = scale * c;
        wq[sinRow + cosDim] = scale * sn;
        wq[cosRow + cosDim] = scale * c;
        wq[cosRow + sinDim] = -scale * sn;
        wk[sinRow + sinDim] = scale;
        wk[cosRow + cosDim] = scale;
      }
    }
    const qb = params.get(n.query.weight)!.backend;
    out.set(n.query.weight, fromHost(wq, [d, d], qb));
    out.set(n.key.weight, fromHost(wk, [d, d], qb));
  }
}

/** A seeded Fisher–Yates permutation of `0…n−1`. */
function shuffled(n: number, rng: Rng): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/**
 * `count` frequencies in (0.05, 3.1) for which `Σ_k cos(Δ·ω_k)` at Δ = 0 (value `count`) stands
 * furthest above its largest value over Δ = 1…positions−1, so a head's score has one clear peak: the
 * best of 4000 seeded random draws (deterministic). For 8 frequencies and 128 positions the largest
 * side lobe is ≈ 3.3 against 8.
 */
export function positionalFrequencies(count: number, positions: number): Float64Array {
  const rng = new Rng(0x706f73);
  let best = new Float64Array(count);
  let bestLobe = Infinity;
  const draw = new Float64Array(count);
  for (let trial = 0; trial < 4000; trial++) {
    for (let k = 0; k < count; k++) draw[k] = 0.05 + 3.05 * rng.uniform();
    let lobe = -Infinity;
    for (let delta = 1; delta < positions && lobe < bestLobe; delta++) {
      let s = 0;
      for (let k = 0; k < count; k++) s += Math.cos(delta * draw[k]);
      if (s > lobe) lobe = s;
    }
    if (lobe < bestLobe) {
      bestLobe = lobe;
      best = draw.slice().sort();
    }
  }
  return best;
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
