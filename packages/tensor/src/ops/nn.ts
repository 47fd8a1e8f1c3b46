import { runKernel1 } from '../kernel.js';
import { Attention, LayerNorm } from '../kernels/defs.js';
import type { Tensor } from '../tensor.js';

/** LayerNorm over the last axis: x `[..., d]`, gamma `[d]`, beta `[d]`. */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-12): Tensor {
  return runKernel1(LayerNorm, [x, gamma, beta], { eps });
}

/**
 * Scaled dot-product attention, per batch and head. q, k, v `[B, H, T, dk]`; mask `[B, T]` with
 * 1 for real tokens and 0 for padding. `scale` defaults to `1/√dk`.
 */
export function attention(q: Tensor, k: Tensor, v: Tensor, mask?: Tensor, scale?: number): Tensor {
  const s = scale ?? 1 / Math.sqrt(q.shape[3]);
  return runKernel1(Attention, mask ? [q, k, v, mask] : [q, k, v], { scale: s });
}
