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
 * usual cases need 1–3 dimensions; `MAX_STRIDED_RANK` (`strided-index.ts`) after collapsing is the limit.
 *
 * Past `maxStorageBufferBindingSize` (either side), the iteration space is split into boxes in which
 * both sides span at most a binding window (`splitBox`), and each box runs the copy form
 * `dst[dbase + Σ c_k·ds_k] = src[sbase + Σ c_k·ss_k]` on windows of both tensors.
 */
import type { Storage } from '../../../backend.js';
import { ShapeError, fmtShape } from '../../../errors.js';
import { stridesOf } from '../../../shape.js';
import { collapseAxes, offsetOf } from '../../index-space.js';
import type { GpuProgram } from '../pipeline-cache.js';
import { defineUniforms } from '../uniforms.js';
import type { WebGpuBackend } from '../webgpu-backend.js';
import { WG_1D, programMemo } from './common.js';
import { MAX_STRIDED_RANK, stridedFields, stridedValues, wgslStridedOffsets } from './strided-index.js';
import { bindWindow, boxSpan, fitsBinding, splitBox, windowBudget } from './windows.js';
import { wgslLinearMain } from './wgsl-workgroup.js';

/** Uniforms of the gather and scatter forms: element count, base offset, dims and strides. */
const STRIDED_UNIFORMS = defineUniforms({ n: 'u32', base: 'u32', ...stridedFields(['s']) });

const program = programMemo<'gather' | 'scatter'>((form) => ({
  name: `strided-${form}`,
  key: 'u32',
  bindings: ['read', 'read_write', 'uniform'],
  wgsl: () => /* wgsl */ `
${STRIDED_UNIFORMS.wgsl()}
@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<uniform> u: Uniforms;
// Offset of linear index i through the uniform dims/strides.
fn strided_offset(i: u32) -> u32 {
  var rem = i;
  var off = u.base;
  ${wgslStridedOffsets(['s'], ['off'])}
  return off;
}
${wgslLinearMain({ wg: WG_1D, index: 'i', count: 'u.n' }, form === 'gather' ? 'dst[i] = src[strided_offset(i)];' : 'dst[strided_offset(i)] = src[i];')}`,
}));

/** Uniforms of the copy form (strided on both sides; the chunked path). */
const COPY_UNIFORMS = defineUniforms({ n: 'u32', sbase: 'u32', dbase: 'u32', ...stridedFields(['ss', 'ds']) });

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
${wgslLinearMain({ wg: WG_1D, index: 'i', count: 'u.n' }, /* wgsl */ `var rem = i;
  var so = u.sbase;
  var dof = u.dbase;
  ${wgslStridedOffsets(['ss', 'ds'], ['so', 'dof'])}
  dst[dof] = src[so];`)}`,
};

/** Throws naming `op` when a collapsed copy still has more dimensions than the programs handle. */
function checkRank(op: string, dims: readonly number[]): void {
  if (dims.length > MAX_STRIDED_RANK) {
    throw new ShapeError(op, `the strided copy of shape ${fmtShape(dims)} still has ${dims.length} dimensions after merging contiguous ones; at most ${MAX_STRIDED_RANK} are supported on webgpu`);
  }
}

/**
 * `dst[dstBase + Σ c·dstStrides] = src[srcBase + Σ c·srcStrides]` over `dims` (already collapsed),
 * split into boxes whose windows of both tensors fit one binding.
 */
function chunkedCopy(
  gpu: WebGpuBackend, op: string, src: Storage, srcStrides: readonly number[], srcBase: number,
  dst: Storage, dstStrides: readonly number[], dstBase: number, dims: readonly number[],
): void {
  checkRank(op, dims);
  for (const box of splitBox(dims, [srcStrides, dstStrides], windowBudget(gpu))) {
    const n = box.len.reduce((p, d) => p * d, 1);
    const s0 = srcBase + offsetOf(box.start, srcStrides);
    const d0 = dstBase + offsetOf(box.start, dstStrides);
    const sw = bindWindow(gpu, src, op, s0, s0 + boxSpan(box.len, srcStrides));
    const dw = bindWindow(gpu, dst, op, d0, d0 + boxSpan(box.len, dstStrides));
    gpu.dispatch({
      program: copyProgram,
      storage: [sw.binding, dw.binding],
      uniforms: { layout: COPY_UNIFORMS, values: stridedValues({ n, sbase: s0 - sw.start, dbase: d0 - dw.start }, ['ss', 'ds'], box.len, [srcStrides, dstStrides]) },
      workgroups: { linear: Math.ceil(n / WG_1D) },
      sizes: `[${box.len.join(',')}]`,
      cost: n,
    });
  }
}

/**
 * One strided copy over `dims` between a contiguous side and a side read (`gather`) or written
 * (`scatter`) through `strides` from element `base`.
 */
function stridedCopy(
  form: 'gather' | 'scatter', gpu: WebGpuBackend, op: string, src: Storage, dst: Storage, dims: readonly number[], strides: readonly number[], base: number,
): void {
  const n = dims.reduce((p, d) => p * d, 1);
  if (n === 0) return;
  if (!fitsBinding(gpu, src, op) || !fitsBinding(gpu, dst, op)) {
    const contiguous = stridesOf(dims);
    const c = collapseAxes(dims, form === 'gather' ? [strides, contiguous] : [contiguous, strides]);
    const [srcBase, dstBase] = form === 'gather' ? [base, 0] : [0, base];
    chunkedCopy(gpu, op, src, c.strides[0], srcBase, dst, c.strides[1], dstBase, c.shape);
    return;
  }
  const c = collapseAxes(dims, [strides]);
  checkRank(op, c.shape);
  gpu.dispatch({
    program: program(form),
    storage: [gpu.binding(src, op), gpu.binding(dst, op)],
    uniforms: { layout: STRIDED_UNIFORMS, values: stridedValues({ n, base }, ['s'], c.shape, c.strides) },
    workgroups: { linear: Math.ceil(n / WG_1D) },
    sizes: `[${dims.join(',')}]`,
    cost: n,
  });
}

/**
 * Queues `dst[0..n) = src[base + strided(dims, srcStrides)]` (dst contiguous over `dims`).
 * `dims`/`srcStrides` are collapsed here.
 */
export function stridedGather(
  gpu: WebGpuBackend, op: string, src: Storage, dst: Storage, dims: readonly number[], srcStrides: readonly number[], base = 0,
): void {
  stridedCopy('gather', gpu, op, src, dst, dims, srcStrides, base);
}

/**
 * Queues `dst[base + strided(dims, dstStrides)] = src[0..n)` (src contiguous over `dims`).
 */
export function stridedScatter(
  gpu: WebGpuBackend, op: string, src: Storage, dst: Storage, dims: readonly number[], dstStrides: readonly number[], base = 0,
): void {
  stridedCopy('scatter', gpu, op, src, dst, dims, dstStrides, base);
}
