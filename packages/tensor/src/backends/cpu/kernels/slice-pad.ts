/** CPU implementations of {@link Slice} and its adjoint {@link Pad} (strided copies with an offset). */
import { type KernelImpl, registerKernel } from '../../../kernel.js';
import { Pad, Slice } from '../../../kernels/defs.js';
import { allocOut, arrayOf, contiguousStrides, copyStrided } from './util.js';

/** Contiguous sub-block copy; see {@link Slice}. */
export const sliceCpu: KernelImpl<{ begin: readonly number[]; size: readonly number[] }> = (inputs, attrs, outputs, backend) => {
  const x = inputs[0];
  const info = outputs[0];
  const { storage, array: o } = allocOut(backend, info);
  const xs = contiguousStrides(x.shape);
  let off = 0;
  for (let i = 0; i < xs.length; i++) off += attrs.begin[i] * xs[i];
  copyStrided(info.shape, o, 0, contiguousStrides(info.shape), arrayOf(x), off, xs);
  return [storage];
};

/** Places x inside zeros; see {@link Pad}. */
export const padCpu: KernelImpl<{ begin: readonly number[]; shape: readonly number[] }> = (inputs, attrs, outputs, backend) => {
  const x = inputs[0];
  const info = outputs[0];
  const { storage, array: o } = allocOut(backend, info);
  const os = contiguousStrides(info.shape);
  let off = 0;
  for (let i = 0; i < os.length; i++) off += attrs.begin[i] * os[i];
  copyStrided(x.shape, o, off, os, arrayOf(x), 0, contiguousStrides(x.shape));
  return [storage];
};

/** Registers slice and pad for the CPU backend. */
export function registerSlicePadCpu(): void {
  registerKernel(Slice, 'cpu', sliceCpu);
  registerKernel(Pad, 'cpu', padCpu);
}
