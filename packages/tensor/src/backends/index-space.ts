/**
 * Index-space arithmetic shared by the CPU and WebGPU kernels: products of dimensions, broadcast
 * strides, and the collapsing of strided index spaces (merging adjacent axes that are contiguous for
 * every operand), which lets a CPU kernel run one long inner loop instead of an odometer per element
 * and keeps a WGSL strided program within its few uniform dimensions. Row-major strides are
 * `stridesOf` (`shape.ts`).
 */
import { stridesOf } from '../shape.js';

/** Product of `shape[from..to)`. */
export function prod(shape: readonly number[], from = 0, to: number = shape.length): number {
  let n = 1;
  for (let i = from; i < to; i++) n *= shape[i];
  return n;
}

/**
 * Strides of an operand of `shape` broadcast against the output shape `outShape` (right-aligned;
 * broadcast axes get stride 0).
 */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const own = stridesOf(shape);
  const out = new Array<number>(outShape.length).fill(0);
  const off = outShape.length - shape.length;
  for (let i = 0; i < shape.length; i++) out[off + i] = shape[i] === 1 ? 0 : own[i];
  return out;
}

/** Element offset `Σ start[k]·strides[k]` of the multi-index `start` (e.g. a box's first element). */
export function offsetOf(start: readonly number[], strides: readonly number[]): number {
  let o = 0;
  for (let k = 0; k < start.length; k++) o += start[k] * strides[k];
  return o;
}

/** An index space after {@link collapseAxes}: its dimensions and one stride array per operand. */
export interface CollapsedSpace {
  readonly shape: number[];
  readonly strides: number[][];
}

/**
 * Merges adjacent axes of an iteration space for several operands given their element strides
 * (0 = broadcast). Axes of size 1 are dropped; axes i and i+1 merge when, for every operand,
 * `stride[i] === stride[i+1] · shape[i+1]` (they walk memory as one axis). Returns at least one axis
 * (size 1 for scalars).
 */
export function collapseAxes(shape: readonly number[], strides: readonly (readonly number[])[]): CollapsedSpace {
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
