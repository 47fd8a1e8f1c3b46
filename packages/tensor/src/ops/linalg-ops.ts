import { runKernel1 } from '../kernel.js';
import { CenteredCross, MatMul } from '../kernels/defs.js';
import type { Tensor } from '../tensor.js';

/** Options of {@link matmul}. */
export interface MatMulOptions {
  /** Use aᵀ (swap a's last two axes). */
  transA?: boolean;
  /** Use bᵀ (swap b's last two axes). */
  transB?: boolean;
}

/**
 * Batched matrix product `op(a) · op(b)`: a `[..., m, k]`, b `[..., k, n]` → `[..., m, n]`, batch
 * dimensions broadcast. A linear layer `y = x Wᵀ` with HF's `W: [out, in]` is `matmul(x, W, { transB: true })`.
 */
export function matmul(a: Tensor, b: Tensor, options: MatMulOptions = {}): Tensor {
  return runKernel1(MatMul, [a, b], { transA: options.transA ?? false, transB: options.transB ?? false });
}

/** `(X − meanX)ᵀ (Y − meanY)`: X `[n, p]`, Y `[n, q]`, means `[p]`, `[q]` → `[p, q]`. */
export function centeredCross(x: Tensor, y: Tensor, meanX: Tensor, meanY: Tensor): Tensor {
  return runKernel1(CenteredCross, [x, y, meanX, meanY], {});
}
