/**
 * Helpers shared by the CPU kernels: typed-array access, output allocation, row-wise visits of
 * collapsed strided index spaces (see `../../index-space.ts`) and strided copies.
 */
import type { Backend, Storage } from '../../../backend.js';
import type { TypedArray } from '../../../dtype.js';
import type { TensorInfo } from '../../../kernel.js';
import type { Tensor } from '../../../tensor.js';
import { sizeOf } from '../../../shape.js';
import { collapseAxes } from '../../index-space.js';
import { cpuArray } from '../cpu-backend.js';

/** The host array behind a (live, CPU) tensor. */
export function arrayOf(t: Tensor): TypedArray {
  return cpuArray(t.storage);
}

/** A new zero-filled output storage for `info` plus its host array. */
export function allocOut(backend: Backend, info: TensorInfo): { storage: Storage; array: TypedArray } {
  const storage = backend.allocate(info.dtype, sizeOf(info.shape));
  return { storage, array: cpuArray(storage) };
}

/**
 * Visits every "row" (all axes but the last) of a collapsed iteration space, calling
 * `visit(offsets)` with each operand's element offset of the row start. `offsets` is reused.
 */
export function forEachRow(shape: readonly number[], strides: readonly (readonly number[])[], visit: (offsets: Float64Array) => void): void {
  const nOps = strides.length;
  const outer = shape.length - 1;
  const offsets = new Float64Array(nOps);
  if (outer === 0) {
    visit(offsets);
    return;
  }
  const counter = new Int32Array(outer);
  let rows = 1;
  for (let i = 0; i < outer; i++) rows *= shape[i];
  for (let r = 0; r < rows; r++) {
    visit(offsets);
    // Odometer increment over the outer axes, updating every operand's offset incrementally.
    for (let ax = outer - 1; ax >= 0; ax--) {
      counter[ax]++;
      if (counter[ax] < shape[ax]) {
        for (let s = 0; s < nOps; s++) offsets[s] += strides[s][ax];
        break;
      }
      counter[ax] = 0;
      for (let s = 0; s < nOps; s++) offsets[s] -= strides[s][ax] * (shape[ax] - 1);
    }
  }
}

/** Copies `n` elements from `src[so..]` to `dst[do..]`; `set(subarray)` only pays off for long runs. */
export function copyRun(dst: TypedArray, dOff: number, src: TypedArray, sOff: number, n: number): void {
  if (n >= 64) dst.set(src.subarray(sOff, sOff + n), dOff);
  else for (let i = 0; i < n; i++) dst[dOff + i] = src[sOff + i];
}

/**
 * Strided copy over the index space `shape`: `dst[dOff + Σ iₐ·dStr[a]] = src[sOff + Σ iₐ·sStr[a]]`.
 * Axes are merged where possible so contiguous runs are copied in one go.
 */
export function copyStrided(
  shape: readonly number[], dst: TypedArray, dOff: number, dStr: readonly number[], src: TypedArray, sOff: number, sStr: readonly number[],
): void {
  if (sizeOf(shape) === 0) return;
  const c = collapseAxes(shape, [dStr, sStr]);
  const last = c.shape.length - 1;
  const len = c.shape[last];
  const ds = c.strides[0][last];
  const ss = c.strides[1][last];
  forEachRow(c.shape, c.strides, (off) => {
    const d0 = dOff + off[0];
    const s0 = sOff + off[1];
    if (ds === 1 && ss === 1) copyRun(dst, d0, src, s0, len);
    else for (let i = 0; i < len; i++) dst[d0 + i * ds] = src[s0 + i * ss];
  });
}
