/** CPU implementations of {@link Slice} and its adjoint {@link Pad} (strided copies with an offset). */
import { type KernelImpl, registerKernel } from '../../../kernel.js';
import { Pad, Slice } from '../../../kernels/defs.js';
import { stridesOf } from '../../../shape.js';
import { offsetOf } from '../../index-space.js';
import { allocOut, arrayOf, copyStrided } from './util.js';

/** Contiguous sub-block copy; see {@link Slice}. */
export const sliceCpu: KernelImpl<{ begin: readonly number[]; size: readonly number[] }> = (inputs, attrs, outputs, backend) => {
  const x = inputs[0];
  const info = outputs[0];
  const { storage, array: o } = allocOut(backend, info);
  const xs = stridesOf(x.shape);
  copyStrided(info.shape, o, 0, stridesOf(info.shape), arrayOf(x), offsetOf(attrs.begin, xs), xs);
  return [storage];
};

/** Places x inside zeros; see {@link Pad}. */
export const padCpu: KernelImpl<{ begin: readonly number[]; shape: readonly number[] }> = (inputs, attrs, outputs, backend) => {
  const x = inputs[0];
  const info = outputs[0];
  const { storage, array: o } = allocOut(backend, info);
  const os = stridesOf(info.shape);
  copyStrided(x.shape, o, offsetOf(attrs.begin, os), os, arrayOf(x), 0, stridesOf(x.shape));
  return [storage];
};

/** Registers slice and pad for the CPU backend. */
export function registerSlicePadCpu(): void {
  registerKernel(Slice, 'cpu', sliceCpu);
  registerKernel(Pad, 'cpu', padCpu);
}
