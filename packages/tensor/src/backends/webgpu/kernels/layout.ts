/**
 * WebGPU implementations of Transpose, Slice, Pad and Concat, all as strided copies of 32-bit words
 * (see `strided.ts`): layout kernels never look at values, so f32 and i32 share one pipeline.
 */
import { type KernelImpl, registerKernel } from '../../../kernel.js';
import { Concat, Pad, Slice, Transpose } from '../../../kernels/defs.js';
import { normalizeAxis, stridesOf } from '../../../shape.js';
import { offsetOf } from '../../index-space.js';
import { allocOut, gpuOf, rejectF64 } from './common.js';
import { stridedGather, stridedScatter } from './strided.js';

/** `out.shape[i] = x.shape[perm[i]]`: a gather whose strides are x's strides permuted. */
export const transposeGpu: KernelImpl<{ perm: readonly number[] }> = (inputs, attrs, outputs, backend) => {
  const gpu = gpuOf(backend, 'transpose');
  const x = inputs[0];
  rejectF64('transpose', x);
  const out = allocOut(gpu, outputs[0]);
  const xs = stridesOf(x.shape);
  stridedGather(gpu, 'transpose', x.storage, out, outputs[0].shape, attrs.perm.map((p) => xs[p]));
  return [out];
};

/** A box of x: a gather starting at the box's corner with x's own strides. */
export const sliceGpu: KernelImpl<{ begin: readonly number[]; size: readonly number[] }> = (inputs, attrs, outputs, backend) => {
  const gpu = gpuOf(backend, 'slice');
  const x = inputs[0];
  rejectF64('slice', x);
  const out = allocOut(gpu, outputs[0]);
  const xs = stridesOf(x.shape);
  const base = offsetOf(attrs.begin, xs);
  stridedGather(gpu, 'slice', x.storage, out, outputs[0].shape, xs, base);
  return [out];
};

/** Zeros (one `clearBuffer`), then x scattered into its box. */
export const padGpu: KernelImpl<{ begin: readonly number[]; shape: readonly number[] }> = (inputs, attrs, outputs, backend) => {
  const gpu = gpuOf(backend, 'pad');
  const x = inputs[0];
  rejectF64('pad', x);
  const out = allocOut(gpu, outputs[0]);
  if (out.size === 0) return [out];
  gpu.batcher.clear(out.buffer, 0, out.size * 4, 'pad');
  const os = stridesOf(attrs.shape);
  const base = offsetOf(attrs.begin, os);
  stridedScatter(gpu, 'pad', x.storage, out, x.shape, os, base);
  return [out];
};

/** Each input scattered into its slab of the output (the slabs tile it, so nothing else is written). */
export const concatGpu: KernelImpl<{ axis: number }> = (inputs, attrs, outputs, backend) => {
  const gpu = gpuOf(backend, 'concat');
  rejectF64('concat', ...inputs);
  const info = outputs[0];
  const out = allocOut(gpu, info);
  const axis = normalizeAxis('concat', attrs.axis, info.shape.length);
  const os = stridesOf(info.shape);
  let start = 0;
  for (const t of inputs) {
    stridedScatter(gpu, 'concat', t.storage, out, t.shape, os, start * os[axis]);
    start += t.shape[axis];
  }
  return [out];
};

/** Registers the layout kernels on `webgpu`. */
export function registerLayoutGpu(): void {
  registerKernel(Transpose, 'webgpu', transposeGpu);
  registerKernel(Slice, 'webgpu', sliceGpu);
  registerKernel(Pad, 'webgpu', padGpu);
  registerKernel(Concat, 'webgpu', concatGpu);
}
