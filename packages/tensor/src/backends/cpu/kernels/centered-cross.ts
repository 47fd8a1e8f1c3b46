/**
 * CPU implementation of {@link CenteredCross}: centre X and Y (one pass each, in the input dtype),
 * then one GEMM `Xcᵀ · Yc` (accumulating in f64) — the shape of a covariance-moment update over n rows.
 */
import { allocHost } from '../../../dtype.js';
import { type KernelImpl, registerKernel } from '../../../kernel.js';
import { CenteredCross } from '../../../kernels/defs.js';
import { gemmContiguous as gemm } from './gemm-call.js';
import type { TypedArray } from '../../../dtype.js';
import type { Tensor } from '../../../tensor.js';
import { allocOut, arrayOf } from './util.js';

/** `x − 1·meanᵀ` for x `[n, p]`, as a new array of x's dtype. */
function centre(x: Tensor, mean: Tensor): TypedArray {
  const [n, p] = x.shape;
  const src = arrayOf(x);
  const mu = arrayOf(mean);
  const out = allocHost(x.dtype, n * p);
  for (let i = 0; i < n; i++) {
    const row = i * p;
    for (let j = 0; j < p; j++) out[row + j] = src[row + j] - mu[j];
  }
  return out;
}

/** Centred cross product `(X − meanX)ᵀ (Y − meanY)`; see {@link CenteredCross}. */
export const centeredCrossCpu: KernelImpl<Record<string, never>> = (inputs, _attrs, outputs, backend) => {
  const [x, y, mx, my] = inputs;
  const { storage, array: o } = allocOut(backend, outputs[0]);
  const [n, p] = x.shape;
  const q = y.shape[1];
  // Statistics accumulate over many rows: ask for f64 accumulation even for f32 data.
  gemm(true, false, p, q, n, centre(x, mx), 0, centre(y, my), 0, o, 0, { accumulate: 'f64' });
  return [storage];
};

/** Registers centeredCross for the CPU backend. */
export function registerCenteredCrossCpu(): void {
  registerKernel(CenteredCross, 'cpu', centeredCrossCpu);
}
