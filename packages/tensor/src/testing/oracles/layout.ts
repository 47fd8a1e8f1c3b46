/**
 * Naive oracles for the layout kernels (Transpose, Gather, ScatterAdd, Slice, Pad, Concat) and the
 * constructors (OneHot, Fill): every output element is located by its coordinates.
 */
import { type NdArray, at, nd, ravel, unravel } from '../nd.js';
import type { ScaledResult } from './linalg.js';

/** `out[c] = x[c permuted back]`, `out.shape[i] = x.shape[perm[i]]`. */
export function transposeOracle(x: NdArray, perm: readonly number[]): NdArray {
  const shape = perm.map((p) => x.shape[p]);
  const out = nd(shape);
  for (let i = 0; i < out.data.length; i++) {
    const c = unravel(i, shape);
    const src = new Array<number>(x.shape.length);
    perm.forEach((p, d) => (src[p] = c[d]));
    out.data[i] = at(x, src);
  }
  return out;
}

/** Index-select along `axis`. */
export function gatherOracle(x: NdArray, indices: ArrayLike<number>, axis: number): NdArray {
  const shape = [...x.shape];
  shape[axis] = indices.length;
  const out = nd(shape);
  for (let i = 0; i < out.data.length; i++) {
    const c = unravel(i, shape);
    c[axis] = indices[c[axis]];
    out.data[i] = at(x, c);
  }
  return out;
}

/** Sum of update slices into zeros at `indices` along `axis`; the scale is the sum of |updates| per element. */
export function scatterAddOracle(indices: ArrayLike<number>, updates: NdArray, axis: number, size: number): ScaledResult {
  const shape = [...updates.shape];
  shape[axis] = size;
  const value = nd(shape);
  const scale = new Float64Array(value.data.length);
  for (let i = 0; i < updates.data.length; i++) {
    const c = unravel(i, updates.shape);
    c[axis] = indices[c[axis]];
    const o = ravel(c, shape);
    value.data[o] += updates.data[i];
    scale[o] += Math.abs(updates.data[i]);
  }
  return { value, scale };
}

/** `x[begin : begin+size]` per axis (`size −1` = to the end). */
export function sliceOracle(x: NdArray, begin: readonly number[], size: readonly number[]): NdArray {
  const shape = size.map((s, i) => (s === -1 ? x.shape[i] - begin[i] : s));
  const out = nd(shape);
  for (let i = 0; i < out.data.length; i++) {
    const c = unravel(i, shape);
    out.data[i] = at(x, c.map((v, d) => v + begin[d]));
  }
  return out;
}

/** x placed at `begin` inside zeros of `shape`. */
export function padOracle(x: NdArray, begin: readonly number[], shape: readonly number[]): NdArray {
  const out = nd(shape);
  for (let i = 0; i < x.data.length; i++) {
    const c = unravel(i, x.shape);
    out.data[ravel(c.map((v, d) => v + begin[d]), shape)] = x.data[i];
  }
  return out;
}

/** Concatenation along `axis`. */
export function concatOracle(xs: readonly NdArray[], axis: number): NdArray {
  const shape = [...xs[0].shape];
  shape[axis] = xs.reduce((s, x) => s + x.shape[axis], 0);
  const out = nd(shape);
  for (let i = 0; i < out.data.length; i++) {
    const c = unravel(i, shape);
    let k = 0;
    let pos = c[axis];
    while (pos >= xs[k].shape[axis]) {
      pos -= xs[k].shape[axis];
      k++;
    }
    c[axis] = pos;
    out.data[i] = at(xs[k], c);
  }
  return out;
}

/** One-hot rows of length `depth`; indices outside `[0, depth)` give zero rows. */
export function oneHotOracle(indices: NdArray, depth: number): NdArray {
  const out = nd([...indices.shape, depth]);
  for (let i = 0; i < indices.data.length; i++) {
    for (let d = 0; d < depth; d++) out.data[i * depth + d] = indices.data[i] === d ? 1 : 0;
  }
  return out;
}

/** A constant array. */
export function fillOracle(shape: readonly number[], value: number): NdArray {
  const out = nd(shape);
  out.data.fill(value);
  return out;
}
