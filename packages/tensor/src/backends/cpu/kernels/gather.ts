/**
 * CPU implementations of {@link Gather} and its adjoint {@link ScatterAdd} along any axis. A tensor is
 * viewed as `[outer, axisLen, inner]`, so each index moves one contiguous run of `inner` elements.
 * Indices are all checked before anything is written.
 */
import type { Tensor } from '../../../tensor.js';
import { ValueError, fmtShape } from '../../../errors.js';
import { type KernelImpl, registerKernel } from '../../../kernel.js';
import { Gather, ScatterAdd } from '../../../kernels/defs.js';
import { normalizeAxis } from '../../../shape.js';
import { prod } from '../../index-space.js';
import { allocOut, arrayOf, copyRun } from './util.js';

/** Throws a ValueError naming the first index outside `[0, limit)`. */
function checkIndices(op: string, indices: Tensor, limit: number, what: string): Int32Array {
  const idx = arrayOf(indices) as Int32Array;
  for (let i = 0; i < idx.length; i++) {
    const v = idx[i];
    if (v < 0 || v >= limit) {
      throw new ValueError(op, `indices[${i}] = ${v} is out of range for ${what}; expected 0..${limit - 1}`);
    }
  }
  return idx;
}

/** Index-select along an axis; see {@link Gather}. */
export const gatherCpu: KernelImpl<{ axis: number }> = (inputs, attrs, outputs, backend) => {
  const [x, indices] = inputs;
  const axis = normalizeAxis('gather', attrs.axis, x.shape.length);
  const len = x.shape[axis];
  const idx = checkIndices('gather', indices, len, `axis ${axis} of x ${fmtShape(x.shape)}`);
  const { storage, array: o } = allocOut(backend, outputs[0]);
  const src = arrayOf(x);
  const outer = prod(x.shape, 0, axis);
  const inner = prod(x.shape, axis + 1);
  const ni = idx.length;
  for (let a = 0; a < outer; a++) {
    const sBase = a * len * inner;
    const oBase = a * ni * inner;
    for (let i = 0; i < ni; i++) copyRun(o, oBase + i * inner, src, sBase + idx[i] * inner, inner);
  }
  return [storage];
};

/** Sums update slices into a zero tensor at the given indices; see {@link ScatterAdd}. */
export const scatterAddCpu: KernelImpl<{ axis: number; size: number }> = (inputs, attrs, outputs, backend) => {
  const [indices, updates] = inputs;
  const axis = normalizeAxis('scatterAdd', attrs.axis, updates.shape.length);
  const size = attrs.size;
  const idx = checkIndices('scatterAdd', indices, size, `an output of size ${size} along axis ${axis}`);
  const { storage, array: o } = allocOut(backend, outputs[0]);
  const upd = arrayOf(updates);
  const outer = prod(updates.shape, 0, axis);
  const inner = prod(updates.shape, axis + 1);
  const ni = idx.length;
  for (let a = 0; a < outer; a++) {
    const uBase = a * ni * inner;
    const oBase = a * size * inner;
    for (let i = 0; i < ni; i++) {
      const d = oBase + idx[i] * inner;
      const s = uBase + i * inner;
      for (let j = 0; j < inner; j++) o[d + j] += upd[s + j];
    }
  }
  return [storage];
};

/** Registers gather and scatterAdd for the CPU backend. */
export function registerGatherCpu(): void {
  registerKernel(Gather, 'cpu', gatherCpu);
  registerKernel(ScatterAdd, 'cpu', scatterAddCpu);
}
