/**
 * WebGPU implementations of Gather, ScatterAdd, OneHot and Fill.
 *
 * ScatterAdd is deterministic (no float atomics, whose summation order would vary run to run): one
 * single-workgroup pass builds, from the indices alone, a stable counting sort — segment ends per
 * output slot and the update positions `perm` grouped by slot in ascending order — and a second
 * pass lets every output element sum its segment in that order. Out-of-range indices are skipped.
 *
 * Past `maxStorageBufferBindingSize`: the output of every kernel here is written in ranges, each
 * bound as its own window. Gather binds the table (e.g. a 154 MB RoBERTa embedding) in consecutive
 * element ranges, one dispatch per range; each output element is written by the dispatch whose range
 * holds its source element (invalid indices write 0 in the first). ScatterAdd binds the updates in
 * ranges too and carries each output's running sum through the output between them: segments are
 * summed in ascending update order, so the result is bit-identical to one pass. Index arrays, the
 * segment table and the order (a few bytes per token or vocabulary entry) are bound whole.
 */
import type { Storage } from '../../../backend.js';
import type { DType } from '../../../dtype.js';
import { type KernelImpl, registerKernel } from '../../../kernel.js';
import { Fill, Gather, OneHot, ScatterAdd } from '../../../kernels/defs.js';
import { normalizeAxis } from '../../../shape.js';
import { prod } from '../../index-space.js';
import type { GpuProgram } from '../pipeline-cache.js';
import { defineUniforms } from '../uniforms.js';
import type { WebGpuBackend, WebGpuStorage } from '../webgpu-backend.js';
import { WG_1D, allocOut, bindWhole, gpuOf, rejectF64, sizesOf } from './common.js';
import { wgslLinearMain } from './wgsl-workgroup.js';
import { type Range, type Window, bindWindow, rangesFor } from './windows.js';

/** Consecutive ranges of the `n` elements of `s`, each within one binding window (one range when `s` fits). */
function flatRanges(gpu: WebGpuBackend, op: string, s: Storage, n: number): readonly Range[] {
  return rangesFor(gpu, op, 'an element', [s], n, (lo, hi) => hi - lo);
}

/** Elements `[lo, hi)` of a tensor, bound as `window`. */
interface BoundRange {
  readonly lo: number;
  readonly hi: number;
  readonly window: Window;
}

/**
 * Calls `dispatch` for every pair of a range of the `n` output elements and a range of the `srcSize`
 * source elements, each bound as its own window (one pair when both fit whole). For each output range
 * the source ranges come in ascending order, `first` marking the first.
 */
function forEachRangePair(
  gpu: WebGpuBackend, op: string, out: Storage, n: number, src: Storage, srcSize: number,
  dispatch: (o: BoundRange, s: BoundRange, first: boolean) => void,
): void {
  const sources = flatRanges(gpu, op, src, srcSize);
  for (const [o0, o1] of flatRanges(gpu, op, out, n)) {
    const o = { lo: o0, hi: o1, window: bindWindow(gpu, out, op, o0, o1) };
    for (const [t, [lo, hi]] of sources.entries()) {
      dispatch(o, { lo, hi, window: bindWindow(gpu, src, op, lo, Math.max(hi, lo + 1)) }, t === 0);
    }
  }
}

const GATHER_U = defineUniforms({
  n: 'u32', o0: 'u32', ostart: 'u32', inner: 'u32', count: 'u32', len: 'u32', lo: 'u32', hi: 'u32', xstart: 'u32', zero_invalid: 'u32',
});

/**
 * `out[o, j, i] = x[o, idx[j], i]` (0 for an out-of-range index), as 32-bit words, for outputs
 * `o0 ..< o0 + n` whose source element lies in the bound table range `[lo, hi)`.
 */
const gatherProgram: GpuProgram = {
  name: 'gather',
  key: 'u32',
  bindings: ['read', 'read', 'read_write', 'uniform'],
  wgsl: () => /* wgsl */ `
${GATHER_U.wgsl()}
@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read> idx: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<uniform> u: Uniforms;
${wgslLinearMain({ wg: WG_1D, index: 'local', count: 'u.n' }, /* wgsl */ `let i = u.o0 + local;
  let inner = i % u.inner;
  let t = i / u.inner;
  let j = t % u.count;
  let o = t / u.count;
  let k = idx[j];
  if (k < 0 || u32(k) >= u.len) {
    if (u.zero_invalid != 0u) { out[i - u.ostart] = 0u; }
    return;
  }
  let s = (o * u.len + u32(k)) * u.inner + inner;
  if (s >= u.lo && s < u.hi) { out[i - u.ostart] = x[s - u.xstart]; }`)}`,
};

export const gatherGpu: KernelImpl<{ axis: number }> = (inputs, attrs, outputs, backend) => {
  const gpu = gpuOf(backend, 'gather');
  const [x, idx] = inputs;
  rejectF64('gather', x);
  const out = allocOut(gpu, outputs[0]);
  const n = out.size;
  if (n === 0) return [out];
  const axis = normalizeAxis('gather', attrs.axis, x.shape.length);
  const ib = bindWhole(gpu, idx.storage, 'gather', 'indices');
  const common = { inner: prod(x.shape, axis + 1), count: idx.shape[0], len: x.shape[axis] };
  forEachRangePair(gpu, 'gather', out, n, x.storage, x.size, (o, s, first) => {
    gpu.dispatch({
      program: gatherProgram,
      storage: [s.window.binding, ib, o.window.binding],
      uniforms: {
        layout: GATHER_U,
        values: { ...common, n: o.hi - o.lo, o0: o.lo, ostart: o.window.start, lo: s.lo, hi: s.hi, xstart: s.window.start, zero_invalid: first ? 1 : 0 },
      },
      workgroups: { linear: Math.ceil((o.hi - o.lo) / WG_1D) },
      sizes: sizesOf(x.shape, idx.shape),
      cost: o.hi - o.lo,
    });
  });
  return [out];
};

const PLAN_WG = 256;
const PLAN_U = defineUniforms({ count: 'u32', size: 'u32' });

/**
 * One workgroup: `seg[s+1]` = number of valid indices equal to s, exclusive-scanned in place, then a
 * stable placement in blocks of {@link PLAN_WG} indices that advances `seg[k]` as a cursor. At the
 * end `seg[k]` is the END of slot k's segment (its start is `seg[k-1]`, or 0), and
 * `perm[seg[k-1] ..< seg[k]]` lists the update positions j with `idx[j] = k`, ascending.
 */
const planProgram: GpuProgram = {
  name: 'scatter-add-plan',
  key: 'u32',
  bindings: ['read', 'read_write', 'read_write', 'uniform'],
  wgsl: () => /* wgsl */ `
${PLAN_U.wgsl()}
@group(0) @binding(0) var<storage, read> idx: array<i32>;
@group(0) @binding(1) var<storage, read_write> seg: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read_write> perm: array<u32>;
@group(0) @binding(3) var<uniform> u: Uniforms;

const WG = ${PLAN_WG}u;
var<workgroup> part: array<u32, ${PLAN_WG}>;
var<workgroup> keys: array<i32, ${PLAN_WG}>;

fn valid(k: i32) -> bool { return k >= 0 && u32(k) < u.size; }

fn sync_all() {
  storageBarrier();
  workgroupBarrier();
}

@compute @workgroup_size(${PLAN_WG})
fn main(@builtin(local_invocation_index) li: u32) {
  // 1. zero the counters
  for (var s = li; s <= u.size; s += WG) { atomicStore(&seg[s], 0u); }
  sync_all();
  // 2. count
  for (var j = li; j < u.count; j += WG) {
    let k = idx[j];
    if (valid(k)) { atomicAdd(&seg[u32(k) + 1u], 1u); }
  }
  sync_all();
  // 3. exclusive scan of seg[0..size]: each thread owns a contiguous block of the counters.
  let per = (u.size + 1u + WG - 1u) / WG;
  let lo = min(li * per, u.size + 1u);
  let hi = min(lo + per, u.size + 1u);
  var local = 0u;
  for (var s = lo; s < hi; s++) { local += atomicLoad(&seg[s]); }
  part[li] = local;
  workgroupBarrier();
  for (var step = 1u; step < WG; step = step << 1u) {
    var v = 0u;
    if (li >= step) { v = part[li - step]; }
    workgroupBarrier();
    part[li] += v;
    workgroupBarrier();
  }
  var run = part[li] - local; // exclusive prefix of this block
  for (var s = lo; s < hi; s++) {
    run += atomicLoad(&seg[s]);
    atomicStore(&seg[s], run); // inclusive at s == start of slot s (seg[0] = 0)
  }
  sync_all();
  // 4. stable placement, block by block; seg[k] advances as slot k's cursor.
  for (var b = 0u; b < u.count; b += WG) {
    let j = b + li;
    var k = -1;
    if (j < u.count) { k = idx[j]; }
    keys[li] = k;
    workgroupBarrier();
    var before = 0u;
    var last = true;
    if (valid(k)) {
      let n = min(WG, u.count - b);
      for (var t = 0u; t < n; t++) {
        if (keys[t] == k) {
          if (t < li) { before += 1u; }
          if (t > li) { last = false; }
        }
      }
      perm[atomicLoad(&seg[u32(k)]) + before] = j;
    }
    // Every thread of the block has read its cursor before the last of each key advances it.
    sync_all();
    if (valid(k) && last) { atomicAdd(&seg[u32(k)], before + 1u); }
    sync_all();
  }
}
`,
};

const SUM_U = defineUniforms({
  n: 'u32', o0: 'u32', ostart: 'u32', inner: 'u32', count: 'u32', size: 'u32', lo: 'u32', hi: 'u32', ustart: 'u32', accumulate: 'u32',
});

/**
 * `out[o, s, i] = Σ_{p ∈ segment s} upd[o, perm[p], i]`, in ascending update order, for outputs
 * `o0 ..< o0 + n`, over the update elements in the bound range `[lo, hi)`; `accumulate` continues
 * the sums left in `out` by the previous range.
 */
const sumProgram: GpuProgram = {
  name: 'scatter-add-sum',
  key: 'f32',
  bindings: ['read', 'read', 'read', 'read_write', 'uniform'],
  wgsl: () => /* wgsl */ `
${SUM_U.wgsl()}
@group(0) @binding(0) var<storage, read> upd: array<f32>;
@group(0) @binding(1) var<storage, read> seg: array<u32>;
@group(0) @binding(2) var<storage, read> perm: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> u: Uniforms;
${wgslLinearMain({ wg: WG_1D, index: 'local', count: 'u.n' }, /* wgsl */ `let i = u.o0 + local;
  let inner = i % u.inner;
  let t = i / u.inner;
  let s = t % u.size;
  let o = t / u.size;
  var start = 0u;
  if (s > 0u) { start = seg[s - 1u]; }
  let end = seg[s];
  var acc = 0.0;
  if (u.accumulate != 0u) { acc = out[i - u.ostart]; }
  for (var p = start; p < end; p++) {
    // Ascending in p (the segment lists updates in order), so a range is a contiguous run of p.
    let e = (o * u.count + perm[p]) * u.inner + inner;
    if (e >= u.hi) { break; }
    if (e >= u.lo) { acc += upd[e - u.ustart]; }
  }
  out[i - u.ostart] = acc;`)}`,
};

export const scatterAddGpu: KernelImpl<{ axis: number; size: number }> = (inputs, attrs, outputs, backend) => {
  const gpu = gpuOf(backend, 'scatterAdd');
  const [idx, upd] = inputs;
  rejectF64('scatterAdd', upd);
  const out = allocOut(gpu, outputs[0]);
  const n = out.size;
  if (n === 0) return [out];
  const axis = normalizeAxis('scatterAdd', attrs.axis, upd.shape.length);
  const count = idx.shape[0];
  if (count === 0) {
    gpu.batcher.clear(out.buffer, 0, n * 4, 'scatterAdd');
    return [out];
  }
  const seg = gpu.allocate('i32', attrs.size + 1);
  const perm = gpu.allocate('i32', count);
  gpu.dispatch({
    program: planProgram,
    storage: [bindWhole(gpu, idx.storage, 'scatterAdd', 'indices'), bindWhole(gpu, seg, 'scatterAdd', 'segments'), bindWhole(gpu, perm, 'scatterAdd', 'order')],
    uniforms: { layout: PLAN_U, values: { count, size: attrs.size } },
    workgroups: 1,
    sizes: `[${count}]→${attrs.size}`,
    cost: count + attrs.size,
  });
  const segB = bindWhole(gpu, seg, 'scatterAdd', 'segments');
  const permB = bindWhole(gpu, perm, 'scatterAdd', 'order');
  const common = { inner: prod(upd.shape, axis + 1), count, size: attrs.size };
  forEachRangePair(gpu, 'scatterAdd', out, n, upd.storage, upd.size, (o, u, first) => {
    gpu.dispatch({
      program: sumProgram,
      storage: [u.window.binding, segB, permB, o.window.binding],
      uniforms: {
        layout: SUM_U,
        values: { ...common, n: o.hi - o.lo, o0: o.lo, ostart: o.window.start, lo: u.lo, hi: u.hi, ustart: u.window.start, accumulate: first ? 0 : 1 },
      },
      workgroups: { linear: Math.ceil((o.hi - o.lo) / WG_1D) },
      sizes: sizesOf(upd.shape),
      cost: u.hi - u.lo + o.hi - o.lo,
    });
  });
  // Pooled buffers are quarantined until the batch that reads them is submitted.
  gpu.release(seg);
  gpu.release(perm);
  return [out];
};

const ONE_HOT_U = defineUniforms({ n: 'u32', o0: 'u32', ostart: 'u32', depth: 'u32', one: 'u32' });

const oneHotProgram: GpuProgram = {
  name: 'one-hot',
  key: 'u32',
  bindings: ['read', 'read_write', 'uniform'],
  wgsl: () => /* wgsl */ `
${ONE_HOT_U.wgsl()}
@group(0) @binding(0) var<storage, read> idx: array<i32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<uniform> u: Uniforms;
${wgslLinearMain({ wg: WG_1D, index: 'local', count: 'u.n' }, /* wgsl */ `let i = u.o0 + local;
  let k = idx[i / u.depth];
  out[i - u.ostart] = select(0u, u.one, k >= 0 && u32(k) == i % u.depth);`)}`,
};

/** Bit pattern of the value 1 (or `v`) in `dtype`, for word-level kernels. */
function bitsOf(v: number, dtype: DType): number {
  if (dtype === 'i32') return (v | 0) >>> 0;
  return new Uint32Array(Float32Array.of(v).buffer)[0];
}

export const oneHotGpu: KernelImpl<{ depth: number; dtype?: DType }> = (inputs, attrs, outputs, backend) => {
  const gpu = gpuOf(backend, 'oneHot');
  const info = outputs[0];
  rejectF64('oneHot', info);
  const out = allocOut(gpu, info);
  const n = out.size;
  if (n === 0) return [out];
  const ib = bindWhole(gpu, inputs[0].storage, 'oneHot', 'indices');
  for (const [o0, o1] of flatRanges(gpu, 'oneHot', out, n)) {
    const ow = bindWindow(gpu, out, 'oneHot', o0, o1);
    gpu.dispatch({
      program: oneHotProgram,
      storage: [ib, ow.binding],
      uniforms: { layout: ONE_HOT_U, values: { n: o1 - o0, o0, ostart: ow.start, depth: attrs.depth, one: bitsOf(1, info.dtype) } },
      workgroups: { linear: Math.ceil((o1 - o0) / WG_1D) },
      sizes: sizesOf(info.shape),
      cost: o1 - o0,
    });
  }
  return [out];
};

const FILL_U = defineUniforms({ n: 'u32', base: 'u32', bits: 'u32' });

const fillProgram: GpuProgram = {
  name: 'fill',
  key: 'u32',
  bindings: ['read_write', 'uniform'],
  wgsl: () => /* wgsl */ `
${FILL_U.wgsl()}
@group(0) @binding(0) var<storage, read_write> out: array<u32>;
@group(0) @binding(1) var<uniform> u: Uniforms;
${wgslLinearMain({ wg: WG_1D, index: 'i', count: 'u.n' }, 'out[u.base + i] = u.bits;')}`,
};

/** Sets every 32-bit word of `out` to `bits` (a buffer clear for 0), in windows past the binding limit. */
export function fillWords(gpu: WebGpuBackend, out: WebGpuStorage, bits: number, op: string): void {
  if (out.size === 0) return;
  if (bits === 0) {
    gpu.batcher.clear(out.buffer, 0, out.size * 4, op);
    return;
  }
  for (const [lo, hi] of flatRanges(gpu, op, out, out.size)) {
    const w = bindWindow(gpu, out, op, lo, hi);
    gpu.dispatch({
      program: fillProgram,
      storage: [w.binding],
      uniforms: { layout: FILL_U, values: { n: hi - lo, base: lo - w.start, bits } },
      workgroups: { linear: Math.ceil((hi - lo) / WG_1D) },
      sizes: `[${out.size}]`,
      cost: hi - lo,
    });
  }
}

export const fillGpu: KernelImpl<{ shape: readonly number[]; value: number; dtype: DType }> = (_inputs, attrs, outputs, backend) => {
  const gpu = gpuOf(backend, 'fill');
  rejectF64('fill', outputs[0]);
  const out = allocOut(gpu, outputs[0]);
  fillWords(gpu, out, bitsOf(attrs.value, attrs.dtype), 'fill');
  return [out];
};

/** Registers gather, scatterAdd, oneHot and fill on `webgpu`. */
export function registerGatherGpu(): void {
  registerKernel(Gather, 'webgpu', gatherGpu);
  registerKernel(ScatterAdd, 'webgpu', scatterAddGpu);
  registerKernel(OneHot, 'webgpu', oneHotGpu);
  registerKernel(Fill, 'webgpu', fillGpu);
}
