/**
 * CPU implementation of {@link LayerNorm}: per row, mean and (biased) variance in f64 by two passes —
 * the second pass sums squared deviations, which stays accurate when |mean| ≫ std.
 */
import { type KernelImpl, registerKernel } from '../../../kernel.js';
import { LayerNorm } from '../../../kernels/defs.js';
import { allocOut, arrayOf } from './util.js';

/** LayerNorm over the last axis; see {@link LayerNorm}. */
export const layerNormCpu: KernelImpl<{ eps: number }> = (inputs, attrs, outputs, backend) => {
  const [tx, tg, tb] = inputs;
  const { storage, array: o } = allocOut(backend, outputs[0]);
  const x = arrayOf(tx);
  const g = arrayOf(tg);
  const b = arrayOf(tb);
  const d = tx.shape[tx.shape.length - 1];
  if (d === 0) return [storage];
  const rows = x.length / d;
  for (let r = 0; r < rows; r++) {
    const base = r * d;
    let s = 0;
    for (let j = 0; j < d; j++) s += x[base + j];
    const mean = s / d;
    let ss = 0;
    for (let j = 0; j < d; j++) {
      const c = x[base + j] - mean;
      ss += c * c;
    }
    const inv = 1 / Math.sqrt(ss / d + attrs.eps);
    for (let j = 0; j < d; j++) o[base + j] = (x[base + j] - mean) * inv * g[j] + b[j];
  }
  return [storage];
};

/** Registers layerNorm for the CPU backend. */
export function registerLayerNormCpu(): void {
  registerKernel(LayerNorm, 'cpu', layerNormCpu);
}
