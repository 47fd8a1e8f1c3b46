import { runKernel1 } from '../kernel.js';
import { ArgMax, LogSoftmax, Reduce, Softmax } from '../kernels/defs.js';
import type { Tensor } from '../tensor.js';

type Axes = number | readonly number[] | undefined;
const toAxes = (a: Axes): readonly number[] => (a === undefined ? [] : typeof a === 'number' ? [a] : a);

/** Sum over `axes` (default all). */
export function sum(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  return runKernel1(Reduce, [x], { op: 'sum' as const, axes: toAxes(axes), keepDims });
}
/** Mean over `axes` (default all). */
export function mean(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  return runKernel1(Reduce, [x], { op: 'mean' as const, axes: toAxes(axes), keepDims });
}
/** Maximum over `axes` (default all). */
export function max(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  return runKernel1(Reduce, [x], { op: 'max' as const, axes: toAxes(axes), keepDims });
}
/** Minimum over `axes` (default all). */
export function min(x: Tensor, axes?: Axes, keepDims = false): Tensor {
  return runKernel1(Reduce, [x], { op: 'min' as const, axes: toAxes(axes), keepDims });
}
/** Index of the maximum along `axis` (i32). */
export function argmax(x: Tensor, axis = -1): Tensor {
  return runKernel1(ArgMax, [x], { axis });
}
/** Softmax over the last axis. */
export function softmax(x: Tensor): Tensor {
  return runKernel1(Softmax, [x], {});
}
/** Log-softmax over the last axis. */
export function logSoftmax(x: Tensor): Tensor {
  return runKernel1(LogSoftmax, [x], {});
}
