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
 */
import type { Storage } from '../../../backend.js';
import { ShapeError, fmtShape } from '../../../errors.js';
import { WGSL_LINEAR_WORKGROUP } from '../limits-plan.js';
import { defineUniforms } from '../uniforms.js';
import type { WebGpuBackend } from '../webgpu-backend.js';
import { WG_1D, bindWhole, programMemo } from './common.js';

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
 * Queues `dst[0..n) = src[base + strided(dims, srcStrides)]` (dst contiguous over `dims`).
 * `dims`/`srcStrides` are collapsed here.
 */
export function stridedGather(
  gpu: WebGpuBackend, op: string, src: Storage, dst: Storage, dims: readonly number[], srcStrides: readonly number[], base = 0,
): void {
  const n = dims.reduce((p, d) => p * d, 1);
  if (n === 0) return;
  const c = collapseDims(dims, [srcStrides]);
  gpu.dispatch({
    program: program('gather'),
    storage: [bindWhole(gpu, src, op, 'input'), bindWhole(gpu, dst, op, 'output')],
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
  const c = collapseDims(dims, [dstStrides]);
  gpu.dispatch({
    program: program('scatter'),
    storage: [bindWhole(gpu, src, op, 'input'), bindWhole(gpu, dst, op, 'output')],
    uniforms: { layout: STRIDED_UNIFORMS, values: stridedValues(op, n, base, c.dims, c.strides[0]) },
    workgroups: { linear: Math.ceil(n / WG_1D) },
    sizes: `[${dims.join(',')}]`,
    cost: n,
  });
}
