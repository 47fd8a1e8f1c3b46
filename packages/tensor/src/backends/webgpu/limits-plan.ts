/**
 * Planning work that exceeds WebGPU's per-call limits: dispatches over
 * `maxComputeWorkgroupsPerDimension` (65,535) workgroups per dimension, and tensors larger than
 * `maxStorageBufferBindingSize` (128 MiB by default and on lavapipe) bound in chunks.
 */
import { ValueError } from '../../errors.js';

/** Workgroup counts in x, y, z. */
export type Workgroups = readonly [number, number, number];

/** One dispatch of a split plan: its workgroup offset (to add to `workgroup_id`) and its counts. */
export interface DispatchPart {
  readonly offset: Workgroups;
  readonly count: Workgroups;
}

function checkCount(op: string, c: number, what: string): void {
  if (!Number.isInteger(c) || c < 0) throw new ValueError(op, `${what} workgroup count ${c} is not a non-negative integer`);
}

/**
 * Folds a 1-D workgroup count into x·y·z, each ≤ `maxPerDim`, for shaders that recover the linear
 * id with `WGSL_LINEAR_WORKGROUP` and bounds-check it (the fold may overshoot `total` by < x·y).
 * One dispatch, no uniforms needed. Handles up to `maxPerDim³` workgroups.
 */
export function foldWorkgroups(op: string, total: number, maxPerDim = 65535): Workgroups {
  checkCount(op, total, 'linear');
  if (total <= maxPerDim) return [total, 1, 1];
  const y = Math.ceil(total / maxPerDim);
  if (y <= maxPerDim) return [Math.ceil(total / y), y, 1];
  const z = Math.ceil(y / maxPerDim);
  if (z > maxPerDim) throw new ValueError(op, `${total} workgroups exceed ${maxPerDim}³`);
  const yz = Math.ceil(y / z);
  return [maxPerDim, yz, z];
}

/**
 * Splits an N-D dispatch whose counts exceed `maxPerDim` into parts along each oversized dimension.
 * The shader must add the part's `offset` (passed in the `wg_offset_*` uniforms) to `workgroup_id`.
 * Returns a single part with zero offset when nothing exceeds the limit.
 */
export function planDispatch(op: string, counts: Workgroups, maxPerDim = 65535): DispatchPart[] {
  counts.forEach((c, i) => checkCount(op, c, 'xyz'[i]));
  const splits = counts.map((c) => {
    const parts: [number, number][] = [];
    for (let o = 0; o < c; o += maxPerDim) parts.push([o, Math.min(maxPerDim, c - o)]);
    return parts.length ? parts : [[0, 0] as [number, number]];
  });
  const out: DispatchPart[] = [];
  for (const [oz, cz] of splits[2]) {
    for (const [oy, cy] of splits[1]) {
      for (const [ox, cx] of splits[0]) out.push({ offset: [ox, oy, oz], count: [cx, cy, cz] });
    }
  }
  return out;
}

/** One chunk of a tensor bound as its own storage binding. */
export interface BindingChunk {
  /** First element of the chunk. */
  readonly elementOffset: number;
  /** Elements in the chunk (a multiple of the granularity, except possibly the last chunk). */
  readonly elementCount: number;
  /** `offset` of the `GPUBufferBinding` (a multiple of the storage offset alignment). */
  readonly byteOffset: number;
  /** `size` of the `GPUBufferBinding` (a multiple of 4). */
  readonly byteSize: number;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Options of {@link planBindingChunks}. */
export interface ChunkPlanOptions {
  /** Total elements of the tensor. */
  readonly elements: number;
  /** Bytes per element (4 for f32/i32). */
  readonly bytesPerElement: number;
  /** `maxStorageBufferBindingSize`. */
  readonly maxBindingBytes: number;
  /** `minStorageBufferOffsetAlignment` (256 by default; 16 on lavapipe when requested). */
  readonly offsetAlignment: number;
  /**
   * Chunks hold whole multiples of this many elements — e.g. a row length, so a chunk is a block of
   * rows and a row never straddles two bindings. Default 1.
   */
  readonly granularity?: number;
}

/**
 * Splits a tensor into bindings that each fit `maxBindingBytes`, start at an aligned offset and
 * hold whole units of `granularity` elements. One chunk covering everything when it fits.
 * @throws ValueError when one unit (plus alignment) cannot fit in a binding.
 */
export function planBindingChunks(op: string, o: ChunkPlanOptions): BindingChunk[] {
  const g = o.granularity ?? 1;
  const bpe = o.bytesPerElement;
  if (!Number.isInteger(o.elements) || o.elements < 0) throw new ValueError(op, `element count ${o.elements} is invalid`);
  if (!Number.isInteger(g) || g < 1) throw new ValueError(op, `granularity ${g} must be a positive integer`);
  const totalBytes = o.elements * bpe;
  if (totalBytes <= o.maxBindingBytes) {
    return [{ elementOffset: 0, elementCount: o.elements, byteOffset: 0, byteSize: Math.max(4, Math.ceil(totalBytes / 4) * 4) }];
  }
  // A chunk boundary must be a multiple of g elements and of (alignment / gcd(alignment, bpe))
  // elements, so its byte offset is aligned: step = lcm of the two.
  const alignElems = o.offsetAlignment / gcd(o.offsetAlignment, bpe);
  const step = (g / gcd(g, alignElems)) * alignElems;
  const perChunk = Math.floor(o.maxBindingBytes / bpe / step) * step;
  if (perChunk < step || perChunk === 0) {
    throw new ValueError(
      op,
      `cannot bind in chunks: a unit of ${g} elements aligned to ${o.offsetAlignment} bytes needs ${step * bpe} bytes, over maxStorageBufferBindingSize ${o.maxBindingBytes}`,
    );
  }
  const out: BindingChunk[] = [];
  for (let e = 0; e < o.elements; e += perChunk) {
    const n = Math.min(perChunk, o.elements - e);
    out.push({ elementOffset: e, elementCount: n, byteOffset: e * bpe, byteSize: Math.ceil((n * bpe) / 4) * 4 });
  }
  return out;
}

/**
 * WGSL helper for folded 1-D dispatches (see {@link foldWorkgroups}): the linear workgroup index.
 * Use with `@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u`.
 */
export const WGSL_LINEAR_WORKGROUP = /* wgsl */ `
fn linear_workgroup(wid: vec3u, nwg: vec3u) -> u32 {
  return wid.x + nwg.x * (wid.y + nwg.y * wid.z);
}`;

/**
 * WGSL helper for offset-split N-D dispatches (see {@link planDispatch}): the global workgroup id.
 * Expects a uniform `u` whose struct starts with `wg_offset_x/y/z` (`defineUniforms(…, { workgroupOffset: true })`).
 */
export const WGSL_WORKGROUP_OFFSET = /* wgsl */ `
fn global_workgroup(wid: vec3u) -> vec3u {
  return wid + vec3u(u.wg_offset_x, u.wg_offset_y, u.wg_offset_z);
}`;
