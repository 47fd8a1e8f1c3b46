/**
 * Floating-point operation counts of the end-to-end job's stages (multiply-add = 2 flops; only the
 * matrix products, which dominate — LayerNorm, softmax, GELU and the f64 host loops are left out), so
 * each stage can be reported in GFLOP/s achieved.
 */
import { GRAM_PANEL } from '@symfuse/tensor/gemm';

/** The encoder dimensions the counts need. */
export interface Dims {
  readonly layers: number;
  readonly d: number;
  readonly dff: number;
  readonly vocab: number;
}

/** One encoder layer's products per token at sequence length `seqLen`: Q, K, V, O, the FFN and attention. */
export function layerFlopsPerToken(m: Dims, seqLen: number): number {
  return 8 * m.d * m.d + 4 * m.d * m.dff + 4 * seqLen * m.d;
}

/** A forward pass of the encoder over `tokens` tokens (sequences of `seqLen`), plus the MLM head at `headRows` rows. */
export function forwardFlops(m: Dims, tokens: number, seqLen: number, headRows = 0): number {
  return m.layers * tokens * layerFlopsPerToken(m, seqLen) + headRows * (2 * m.d * m.d + 2 * m.d * m.vocab);
}

/**
 * The correlation statistics of one model pair: both forward passes, and the f64 cross products at
 * every site the collector accumulates (`sites`: widths of the anchor × model features per site).
 */
export function correlationFlops(m: Dims, tokens: number, seqLen: number, siteWidths: readonly number[]): number {
  let cross = 0;
  for (const p of siteWidths) cross += 2 * tokens * p * p;
  return 2 * forwardFlops(m, tokens, seqLen) + cross;
}

/**
 * The Gram products `XᵀX` of one model at every linear input (`gramWidths`), as `gramF32` computes them:
 * only the lower-triangle panels of {@link GRAM_PANEL} rows, `tokens·n·(n + panel)` flops for n > panel.
 */
export function gramProductFlops(tokens: number, gramWidths: readonly number[]): number {
  let g = 0;
  for (const n of gramWidths) g += tokens * n * (n + Math.min(n, GRAM_PANEL));
  return g;
}

/** The Gram statistics of one model collected alone: its forward pass and its Gram products. */
export function gramFlops(m: Dims, tokens: number, seqLen: number, gramWidths: readonly number[]): number {
  return forwardFlops(m, tokens, seqLen) + gramProductFlops(tokens, gramWidths);
}

/**
 * The statistics of the job collected jointly: one forward pass per model, the anchor × model cross
 * products (`siteWidths`) and both models' Gram products.
 */
export function jointStatsFlops(m: Dims, tokens: number, seqLen: number, siteWidths: readonly number[], gramWidths: readonly number[]): number {
  return correlationFlops(m, tokens, seqLen, siteWidths) + 2 * gramProductFlops(tokens, gramWidths);
}

/**
 * RegMean over `models` models for linear weights of shapes `[out, in]`: the products `W_i G̃_i`, the
 * Cholesky factorisation of `Σ G̃_i` and the two triangular solves with `out` right-hand sides.
 */
export function regmeanFlops(shapes: readonly (readonly [number, number])[], models: number): number {
  let f = 0;
  for (const [out, inn] of shapes) f += models * 2 * out * inn * inn + inn ** 3 / 3 + 2 * inn * inn * out;
  return f;
}
