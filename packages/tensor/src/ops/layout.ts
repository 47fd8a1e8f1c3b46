import type { Backend } from '../backend.js';
import type { DType } from '../dtype.js';
import { runKernel1 } from '../kernel.js';
import { Concat, Fill, Gather, OneHot, Pad, ScatterAdd, Slice, Transpose } from '../kernels/defs.js';
import type { Tensor } from '../tensor.js';

/** Permutes axes (default: reverses them). */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const p = perm ?? [...Array(x.rank).keys()].reverse();
  return runKernel1(Transpose, [x], { perm: p });
}

/** Reshape as an op (a view sharing storage). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  return x.reshape(shape);
}

/** Selects `indices` (1-D i32) along `axis`; how permutations are applied to weights. */
export function gather(x: Tensor, indices: Tensor, axis = 0): Tensor {
  return runKernel1(Gather, [x, indices], { axis });
}

/** Adjoint of gather: sums `updates` slices into positions `indices` of a zero tensor with `size` along `axis`. */
export function scatterAdd(indices: Tensor, updates: Tensor, axis: number, size: number): Tensor {
  return runKernel1(ScatterAdd, [indices, updates], { axis, size });
}

/** Contiguous slice; `size[i] = -1` means to the end of that axis. */
export function slice(x: Tensor, begin: readonly number[], size: readonly number[]): Tensor {
  return runKernel1(Slice, [x], { begin, size });
}

/** Places x at `begin` inside a zero tensor of `shape`. */
export function pad(x: Tensor, begin: readonly number[], shape: readonly number[]): Tensor {
  return runKernel1(Pad, [x], { begin, shape });
}

/** Concatenates along `axis`. */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  return runKernel1(Concat, xs, { axis });
}

/** One-hot encoding: indices → `[..., depth]`. */
export function oneHot(indices: Tensor, depth: number, dtype: DType = 'f32'): Tensor {
  return runKernel1(OneHot, [indices], { depth, dtype });
}

/** A tensor filled with `value` created by a kernel on `backend` (no host upload). */
export function fill(shape: readonly number[], value: number, dtype: DType, backend: Backend): Tensor {
  return runKernel1(Fill, [], { shape, value, dtype }, backend);
}
