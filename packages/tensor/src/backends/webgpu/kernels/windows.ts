/**
 * Binding windows: how kernels bind tensors larger than `maxStorageBufferBindingSize`.
 *
 * A kernel splits its work (rows, output ranges, boxes, matrix blocks) so that every operand a part
 * touches lies in a range of at most {@link windowBudget} elements, then binds that range with
 * {@link bindWindow}. The window starts at an aligned offset at or before the range, so shaders index
 * `x[global − start]` with `start` passed as a uniform (a runtime size, never a pipeline key). A
 * tensor that fits one binding is always bound whole (`start` = 0), so bind groups stay cacheable
 * and, in the row, range and slab kernels, small tensors run the same code as large ones.
 */
import type { Storage } from '../../../backend.js';
import { ShapeError } from '../../../errors.js';
import type { WebGpuBackend } from '../webgpu-backend.js';

/**
 * Element alignment of a window start: the device's storage offset alignment, and at least 4
 * elements so that vec4 programs see whole vec4s.
 */
export function windowAlign(gpu: WebGpuBackend): number {
  return Math.max(4, gpu.context.limits.minStorageBufferOffsetAlignment / 4);
}

/**
 * Most elements a range may span so that its window (aligned down at the start, rounded up to a vec4
 * at the end) fits one storage binding of 4-byte elements.
 */
export function windowBudget(gpu: WebGpuBackend): number {
  return Math.floor(gpu.context.limits.maxStorageBufferBindingSize / 16) * 4 - windowAlign(gpu) - 4;
}

/** True when `storage` fits one storage binding (it is then bound whole). */
export function fitsBinding(gpu: WebGpuBackend, storage: Storage, op: string): boolean {
  return (gpu.binding(storage, op).size ?? 0) <= gpu.context.limits.maxStorageBufferBindingSize;
}

/** A bound range: element `e` of the tensor is element `e − start` of `binding`. */
export interface Window {
  readonly binding: GPUBufferBinding;
  /** Tensor element at index 0 of the binding (0 when the tensor is bound whole). */
  readonly start: number;
}

/**
 * Binds elements `[lo, hi)` of a 4-byte `storage` (the whole tensor when it fits one binding).
 * @throws ShapeError naming `op` when the window exceeds the limit (a planning error: callers keep
 * `hi − lo ≤ windowBudget`).
 */
export function bindWindow(gpu: WebGpuBackend, storage: Storage, op: string, lo: number, hi: number): Window {
  const whole = gpu.binding(storage, op);
  const max = gpu.context.limits.maxStorageBufferBindingSize;
  if ((whole.size ?? 0) <= max) return { binding: whole, start: 0 };
  const align = windowAlign(gpu);
  const start = Math.floor(lo / align) * align;
  const end = Math.min(Math.ceil(Math.max(hi, start + 1) / 4) * 4, Math.floor(whole.buffer.size / 4));
  if ((end - start) * 4 > max) {
    throw new ShapeError(op, `elements [${lo}, ${hi}) need a ${(end - start) * 4}-byte window; maxStorageBufferBindingSize is ${max} (internal planning error)`);
  }
  return { binding: { buffer: whole.buffer, offset: start * 4, size: (end - start) * 4 }, start };
}

/** A half-open range of work items. */
export type Range = readonly [lo: number, hi: number];

/**
 * Splits work items `[0, n)` into consecutive ranges whose `span(lo, hi)` (the most elements any
 * operand's window needs for items `lo ..< hi`; non-decreasing in `hi`) is at most `budget`. One
 * range when everything fits. Lengths are multiples of `multipleOf` except the last.
 * @throws ShapeError naming `op` and `what` when a single item (or `multipleOf` items) does not fit.
 */
export function splitRanges(op: string, what: string, n: number, budget: number, span: (lo: number, hi: number) => number, multipleOf = 1): Range[] {
  const out: Range[] = [];
  let lo = 0;
  while (lo < n) {
    if (span(lo, n) <= budget) {
      out.push([lo, n]);
      break;
    }
    // Largest hi with span ≤ budget, on the grid lo + t·multipleOf.
    let good = 0;
    let bad = Math.ceil((n - lo) / multipleOf);
    while (bad - good > 1) {
      const mid = (good + bad) >>> 1;
      if (span(lo, Math.min(n, lo + mid * multipleOf)) <= budget) good = mid;
      else bad = mid;
    }
    if (good === 0) {
      const need = span(lo, Math.min(n, lo + multipleOf));
      throw new ShapeError(op, `${what} needs ${need * 4} bytes in one storage binding; this device allows ${budget * 4} after alignment (maxStorageBufferBindingSize) and ${op} cannot split it further`);
    }
    const hi = Math.min(n, lo + good * multipleOf);
    out.push([lo, hi]);
    lo = hi;
  }
  return out;
}

/** A sub-box of an iteration space: `start[k] ..< start[k] + len[k]` along each dimension. */
export interface Box {
  readonly start: readonly number[];
  readonly len: readonly number[];
}

/** Elements an operand with non-negative `strides` spans over a box of lengths `len`. */
export function boxSpan(len: readonly number[], strides: readonly number[]): number {
  let s = 1;
  for (let k = 0; k < len.length; k++) s += (len[k] - 1) * strides[k];
  return s;
}

/**
 * Splits the iteration space `dims` into boxes in which every operand (given by its non-negative
 * strides) spans at most `budget` elements: the operand that overflows most has its dominant
 * dimension (largest `(len − 1)·stride`) halved, recursively. One box when everything fits.
 */
export function splitBox(dims: readonly number[], operands: readonly (readonly number[])[], budget: number): Box[] {
  if (!(budget >= 1)) throw new ShapeError('splitBox', `budget ${budget} elements: the binding limit is too small to bind anything`);
  const out: Box[] = [];
  const visit = (start: number[], len: number[]): void => {
    let worst: readonly number[] | undefined;
    let worstSpan = budget;
    for (const s of operands) {
      const span = boxSpan(len, s);
      if (span > worstSpan) {
        worst = s;
        worstSpan = span;
      }
    }
    if (!worst) {
      out.push({ start, len });
      return;
    }
    let k = -1;
    for (let d = 0; d < len.length; d++) if (len[d] > 1 && (k < 0 || (len[d] - 1) * worst[d] > (len[k] - 1) * worst[k])) k = d;
    // span > budget ≥ 1 implies some len[d] > 1 with a non-zero stride.
    const half = Math.ceil(len[k] / 2);
    const l1 = [...len];
    l1[k] = half;
    visit(start, l1);
    const s2 = [...start];
    s2[k] += half;
    const l2 = [...len];
    l2[k] = len[k] - half;
    visit(s2, l2);
  };
  if (dims.every((d) => d > 0)) visit(dims.map(() => 0), [...dims]);
  return out;
}

/**
 * {@link splitRanges} when some of `storages` exceed one binding; otherwise the single range
 * `[0, n)` (everything is bound whole).
 */
export function rangesFor(
  gpu: WebGpuBackend, op: string, what: string, storages: readonly Storage[], n: number, span: (lo: number, hi: number) => number, multipleOf = 1,
): Range[] {
  if (storages.every((s) => fitsBinding(gpu, s, op))) return [[0, n]];
  return splitRanges(op, what, n, windowBudget(gpu), span, multipleOf);
}
