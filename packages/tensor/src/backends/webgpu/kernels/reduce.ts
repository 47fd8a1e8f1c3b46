/**
 * WebGPU implementations of Reduce (sum/mean/max/min over any axes), ArgMax, Softmax and LogSoftmax.
 *
 * Reduce collapses the input into alternating kept/reduced groups of axes and picks a program:
 * - `[kept?, reduced]` → row reduction: one workgroup per row for long rows (per-thread Kahan sums,
 *   then a tree in workgroup memory), one thread per row for short ones; a single huge row is reduced
 *   in two passes so it is spread over many workgroups;
 * - `[kept?, reduced, kept]` → column reduction: one thread per output, Kahan-compensated loop;
 * - anything else is first re-laid out by a strided gather to `[kept…, reduced…]`.
 */
import type { Tensor } from '../../../tensor.js';
import { type KernelImpl, registerKernel } from '../../../kernel.js';
import { ArgMax, LogSoftmax, Reduce, type ReduceOpName, Softmax, reduceAxes } from '../../../kernels/defs.js';
import { normalizeAxis } from '../../../shape.js';
import { WGSL_LINEAR_WORKGROUP } from '../limits-plan.js';
import { defineUniforms } from '../uniforms.js';
import type { WebGpuBackend, WebGpuStorage } from '../webgpu-backend.js';
import { WG_1D, allocOut, bindRange, bindWhole, contiguousStrides, gpuOf, prod, programMemo, rowChunks, sizesOf, wgslScalar } from './common.js';
import { stridedGather } from './strided.js';
import { WGSL_SPECIAL_VALUES } from './wgsl-math.js';

type Base = 'sum' | 'max' | 'min';

function identity(op: Base, t: 'f32' | 'i32'): string {
  if (op === 'sum') return t === 'f32' ? '0.0' : '0';
  return op === 'max' ? 'f32_neg_inf()' : 'f32_inf()';
}

function combine(op: Base, a: string, b: string): string {
  if (op === 'sum') return `${a} + ${b}`;
  return op === 'max' ? `select(${b}, ${a}, ${a} > ${b})` : `select(${b}, ${a}, ${a} < ${b})`;
}

/** WGSL statements folding value `v` into `acc` (Kahan-compensated for f32 sums, `comp` declared by caller). */
function fold(op: Base, t: 'f32' | 'i32'): string {
  if (op === 'sum' && t === 'f32') return '{ let y = v - comp; let s = acc + y; comp = (s - acc) - y; acc = s; }';
  return `acc = ${combine(op, 'acc', 'v')};`;
}

function finish(op: Base, t: 'f32' | 'i32', x: string): string {
  return op === 'sum' && t === 'f32' ? `${x} / u.divisor` : x;
}

const ROW_U = defineUniforms({ rows: 'u32', len: 'u32', total: 'u32', divisor: 'f32' });

/** Row reduction: `out[r] = reduce(x[r·len .. min((r+1)·len, total)))`. */
const rowProgram = programMemo<string>((key) => {
  const [op, t, mode] = key.split('|') as [Base, 'f32' | 'i32', 'wg' | 'thread'];
  const head = /* wgsl */ `
${ROW_U.wgsl()}
@group(0) @binding(0) var<storage, read> x: array<${t}>;
@group(0) @binding(1) var<storage, read_write> out: array<${t}>;
@group(0) @binding(2) var<uniform> u: Uniforms;
${WGSL_LINEAR_WORKGROUP}
${WGSL_SPECIAL_VALUES}`;
  const wgsl =
    mode === 'thread'
      ? () => /* wgsl */ `${head}
@compute @workgroup_size(${WG_1D})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let row = linear_workgroup(wid, nwg) * ${WG_1D}u + li;
  if (row >= u.rows) { return; }
  let start = row * u.len;
  let end = min(start + u.len, u.total);
  var acc: ${t} = ${identity(op, t)};
  var comp: ${t} = ${identity('sum', t)};
  for (var j = start; j < end; j++) {
    let v = x[j];
    ${fold(op, t)}
  }
  out[row] = ${finish(op, t, 'acc')};
}`
      : () => /* wgsl */ `${head}
override WG: u32 = 64;
var<workgroup> red: array<${t}, WG>;
@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let row = linear_workgroup(wid, nwg);
  if (row >= u.rows) { return; }
  let start = row * u.len;
  let end = min(start + u.len, u.total);
  var acc: ${t} = ${identity(op, t)};
  var comp: ${t} = ${identity('sum', t)};
  for (var j = start + li; j < end; j += WG) {
    let v = x[j];
    ${fold(op, t)}
  }
  red[li] = acc;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (li < s) { red[li] = ${combine(op, 'red[li]', 'red[li + s]')}; }
    workgroupBarrier();
  }
  if (li == 0u) { out[row] = ${finish(op, t, 'red[0]')}; }
}`;
  return { name: `reduce-rows-${op}`, key: `${t}|${mode}`, bindings: ['read', 'read_write', 'uniform'], wgsl };
});

const COL_U = defineUniforms({ n: 'u32', len: 'u32', inner: 'u32', divisor: 'f32' });

/** Column reduction over the middle axis of `[outer, len, inner]`, one thread per output. */
const colProgram = programMemo<string>((key) => {
  const [op, t] = key.split('|') as [Base, 'f32' | 'i32'];
  return {
    name: `reduce-cols-${op}`,
    key: t,
    bindings: ['read', 'read_write', 'uniform'],
    wgsl: () => /* wgsl */ `
${COL_U.wgsl()}
${WGSL_SPECIAL_VALUES}
@group(0) @binding(0) var<storage, read> x: array<${t}>;
@group(0) @binding(1) var<storage, read_write> out: array<${t}>;
@group(0) @binding(2) var<uniform> u: Uniforms;
${WGSL_LINEAR_WORKGROUP}
@compute @workgroup_size(${WG_1D})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = linear_workgroup(wid, nwg) * ${WG_1D}u + li;
  if (i >= u.n) { return; }
  let inner = i % u.inner;
  let base = (i / u.inner) * u.len * u.inner + inner;
  var acc: ${t} = ${identity(op, t)};
  var comp: ${t} = ${identity('sum', t)};
  for (var r = 0u; r < u.len; r++) {
    let v = x[base + r * u.inner];
    ${fold(op, t)}
  }
  out[i] = ${finish(op, t, 'acc')};
}`,
  };
});

/** Rows at most this long are reduced by one thread each; longer ones by a workgroup. */
const THREAD_ROW_MAX = 32;
/** A single row longer than this is reduced in two passes. */
const TWO_PASS_MIN = 16384;
const PASS_LEN = 4096;

function rowReduce(gpu: WebGpuBackend, op: string, base: Base, t: 'f32' | 'i32', x: WebGpuStorage, out: WebGpuStorage, rows: number, len: number, divisor: number): void {
  if (rows === 1 && len > TWO_PASS_MIN) {
    const parts = Math.ceil(len / PASS_LEN);
    const partial = gpu.allocate(t, parts);
    rowReduce(gpu, op, base, t, x, partial, parts, PASS_LEN, 1);
    rowReduce(gpu, op, base, t, partial, out, 1, parts, divisor);
    gpu.release(partial);
    return;
  }
  const mode = len <= THREAD_ROW_MAX ? 'thread' : 'wg';
  const program = rowProgram(`${base}|${t}|${mode}`);
  const threads = gpu.tuning.rowThreads;
  gpu.dispatch({
    program: mode === 'wg' ? { ...program, constants: { WG: threads } } : program,
    storage: [bindWhole(gpu, x, op, 'input'), bindWhole(gpu, out, op, 'output')],
    uniforms: { layout: ROW_U, values: { rows, len, total: Math.min(rows * len, x.size), divisor } },
    workgroups: { linear: mode === 'wg' ? rows : Math.ceil(rows / WG_1D) },
    sizes: `[${rows},${len}]`,
    cost: rows * len,
  });
}

/** Splits `shape` into maximal runs of kept / reduced axes (unit axes dropped). */
function groups(shape: readonly number[], axes: readonly number[]): { size: number; reduced: boolean }[] {
  const out: { size: number; reduced: boolean }[] = [];
  shape.forEach((d, i) => {
    if (d === 1) return;
    const r = axes.includes(i);
    const last = out[out.length - 1];
    if (last && last.reduced === r) last.size *= d;
    else out.push({ size: d, reduced: r });
  });
  return out;
}

export const reduceGpu: KernelImpl<{ op: ReduceOpName; axes: readonly number[]; keepDims: boolean }> = (inputs, attrs, outputs, backend) => {
  const op = `reduce(${attrs.op})`;
  const gpu = gpuOf(backend, op);
  const x = inputs[0];
  const t = wgslScalar(x.dtype, op);
  const out = allocOut(gpu, outputs[0]);
  if (out.size === 0) return [out];
  const axes = reduceAxes(op, attrs.axes, x.shape.length);
  const base: Base = attrs.op === 'mean' ? 'sum' : attrs.op;
  const count = axes.reduce((p, a) => p * x.shape[a], 1);
  const divisor = attrs.op === 'mean' ? count : 1;
  if (x.size === 0) {
    // Only sums reach here (max/min of an empty axis is rejected): 0, or 0/0 = NaN for a mean.
    fillWords(gpu, out, attrs.op === 'mean' ? 0x7fc00000 : 0);
    return [out];
  }
  const g = groups(x.shape, axes);
  const pattern = g.map((e) => (e.reduced ? 'R' : 'K')).join('');
  if (pattern === '' || pattern === 'K') {
    // Nothing to reduce (every reduced axis has size 1): a copy (a mean divides by 1).
    gpu.copy(x.storage, 0, out, 0, out.size * 4);
    return [out];
  }
  const xs = x.storage as WebGpuStorage;
  if (pattern === 'R' || pattern === 'KR') {
    const len = g[g.length - 1].size;
    rowReduce(gpu, op, base, t, xs, out, x.size / len, len, divisor);
    return [out];
  }
  if (pattern === 'RK' || pattern === 'KRK') {
    const inner = g[g.length - 1].size;
    const len = g[g.length - 2].size;
    gpu.dispatch({
      program: colProgram(`${base}|${t}`),
      storage: [bindWhole(gpu, xs, op, 'input', x.shape), bindWhole(gpu, out, op, 'output')],
      uniforms: { layout: COL_U, values: { n: out.size, len, inner, divisor } },
      workgroups: { linear: Math.ceil(out.size / WG_1D) },
      sizes: sizesOf(x.shape),
      cost: x.size,
    });
    return [out];
  }
  // General: gather to [kept..., reduced...] then reduce rows.
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const perm = [...kept, ...axes];
  const strides = contiguousStrides(x.shape);
  const tmp = gpu.allocate(x.dtype, x.size);
  stridedGather(gpu, op, xs, tmp, perm.map((p) => x.shape[p]), perm.map((p) => strides[p]));
  rowReduce(gpu, op, base, t, tmp, out, x.size / count, count, divisor);
  gpu.release(tmp);
  return [out];
};

const FILL_U = defineUniforms({ n: 'u32', bits: 'u32' });
const fillWordsProgram = {
  name: 'reduce-fill',
  key: 'u32',
  bindings: ['read_write', 'uniform'] as const,
  wgsl: () => /* wgsl */ `
${FILL_U.wgsl()}
@group(0) @binding(0) var<storage, read_write> out: array<u32>;
@group(0) @binding(1) var<uniform> u: Uniforms;
${WGSL_LINEAR_WORKGROUP}
@compute @workgroup_size(${WG_1D})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = linear_workgroup(wid, nwg) * ${WG_1D}u + li;
  if (i < u.n) { out[i] = u.bits; }
}`,
};

function fillWords(gpu: WebGpuBackend, out: WebGpuStorage, bits: number): void {
  if (bits === 0) {
    gpu.batcher.clear(out.buffer, 0, out.size * 4, 'reduce');
    return;
  }
  gpu.dispatch({
    program: fillWordsProgram,
    storage: [bindWhole(gpu, out, 'reduce', 'output')],
    uniforms: { layout: FILL_U, values: { n: out.size, bits } },
    workgroups: { linear: Math.ceil(out.size / WG_1D) },
  });
}

const ARGMAX_U = defineUniforms({ n: 'u32', len: 'u32', inner: 'u32' });

const argmaxProgram = programMemo<'f32' | 'i32'>((t) => ({
  name: 'argmax',
  key: t,
  bindings: ['read', 'read_write', 'uniform'],
  wgsl: () => /* wgsl */ `
${ARGMAX_U.wgsl()}
@group(0) @binding(0) var<storage, read> x: array<${t}>;
@group(0) @binding(1) var<storage, read_write> out: array<i32>;
@group(0) @binding(2) var<uniform> u: Uniforms;
${WGSL_LINEAR_WORKGROUP}
@compute @workgroup_size(${WG_1D})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = linear_workgroup(wid, nwg) * ${WG_1D}u + li;
  if (i >= u.n) { return; }
  let inner = i % u.inner;
  let base = (i / u.inner) * u.len * u.inner + inner;
  var best = x[base];
  var arg = 0u;
  // Strict '>' keeps the first maximum; NaN never wins (as on the CPU).
  for (var r = 1u; r < u.len; r++) {
    let v = x[base + r * u.inner];
    if (v > best) { best = v; arg = r; }
  }
  out[i] = i32(arg);
}`,
}));

export const argmaxGpu: KernelImpl<{ axis: number }> = (inputs, attrs, outputs, backend) => {
  const gpu = gpuOf(backend, 'argmax');
  const x = inputs[0];
  const t = wgslScalar(x.dtype, 'argmax');
  const out = allocOut(gpu, outputs[0]);
  if (out.size === 0) return [out];
  const axis = normalizeAxis('argmax', attrs.axis, x.shape.length);
  gpu.dispatch({
    program: argmaxProgram(t),
    storage: [bindWhole(gpu, x.storage, 'argmax', 'input', x.shape), bindWhole(gpu, out, 'argmax', 'output')],
    uniforms: { layout: ARGMAX_U, values: { n: out.size, len: x.shape[axis], inner: prod(x.shape, axis + 1) } },
    workgroups: { linear: Math.ceil(out.size / WG_1D) },
    sizes: sizesOf(x.shape),
    cost: x.size,
  });
  return [out];
};

const SOFTMAX_U = defineUniforms({ rows: 'u32', d: 'u32' });

/** One workgroup per row: max, then Σ exp(x − max), then the normalised row. */
const softmaxProgram = programMemo<'softmax' | 'log'>((kind) => ({
  name: kind === 'log' ? 'log-softmax' : 'softmax',
  key: 'f32',
  bindings: ['read', 'read_write', 'uniform'],
  wgsl: () => /* wgsl */ `
${SOFTMAX_U.wgsl()}
${WGSL_SPECIAL_VALUES}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> u: Uniforms;
${WGSL_LINEAR_WORKGROUP}
override WG: u32 = 64;
var<workgroup> red: array<f32, WG>;

fn reduce_max(v: f32, li: u32) -> f32 {
  red[li] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (li < s) { red[li] = max(red[li], red[li + s]); }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

fn reduce_sum(v: f32, li: u32) -> f32 {
  red[li] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (li < s) { red[li] = red[li] + red[li + s]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let row = linear_workgroup(wid, nwg);
  if (row >= u.rows) { return; }
  let base = row * u.d;
  var m = f32_neg_inf();
  for (var j = li; j < u.d; j += WG) { m = max(m, x[base + j]); }
  m = reduce_max(m, li);
  var s = 0.0;
  for (var j = li; j < u.d; j += WG) { s += exp(x[base + j] - m); }
  s = reduce_sum(s, li);
  ${kind === 'log'
    ? 'let shift = m + log(s);\n  for (var j = li; j < u.d; j += WG) { y[base + j] = x[base + j] - shift; }'
    : 'let inv = 1.0 / s;\n  for (var j = li; j < u.d; j += WG) { y[base + j] = exp(x[base + j] - m) * inv; }'}
}`,
}));

function softmaxImpl(kind: 'softmax' | 'log'): KernelImpl<Record<string, never>> {
  const op = kind === 'log' ? 'logSoftmax' : 'softmax';
  return (inputs, _attrs, outputs, backend) => {
    const gpu = gpuOf(backend, op);
    const x: Tensor = inputs[0];
    wgslScalar(x.dtype, op);
    const out = allocOut(gpu, outputs[0]);
    if (out.size === 0) return [out];
    const d = x.shape[x.shape.length - 1];
    const program = { ...softmaxProgram(kind), constants: { WG: gpu.tuning.rowThreads } };
    for (const c of rowChunks(gpu, op, x.size / d, d)) {
      const range = { offset: c.row * d, count: c.rows * d };
      gpu.dispatch({
        program,
        storage: [bindRange(gpu, x.storage, op, range), bindRange(gpu, out, op, range)],
        uniforms: { layout: SOFTMAX_U, values: { rows: c.rows, d } },
        workgroups: { linear: c.rows },
        sizes: sizesOf(x.shape),
        cost: 3 * c.rows * d,
      });
    }
    return [out];
  };
}

/** Registers reduce, argmax, softmax and logSoftmax on `webgpu`. */
export function registerReduceGpu(): void {
  registerKernel(Reduce, 'webgpu', reduceGpu);
  registerKernel(ArgMax, 'webgpu', argmaxGpu);
  registerKernel(Softmax, 'webgpu', softmaxImpl('softmax'));
  registerKernel(LogSoftmax, 'webgpu', softmaxImpl('log'));
}
