/** CPU implementation of {@link Cast}: `TypedArray.set` converts (f → i32 truncates toward zero, NaN → 0). */
import { type KernelImpl, registerKernel } from '../../../kernel.js';
import { Cast } from '../../../kernels/defs.js';
import type { DType } from '../../../dtype.js';
import { allocOut, arrayOf } from './util.js';

/** dtype conversion; always a copy, even when the dtype is unchanged. */
export const castCpu: KernelImpl<{ dtype: DType }> = (inputs, _attrs, outputs, backend) => {
  const { storage, array } = allocOut(backend, outputs[0]);
  array.set(arrayOf(inputs[0]));
  return [storage];
};

/** Registers the cast kernel for the CPU backend. */
export function registerCastCpu(): void {
  registerKernel(Cast, 'cpu', castCpu);
}
