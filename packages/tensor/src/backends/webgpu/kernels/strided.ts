/**
 * Strided copies: the one WGSL program family behind transpose, slice, pad, concat and the
 * re-layout step of reductions. Elements are moved as raw 32-bit words (`array<u32>`), so one
 * compiled pipeline serves f32 and i32 alike.
 *
 * - gather form: `out[i] = in[base + Σ_k c_k(i)·s_k]`, `c(i)` = coordinates of i in `dims` (out is
 *   contiguous, the input is read through strides);
 * - scatter form: `out[base + Σ_k c_k(i)·s_k] = in[i]` (the input is contiguous).
 *
 * Shapes are first collapsed (unit axes dropped, neighbours that stay contiguous merged), so the
 * usual cases need 1–3 dimensions; {@link MAX_STRIDED_RANK} after collapsing is the limit.
 *
 * Past `maxStorageBufferBindingSize` (either side), the iteration space is split into boxes in which
 * both sides span at most a binding window (`splitBox`), and each box runs the copy form
 * `dst[dbase + Σ c_k·ds_k] = src[sbase + Σ c_k·ss_k]` on windows of both tensors.
 */
import type { Storage } from '../../../backend.js';
import { ShapeError, fmtShape } from '../../../errors.js';
import { WGSL_LINEAR_WORKGROUP } from '../limits-plan.js';
import type { GpuProgram } from '../pipeline-cache.js';
import { defineUniforms } from '../uniforms.js';
import type { WebGpuBackend } from '../webgpu-backend.js';
import { WG_1D, contiguousStrides, programMemo } from './common.js';
import { bindWindow, boxOffset, boxSpan, fitsBinding, splitBox, windowBudget } from './windows.js';

/** Most dimensions a strided copy handles after collapsing. */
export const MAX_STRIDED_RANK = 6;

const FIELDS: Record<string, 'u32'> = { n: 'u32', base: 'u32' };
for (let k = 0; k < MAX_STRIDED_RANK; k++) FIELDS[`d${k}`] = 'u32';
for (let k = 0; k < MAX_STRIDED_RANK; k++) FIELDS[`s${k}`] = 'u32';
/** Uniforms of both forms: element count, base offset, dims and strides (leading unit dims padded). */
export const STRIDED_UNIFORMS = defineUniforms(FIELDS);

/** WGSL: offset of linear index `i` through the uniform dims/strides. */
function offsetFn(): string {
  const lines: string[] = [];
  for (let k = MAX_STRIDED_RANK - 1; k >= 0; k--) {
    lines.push(`  off += (rem % u.d${k}) * u.s${k};`);
    if (k > 0) lines.push(`  rem = rem / u.d${k};`);
  }
  return `fn strided_offset(i: u32) -> u32 {
  var rem = i;
  var off = u.base;
${lines.join('\n')}
  return off;
}`;
}

const program = programMemo<'gather' | 'scatter'>((form) => ({
  name: `strided-${form}`,
  key: 'u32',
  bindings: ['read', 'read_write', 'uniform'],
  wgsl: () => /* wgsl */ `
${STRIDED_UNIFORMS.wgsl()}
@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<uniform> u: Uniforms;
${WGSL_LINEAR_WORKGROUP}
${offsetFn()}
@compute @workgroup_size(${WG_1D})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = linear_workgroup(wid, nwg) * ${WG_1D}u + li;
  if (i >= u.n) { return; }
  ${form === 'gather' ? 'dst[i] = src[strided_offset(i)];' : 'dst[strided_offset(i)] = src[i];'}
}`,
}));

const COPY_FIELDS: Record<string, 'u32'> = { n: 'u32', sbase: 'u32', dbase: 'u32' };
for (let k = 0; k < MAX_STRIDED_RANK; k++) COPY_FIELDS[`d${k}`] = 'u32';
for (let k = 0; k < MAX_STRIDED_RANK; k++) COPY_FIELDS[`ss${k}`] = 'u32';
for (let k = 0; k < MAX_STRIDED_RANK; k++) COPY_FIELDS[`ds${k}`] = 'u32';
/** Uniforms of the copy form (strided on both sides; the chunked path). */
const COPY_UNIFORMS = defineUniforms(COPY_FIELDS);

function copyOffsetsWgsl(): string {
  const lines: string[] = [];
  for (let k = MAX_STRIDED_RANK - 1; k >= 0; k--) {
    lines.push(`{ let c = rem % u.d${k}; so += c * u.ss${k}; dof += c * u.ds${k}; rem = rem / u.d${k}; }`);
  }
  return lines.join('\n  ');
}

/** `dst[dbase + Σ c_k·ds_k] = src[sbase + Σ c_k·ss_k]` over a box `d` (both sides strided). */
const copyProgram: GpuProgram = {
  name: 'strided-copy',
  key: 'u32',
  bindings: ['read', 'read_write', 'uniform'],
  wgsl: () => /* wgsl */ `
${COPY_UNIFORMS.wgsl()}
@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<uniform> u: Uniforms;
${WGSL_LINEAR_WORKGROUP}
@compute @workgroup_size(${WG_1D})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = linear_workgroup(wid, nwg) * ${WG_1D}u + li;
  if (i >= u.n) { return; }
  var rem = i;
  var so = u.sbase;
  var dof = u.dbase;
  ${copyOffsetsWgsl()}
  dst[dof] = src[so];
}`,
};

/** Dimensions plus one stride array per operand, after {@link collapseDims}. */
export interface Collapsed {
  readonly dims: number[];
  readonly strides: number[][];
}

/**
 * Drops unit dimensions and merges neighbours `k, k+1` wherever every operand has
 * `stride[k] = stride[k+1]·dims[k+1]` (they walk memory as one dimension). Returns at least one
 * dimension.
 */
export function collapseDims(dims: readonly number[], strides: readonly (readonly number[])[]): Collapsed {
  const outDims: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let k = 0; k < dims.length; k++) {
    const d = dims[k];
    if (d === 1) continue;
    const last = outDims.length - 1;
    if (last >= 0 && strides.every((s, t) => outStrides[t][last] === s[k] * d)) {
      outDims[last] *= d;
      strides.forEach((s, t) => (outStrides[t][last] = s[k]));
    } else {
      outDims.push(d);
      strides.forEach((s, t) => outStrides[t].push(s[k]));
    }
  }
  if (outDims.length === 0) {
    outDims.push(1);
    outStrides.forEach((s) => s.push(0));
  }
  return { dims: outDims, strides: outStrides };
}

/** Uniform values for dims/strides, padded with leading unit dimensions. */
function stridedValues(op: string, n: number, base: number, dims: readonly number[], strides: readonly number[]): Record<string, number> {
  if (dims.length > MAX_STRIDED_RANK) {
    throw new ShapeError(op, `the strided copy of shape ${fmtShape(dims)} still has ${dims.length} dimensions after merging contiguous ones; at most ${MAX_STRIDED_RANK} are supported on webgpu`);
  }
  const v: Record<string, number> = { n, base };
  const pad = MAX_STRIDED_RANK - dims.length;
  for (let k = 0; k < MAX_STRIDED_RANK; k++) {
    v[`d${k}`] = k < pad ? 1 : dims[k - pad];
    v[`s${k}`] = k < pad ? 0 : strides[k - pad];
  }
  return v;
}

/**
 * `dst[dstBase + Σ c·dstStrides] = src[srcBase + Σ c·srcStrides]` over `dims` (already collapsed),
 * split into boxes whose windows of both tensors fit one binding.
 */
function chunkedCopy(
  gpu: WebGpuBackend, op: string, src: Storage, srcStrides: readonly number[], srcBase: number,
  dst: Storage, dstStrides: readonly number[], dstBase: number, dims: readonly number[],
): void {
  if (dims.length > MAX_STRIDED_RANK) stridedValues(op, 0, 0, dims, srcStrides); // throws the rank error
  for (const box of splitBox(dims, [srcStrides, dstStrides], windowBudget(gpu))) {
    const n = box.len.reduce((p, d) => p * d, 1);
    const s0 = srcBase + boxOffset(box.start, srcStrides);
    const d0 = dstBase + boxOffset(box.start, dstStrides);
    const sw = bindWindow(gpu, src, op, s0, s0 + boxSpan(box.len, srcStrides));
    const dw = bindWindow(gpu, dst, op, d0, d0 + boxSpan(box.len, dstStrides));
    const values: Record<string, number> = { n, sbase: s0 - sw.start, dbase: d0 - dw.start };
    const pad = MAX_STRIDED_RANK - dims.length;
    for (let k = 0; k < MAX_STRIDED_RANK; k++) {
      values[`d${k}`] = k < pad ? 1 : box.len[k - pad];
      values[`ss${k}`] = k < pad ? 0 : srcStrides[k - pad];
      values[`ds${k}`] = k < pad ? 0 : dstStrides[k - pad];
    }
    gpu.dispatch({
      program: copyProgram,
      storage: [sw.binding, dw.binding],
      uniforms: { layout: COPY_UNIFORMS, values },
      workgroups: { linear: Math.ceil(n / WG_1D) },
      sizes: `[${box.len.join(',')}]`,
      cost: n,
    });
  }
}

/**
 * Queues `dst[0..n) = src[base + strided(dims, srcStrides)]` (dst contiguous over `dims`).
 * `dims`/`srcStrides` are collapsed here.
 */
export function stridedGather(
  gpu: WebGpuBackend, op: string, src: Storage, dst: Storage, dims: readonly number[], srcStrides: readonly number[], base = 0,
): void {
  const n = dims.reduce((p, d) => p * d, 1);
  if (n === 0) return;
  if (!fitsBinding(gpu, src, op) || !fitsBinding(gpu, dst, op)) {
    const c = collapseDims(dims, [srcStrides, contiguousStrides(dims)]);
    chunkedCopy(gpu, op, src, c.strides[0], base, dst, c.strides[1], 0, c.dims);
    return;
  }
  const c = collapseDims(dims, [srcStrides]);
  gpu.dispatch({
    program: program('gather'),
    storage: [gpu.binding(src, op), gpu.binding(dst, op)],
    uniforms: { layout: STRIDED_UNIFORMS, values: stridedValues(op, n, base, c.dims, c.strides[0]) },
    workgroups: { linear: Math.ceil(n / WG_1D) },
    sizes: `[${dims.join(',')}]`,
    cost: n,
  });
}

/**
 * Queues `dst[base + strided(dims, dstStrides)] = src[0..n)` (src contiguous over `dims`).
 */
export function stridedScatter(
  gpu: WebGpuBackend, op: string, src: Storage, dst: Storage, dims: readonly number[], dstStrides: readonly number[], base = 0,
): void {
  const n = dims.reduce((p, d) => p * d, 1);
  if (n === 0) return;
  if (!fitsBinding(gpu, src, op) || !fitsBinding(gpu, dst, op)) {
    const c = collapseDims(dims, [contiguousStrides(dims), dstStrides]);
    chunkedCopy(gpu, op, src, c.strides[0], 0, dst, c.strides[1], base, c.dims);
    return;
  }
  const c = collapseDims(dims, [dstStrides]);
  gpu.dispatch({
    program: program('scatter'),
    storage: [gpu.binding(src, op), gpu.binding(dst, op)],
    uniforms: { layout: STRIDED_UNIFORMS, values: stridedValues(op, n, base, c.dims, c.strides[0]) },
    workgroups: { linear: Math.ceil(n / WG_1D) },
    sizes: `[${dims.join(',')}]`,
    cost: n,
  });
}
