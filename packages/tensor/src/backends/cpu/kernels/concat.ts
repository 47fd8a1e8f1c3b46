/**
 * CPU implementation of {@link Concat}: viewing every operand as `[outer, axisLen·inner]`, each outer
 * row of the output is the operands' rows one after another.
 */
import { type KernelImpl, registerKernel } from '../../../kernel.js';
import { Concat } from '../../../kernels/defs.js';
import { normalizeAxis } from '../../../shape.js';
import { prod } from '../../index-space.js';
import { allocOut, arrayOf, copyRun } from './util.js';

/** Concatenation along an axis; see {@link Concat}. */
export const concatCpu: KernelImpl<{ axis: number }> = (inputs, attrs, outputs, backend) => {
  const info = outputs[0];
  const { storage, array: o } = allocOut(backend, info);
  const axis = normalizeAxis('concat', attrs.axis, info.shape.length);
  const outer = prod(info.shape, 0, axis);
  const inner = prod(info.shape, axis + 1);
  const rowLen = info.shape[axis] * inner;
  let start = 0;
  for (const t of inputs) {
    const chunk = t.shape[axis] * inner;
    const src = arrayOf(t);
    for (let a = 0; a < outer; a++) copyRun(o, a * rowLen + start, src, a * chunk, chunk);
    start += chunk;
  }
  return [storage];
};

/** Registers concat for the CPU backend. */
export function registerConcatCpu(): void {
  registerKernel(Concat, 'cpu', concatCpu);
}
