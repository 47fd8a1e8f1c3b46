/** CPU implementations of the constructors {@link OneHot} and {@link Fill}. */
import type { DType } from '../../../dtype.js';
import { type KernelImpl, registerKernel } from '../../../kernel.js';
import { Fill, OneHot } from '../../../kernels/defs.js';
import { allocOut, arrayOf } from './util.js';

/** One-hot rows; an index outside `[0, depth)` (e.g. an ignore label like −100) gives a zero row. */
export const oneHotCpu: KernelImpl<{ depth: number; dtype?: DType }> = (inputs, attrs, outputs, backend) => {
  const { storage, array: o } = allocOut(backend, outputs[0]);
  const idx = arrayOf(inputs[0]);
  const depth = attrs.depth;
  for (let i = 0; i < idx.length; i++) {
    const v = idx[i];
    if (v >= 0 && v < depth) o[i * depth + v] = 1;
  }
  return [storage];
};

/** A constant tensor; see {@link Fill}. */
export const fillCpu: KernelImpl<{ shape: readonly number[]; value: number; dtype: DType }> = (_inputs, attrs, outputs, backend) => {
  const { storage, array } = allocOut(backend, outputs[0]);
  if (attrs.value !== 0) array.fill(attrs.value);
  return [storage];
};

/** Registers oneHot and fill for the CPU backend. */
export function registerOneHotFillCpu(): void {
  registerKernel(OneHot, 'cpu', oneHotCpu);
  registerKernel(Fill, 'cpu', fillCpu);
}
