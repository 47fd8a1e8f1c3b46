/**
 * Helpers shared by the CPU kernels: typed-array access, output allocation and the collapsing of
 * strided index spaces (merging adjacent axes that are contiguous for every operand) that lets the
 * kernels run one long inner loop instead of an odometer per element.
 */
import type { Backend, Storage } from '../../../backend.js';
import type { TypedArray } from '../../../dtype.js';
import type { TensorInfo } from '../../../kernel.js';
import type { Tensor } from '../../../tensor.js';
import { cpuArray } from '../cpu-backend.js';

/** The host array behind a (live, CPU) tensor. */
export function arrayOf(t: Tensor): TypedArray {
  return cpuArray(t.storage);
}

/** A new zero-filled output storage for `info` plus its host array. */
export function allocOut(backend: Backend, info: TensorInfo): { storage: Storage; array: TypedArray } {
  const storage = backend.allocate(info.dtype, sizeOfShape(info.shape));
  return { storage, array: cpuArray(storage) };
}

/** Product of a shape's dimensions. */
export function sizeOfShape(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Product of `shape[from..to)`. */
export function prod(shape: readonly number[], from: number, to: number = shape.length): number {
  let n = 1;
  for (let i = from; i < to; i++) n *= shape[i];
  return n;
}

/**
 * Merges adjacent axes of an iteration space for several operands given their element strides
 * (0 = broadcast). Axes of size 1 are dropped; axes i and i+1 merge when, for every operand,
 * `stride[i] === stride[i+1] · shape[i+1]`. Returns at least one axis (size 1 for scalars).
 */
export function collapse(shape: readonly number[], strides: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (d === 1) continue;
    const last = outShape.length - 1;
    let merge = last >= 0;
    if (merge) {
      for (let s = 0; s < strides.length; s++) {
        if (outStrides[s][last] !== strides[s][i] * d) {
          merge = false;
          break;
        }
      }
    }
    if (merge) {
      outShape[last] *= d;
      for (let s = 0; s < strides.length; s++) outStrides[s][last] = strides[s][i];
    } else {
      outShape.push(d);
      for (let s = 0; s < strides.length; s++) outStrides[s].push(strides[s][i]);
    }
  }
  if (outShape.length === 0) {
    outShape.push(1);
    for (const s of outStrides) s.push(0);
  }
  return { shape: outShape, strides: outStrides };
}

/** Row-major strides of `shape`. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/**
 * Strides of an operand of `shape` broadcast against the output shape `outShape` (right-aligned;
 * broadcast axes get stride 0).
 */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = contiguousStrides(shape);
  const out = new Array<number>(outShape.length).fill(0);
  const off = outShape.length - shape.length;
  for (let i = 0; i < shape.length; i++) out[off + i] = shape[i] === 1 ? 0 : own[i];
  return out;
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
  if (sizeOfShape(shape) === 0) return;
  const c = collapse(shape, [dStr, sStr]);
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
