/**
 * CPU implementation of {@link Transpose}. Axes that stay adjacent are merged first, so e.g.
 * `[B, H, T, d] → [B, T, H, d]` copies d-long runs. When the merged problem is a (batched) 2-D
 * transpose — the 2-D case and swapping the last two axes — it is done in square tiles so both the
 * reads and the writes stay in cache; otherwise rows are copied with a strided read.
 */
import type { TypedArray } from '../../../dtype.js';
import { type KernelImpl, registerKernel } from '../../../kernel.js';
import { Transpose } from '../../../kernels/defs.js';
import { stridesOf } from '../../../shape.js';
import { collapseAxes } from '../../index-space.js';
import { allocOut, arrayOf, forEachRow } from './util.js';

const TILE = 32;

/** Axis permutation; see {@link Transpose}. */
export const transposeCpu: KernelImpl<{ perm: readonly number[] }> = (inputs, attrs, outputs, backend) => {
  const x = inputs[0];
  const info = outputs[0];
  const { storage, array: o } = allocOut(backend, info);
  if (o.length === 0) return [storage];
  const src = arrayOf(x);
  const inStrides = stridesOf(x.shape);
  const c = collapseAxes(info.shape, [stridesOf(info.shape), attrs.perm.map((p) => inStrides[p])]);
  const r = c.shape.length;
  const last = r - 1;
  const sIn = c.strides[1];
  if (r === 1 && sIn[0] === 1) {
    o.set(src);
    return [storage];
  }
  if (r >= 2 && sIn[r - 2] === 1) {
    // Batched 2-D transpose: out[.., i, j] = x[.. + i + j·sIn[last]].
    const rows = c.shape[r - 2];
    const cols = c.shape[last];
    const outerShape = [...c.shape.slice(0, r - 2), 1];
    const outerStrides = c.strides.map((s) => [...s.slice(0, r - 2), 0]);
    forEachRow(outerShape, outerStrides, (off) => tiled(o, off[0], src, off[1], rows, cols, sIn[last]));
    return [storage];
  }
  const len = c.shape[last];
  const step = sIn[last];
  forEachRow(c.shape, c.strides, (off) => {
    const oo = off[0];
    const xo = off[1];
    for (let i = 0; i < len; i++) o[oo + i] = src[xo + i * step];
  });
  return [storage];
};

/** `o[oo + i·cols + j] = x[xo + i + j·xs]` for a `rows × cols` block, in TILE×TILE tiles. */
function tiled(o: TypedArray, oo: number, x: TypedArray, xo: number, rows: number, cols: number, xs: number): void {
  for (let i0 = 0; i0 < rows; i0 += TILE) {
    const i1 = Math.min(rows, i0 + TILE);
    for (let j0 = 0; j0 < cols; j0 += TILE) {
      const j1 = Math.min(cols, j0 + TILE);
      for (let i = i0; i < i1; i++) {
        const orow = oo + i * cols;
        const xrow = xo + i;
        for (let j = j0; j < j1; j++) o[orow + j] = x[xrow + j * xs];
      }
    }
  }
}

/** Registers the transpose kernel for the CPU backend. */
export function registerTransposeCpu(): void {
  registerKernel(Transpose, 'cpu', transposeCpu);
}
