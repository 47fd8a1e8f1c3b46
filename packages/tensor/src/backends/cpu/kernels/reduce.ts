/**
 * CPU implementations of {@link Reduce} (sum/mean/max/min over any axes) and {@link ArgMax}.
 *
 * Reduce merges adjacent axes with the same role (reduced / kept), drops unit axes, and walks the input
 * once in memory order, accumulating into an f64 buffer of the output's size: a reduced innermost axis
 * folds a contiguous run into one accumulator, a kept innermost axis updates a contiguous accumulator
 * row (the column-sum case). Sums of f32 (and i32) therefore accumulate in f64.
 */
import type { TypedArray } from '../../../dtype.js';
import { type KernelImpl, registerKernel } from '../../../kernel.js';
import { ArgMax, Reduce, type ReduceOpName, reduceAxes } from '../../../kernels/defs.js';
import { normalizeAxis, stridesOf } from '../../../shape.js';
import { prod } from '../../index-space.js';
import { allocOut, arrayOf, forEachRow } from './util.js';

/** Folds `x[xo .. xo+n)` into `acc[ao]`. */
type RunFold = (acc: Float64Array, ao: number, x: TypedArray, xo: number, n: number) => void;
/** Combines `x[xo .. xo+n)` elementwise into `acc[ao .. ao+n)`. */
type RowFold = (acc: Float64Array, ao: number, x: TypedArray, xo: number, n: number) => void;

const RUN: Record<'sum' | 'max' | 'min', RunFold> = {
  sum: (acc, ao, x, xo, n) => { let s = 0; for (let i = 0; i < n; i++) s += x[xo + i]; acc[ao] += s; },
  max: (acc, ao, x, xo, n) => { let s = acc[ao]; for (let i = 0; i < n; i++) s = Math.max(s, x[xo + i]); acc[ao] = s; },
  min: (acc, ao, x, xo, n) => { let s = acc[ao]; for (let i = 0; i < n; i++) s = Math.min(s, x[xo + i]); acc[ao] = s; },
};

const ROW: Record<'sum' | 'max' | 'min', RowFold> = {
  sum: (acc, ao, x, xo, n) => { for (let i = 0; i < n; i++) acc[ao + i] += x[xo + i]; },
  max: (acc, ao, x, xo, n) => { for (let i = 0; i < n; i++) acc[ao + i] = Math.max(acc[ao + i], x[xo + i]); },
  min: (acc, ao, x, xo, n) => { for (let i = 0; i < n; i++) acc[ao + i] = Math.min(acc[ao + i], x[xo + i]); },
};

/** Reduction over axes; see {@link Reduce}. */
export const reduceCpu: KernelImpl<{ op: ReduceOpName; axes: readonly number[]; keepDims: boolean }> = (inputs, attrs, outputs, backend) => {
  const x = inputs[0];
  const { storage, array: o } = allocOut(backend, outputs[0]);
  const axes = reduceAxes(`reduce(${attrs.op})`, attrs.axes, x.shape.length);
  const base = attrs.op === 'mean' ? 'sum' : attrs.op;
  const acc = new Float64Array(o.length);
  if (base === 'max') acc.fill(-Infinity);
  else if (base === 'min') acc.fill(Infinity);
  const src = arrayOf(x);
  if (src.length > 0) {
    // Merge axes: drop unit axes, join neighbours with the same role.
    const inStr = stridesOf(x.shape);
    const shape: number[] = [];
    const reduced: boolean[] = [];
    const sIn: number[] = [];
    for (let i = 0; i < x.shape.length; i++) {
      const d = x.shape[i];
      if (d === 1) continue;
      const r = axes.includes(i);
      const last = shape.length - 1;
      if (last >= 0 && reduced[last] === r) {
        shape[last] *= d;
        sIn[last] = inStr[i];
      } else {
        shape.push(d);
        reduced.push(r);
        sIn.push(inStr[i]);
      }
    }
    if (shape.length === 0) {
      shape.push(1);
      reduced.push(true);
      sIn.push(1);
    }
    // Output strides: contiguous over the kept axes, 0 over the reduced ones.
    const sOut = new Array<number>(shape.length).fill(0);
    let acc1 = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
      if (!reduced[i]) {
        sOut[i] = acc1;
        acc1 *= shape[i];
      }
    }
    const last = shape.length - 1;
    const len = shape[last];
    if (reduced[last]) {
      const fold = RUN[base];
      forEachRow(shape, [sIn, sOut], (off) => fold(acc, off[1], src, off[0], len));
    } else {
      const fold = ROW[base];
      forEachRow(shape, [sIn, sOut], (off) => fold(acc, off[1], src, off[0], len));
    }
  }
  if (attrs.op === 'mean') {
    let count = 1;
    for (const a of axes) count *= x.shape[a];
    for (let i = 0; i < acc.length; i++) o[i] = acc[i] / count;
  } else {
    o.set(acc);
  }
  return [storage];
};

/** Index of the first maximum along an axis; see {@link ArgMax}. NaN never wins a comparison. */
export const argmaxCpu: KernelImpl<{ axis: number }> = (inputs, attrs, outputs, backend) => {
  const x = inputs[0];
  const { storage, array: o } = allocOut(backend, outputs[0]);
  const axis = normalizeAxis('argmax', attrs.axis, x.shape.length);
  const src = arrayOf(x);
  const outer = prod(x.shape, 0, axis);
  const len = x.shape[axis];
  const inner = prod(x.shape, axis + 1);
  if (inner === 1) {
    for (let a = 0; a < outer; a++) {
      const base = a * len;
      let best = src[base];
      let arg = 0;
      for (let i = 1; i < len; i++) {
        const v = src[base + i];
        if (v > best) {
          best = v;
          arg = i;
        }
      }
      o[a] = arg;
    }
    return [storage];
  }
  // Walk the axis in the outer loop so the inner loop reads contiguous memory.
  const best = new Float64Array(inner);
  for (let a = 0; a < outer; a++) {
    const base = a * len * inner;
    const ob = a * inner;
    for (let j = 0; j < inner; j++) {
      best[j] = src[base + j];
      o[ob + j] = 0;
    }
    for (let i = 1; i < len; i++) {
      const row = base + i * inner;
      for (let j = 0; j < inner; j++) {
        const v = src[row + j];
        if (v > best[j]) {
          best[j] = v;
          o[ob + j] = i;
        }
      }
    }
  }
  return [storage];
};

/** Registers reduce and argmax for the CPU backend. */
export function registerReduceCpu(): void {
  registerKernel(Reduce, 'cpu', reduceCpu);
  registerKernel(ArgMax, 'cpu', argmaxCpu);
}
