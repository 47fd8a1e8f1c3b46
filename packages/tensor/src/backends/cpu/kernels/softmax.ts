/**
 * CPU implementations of {@link Softmax} and {@link LogSoftmax} over the last axis: subtract the row
 * maximum (so exp never overflows), sum in f64.
 */
import type { TypedArray } from '../../../dtype.js';
import { type KernelImpl, registerKernel } from '../../../kernel.js';
import { LogSoftmax, Softmax } from '../../../kernels/defs.js';
import { allocOut, arrayOf } from './util.js';

/** Softmax (or log-softmax) of every `d`-long row of `x` into `o` (both contiguous). */
export function softmaxRows(o: TypedArray, x: TypedArray, d: number, log: boolean): void {
  if (d === 0) return;
  const rows = x.length / d;
  const tmp = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    const base = r * d;
    let m = -Infinity;
    for (let j = 0; j < d; j++) m = Math.max(m, x[base + j]);
    let s = 0;
    for (let j = 0; j < d; j++) {
      const e = Math.exp(x[base + j] - m);
      tmp[j] = e;
      s += e;
    }
    if (log) {
      const shift = m + Math.log(s);
      for (let j = 0; j < d; j++) o[base + j] = x[base + j] - shift;
    } else {
      const inv = 1 / s;
      for (let j = 0; j < d; j++) o[base + j] = tmp[j] * inv;
    }
  }
}

/** Softmax over the last axis; see {@link Softmax}. */
export const softmaxCpu: KernelImpl<Record<string, never>> = (inputs, _attrs, outputs, backend) => {
  const x = inputs[0];
  const { storage, array: o } = allocOut(backend, outputs[0]);
  softmaxRows(o, arrayOf(x), x.shape[x.shape.length - 1], false);
  return [storage];
};

/** Log-softmax over the last axis; see {@link LogSoftmax}. */
export const logSoftmaxCpu: KernelImpl<Record<string, never>> = (inputs, _attrs, outputs, backend) => {
  const x = inputs[0];
  const { storage, array: o } = allocOut(backend, outputs[0]);
  softmaxRows(o, arrayOf(x), x.shape[x.shape.length - 1], true);
  return [storage];
};

/** Registers softmax and logSoftmax for the CPU backend. */
export function registerSoftmaxCpu(): void {
  registerKernel(Softmax, 'cpu', softmaxCpu);
  registerKernel(LogSoftmax, 'cpu', logSoftmaxCpu);
}
