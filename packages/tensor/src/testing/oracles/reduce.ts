/** Naive f64 oracles for Reduce, ArgMax, Softmax and LogSoftmax. */
import type { ReduceOpName } from '../../kernels/defs.js';
import { type NdArray, nd, ravel, unravel } from '../nd.js';
import type { ScaledResult } from './linalg.js';

/** Reduction over `axes` (empty = all); the scale is Σ|x| (÷ count for mean) per output element. */
export function reduceOracle(op: ReduceOpName, x: NdArray, axes: readonly number[], keepDims: boolean): ScaledResult {
  const r = x.shape.length;
  const red = new Set((axes.length === 0 ? [...Array(r).keys()] : axes).map((a) => (a < 0 ? a + r : a)));
  const keptShape = x.shape.map((d, i) => (red.has(i) ? 1 : d));
  const groups = new Map<number, number[]>();
  for (let i = 0; i < x.data.length; i++) {
    const c = unravel(i, x.shape).map((v, d) => (red.has(d) ? 0 : v));
    const key = ravel(c, keptShape);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(x.data[i]);
  }
  const flatSize = keptShape.reduce((p, d) => p * d, 1);
  const shape = keepDims ? keptShape : x.shape.filter((_, i) => !red.has(i));
  const value = nd(shape);
  const scale = new Float64Array(flatSize);
  let count = 1;
  for (const a of red) count *= x.shape[a];
  for (let key = 0; key < flatSize; key++) {
    const g = groups.get(key) ?? [];
    const abs = g.reduce((s, v) => s + Math.abs(v), 0);
    if (op === 'sum') value.data[key] = g.reduce((s, v) => s + v, 0);
    else if (op === 'mean') value.data[key] = g.reduce((s, v) => s + v, 0) / count;
    else if (op === 'max') value.data[key] = g.reduce((s, v) => (v > s ? v : s), -Infinity);
    else value.data[key] = g.reduce((s, v) => (v < s ? v : s), Infinity);
    scale[key] = op === 'mean' ? abs / count : op === 'sum' ? abs : 0;
  }
  return { value, scale };
}

/** Index of the first maximum along `axis` (axis removed). */
export function argmaxOracle(x: NdArray, axis: number): NdArray {
  const shape = x.shape.filter((_, i) => i !== axis);
  const out = nd(shape);
  for (let i = 0; i < out.data.length; i++) {
    const c = unravel(i, shape);
    let best = -Infinity;
    let arg = -1;
    for (let t = 0; t < x.shape[axis]; t++) {
      const full = [...c.slice(0, axis), t, ...c.slice(axis)];
      const v = x.data[ravel(full, x.shape)];
      if (arg < 0 || v > best) {
        best = v;
        arg = t;
      }
    }
    out.data[i] = arg;
  }
  return out;
}

/** Softmax (or log-softmax) over the last axis, via log-sum-exp around the row maximum. */
export function softmaxOracle(x: NdArray, log: boolean): NdArray {
  const d = x.shape[x.shape.length - 1];
  const out = nd(x.shape);
  for (let r = 0; r * d < x.data.length; r++) {
    const row = Array.from(x.data.subarray(r * d, (r + 1) * d));
    const m = row.reduce((s, v) => Math.max(s, v), -Infinity);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    row.forEach((v, j) => (out.data[r * d + j] = log ? v - lse : Math.exp(v - lse)));
  }
  return out;
}
