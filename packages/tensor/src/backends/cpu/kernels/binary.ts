/**
 * CPU implementation of {@link Binary}: NumPy broadcasting over typed arrays. The iteration space is
 * collapsed (see `collapseAxes`) so that same-shape operands run one flat loop, a trailing-vector
 * broadcast (bias add `[n, d] + [d]`) runs `n` contiguous rows, and everything else runs strided rows.
 */
import type { TypedArray } from '../../../dtype.js';
import { type KernelImpl, registerKernel } from '../../../kernel.js';
import { Binary, type BinaryOpName } from '../../../kernels/defs.js';
import { shapesEqual, stridesOf } from '../../../shape.js';
import { broadcastStrides, collapseAxes } from '../../index-space.js';
import { allocOut, arrayOf, forEachRow } from './util.js';

/**
 * One strided row: `o[oo + i] = a[ao + i·as] ∘ b[bo + i·bs]` for `i < n`. Each operator has its own
 * function (rather than a shared loop calling `f(a, b)`) so V8 optimises every loop monomorphically.
 */
type RowLoop = (o: TypedArray, oo: number, a: TypedArray, ao: number, as: number, b: TypedArray, bo: number, bs: number, n: number) => void;

/** Contiguous row with both operands unit-stride: the same-shape fast path. */
type FlatLoop = (o: TypedArray, a: TypedArray, b: TypedArray, n: number) => void;

const ROW: Record<BinaryOpName, RowLoop> = {
  add: (o, oo, a, ao, as, b, bo, bs, n) => { for (let i = 0; i < n; i++) o[oo + i] = a[ao + i * as] + b[bo + i * bs]; },
  sub: (o, oo, a, ao, as, b, bo, bs, n) => { for (let i = 0; i < n; i++) o[oo + i] = a[ao + i * as] - b[bo + i * bs]; },
  mul: (o, oo, a, ao, as, b, bo, bs, n) => { for (let i = 0; i < n; i++) o[oo + i] = a[ao + i * as] * b[bo + i * bs]; },
  div: (o, oo, a, ao, as, b, bo, bs, n) => { for (let i = 0; i < n; i++) o[oo + i] = a[ao + i * as] / b[bo + i * bs]; },
  max: (o, oo, a, ao, as, b, bo, bs, n) => { for (let i = 0; i < n; i++) o[oo + i] = Math.max(a[ao + i * as], b[bo + i * bs]); },
  min: (o, oo, a, ao, as, b, bo, bs, n) => { for (let i = 0; i < n; i++) o[oo + i] = Math.min(a[ao + i * as], b[bo + i * bs]); },
  pow: (o, oo, a, ao, as, b, bo, bs, n) => { for (let i = 0; i < n; i++) o[oo + i] = Math.pow(a[ao + i * as], b[bo + i * bs]); },
  eq: (o, oo, a, ao, as, b, bo, bs, n) => { for (let i = 0; i < n; i++) o[oo + i] = a[ao + i * as] === b[bo + i * bs] ? 1 : 0; },
  gt: (o, oo, a, ao, as, b, bo, bs, n) => { for (let i = 0; i < n; i++) o[oo + i] = a[ao + i * as] > b[bo + i * bs] ? 1 : 0; },
  ge: (o, oo, a, ao, as, b, bo, bs, n) => { for (let i = 0; i < n; i++) o[oo + i] = a[ao + i * as] >= b[bo + i * bs] ? 1 : 0; },
  lt: (o, oo, a, ao, as, b, bo, bs, n) => { for (let i = 0; i < n; i++) o[oo + i] = a[ao + i * as] < b[bo + i * bs] ? 1 : 0; },
  le: (o, oo, a, ao, as, b, bo, bs, n) => { for (let i = 0; i < n; i++) o[oo + i] = a[ao + i * as] <= b[bo + i * bs] ? 1 : 0; },
};

const FLAT: Record<BinaryOpName, FlatLoop> = {
  add: (o, a, b, n) => { for (let i = 0; i < n; i++) o[i] = a[i] + b[i]; },
  sub: (o, a, b, n) => { for (let i = 0; i < n; i++) o[i] = a[i] - b[i]; },
  mul: (o, a, b, n) => { for (let i = 0; i < n; i++) o[i] = a[i] * b[i]; },
  div: (o, a, b, n) => { for (let i = 0; i < n; i++) o[i] = a[i] / b[i]; },
  max: (o, a, b, n) => { for (let i = 0; i < n; i++) o[i] = Math.max(a[i], b[i]); },
  min: (o, a, b, n) => { for (let i = 0; i < n; i++) o[i] = Math.min(a[i], b[i]); },
  pow: (o, a, b, n) => { for (let i = 0; i < n; i++) o[i] = Math.pow(a[i], b[i]); },
  eq: (o, a, b, n) => { for (let i = 0; i < n; i++) o[i] = a[i] === b[i] ? 1 : 0; },
  gt: (o, a, b, n) => { for (let i = 0; i < n; i++) o[i] = a[i] > b[i] ? 1 : 0; },
  ge: (o, a, b, n) => { for (let i = 0; i < n; i++) o[i] = a[i] >= b[i] ? 1 : 0; },
  lt: (o, a, b, n) => { for (let i = 0; i < n; i++) o[i] = a[i] < b[i] ? 1 : 0; },
  le: (o, a, b, n) => { for (let i = 0; i < n; i++) o[i] = a[i] <= b[i] ? 1 : 0; },
};

/**
 * Elementwise binary op with broadcasting. i32 results of `div`/`pow` are truncated toward zero by
 * the Int32Array store (x/0 stores 0), matching the Cast kernel's float → i32 rule.
 */
export const binaryCpu: KernelImpl<{ op: BinaryOpName }> = (inputs, attrs, outputs, backend) => {
  const [ta, tb] = inputs;
  const info = outputs[0];
  const { storage, array: o } = allocOut(backend, info);
  const a = arrayOf(ta);
  const b = arrayOf(tb);
  const n = o.length;
  if (n === 0) return [storage];
  if (shapesEqual(ta.shape, tb.shape)) {
    FLAT[attrs.op](o, a, b, n);
    return [storage];
  }
  const row = ROW[attrs.op];
  const c = collapseAxes(info.shape, [stridesOf(info.shape), broadcastStrides(ta.shape, info.shape), broadcastStrides(tb.shape, info.shape)]);
  const last = c.shape.length - 1;
  const len = c.shape[last];
  const as = c.strides[1][last];
  const bs = c.strides[2][last];
  forEachRow(c.shape, c.strides, (off) => row(o, off[0], a, off[1], as, b, off[2], bs, len));
  return [storage];
};

/** Registers the binary kernel for the CPU backend. */
export function registerBinaryCpu(): void {
  registerKernel(Binary, 'cpu', binaryCpu);
}
