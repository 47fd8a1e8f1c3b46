/**
 * WebGPU implementations of Reduce (sum/mean/max/min over any axes), ArgMax, Softmax and LogSoftmax.
 *
 * Reduce collapses the input into alternating kept/reduced groups of axes and picks a program:
 * - `[kept?, reduced]` → row reduction: one workgroup per row for long rows (per-thread Kahan sums,
 *   then a tree in workgroup memory), one thread per row for short ones; a single huge row is reduced
 *   in two passes so it is spread over many workgroups;
 * - `[kept?, reduced, kept]` → column reduction: one thread per output, Kahan-compensated loop;
 * - anything else is first re-laid out by a strided gather to `[kept…, reduced…]`.
 *
 * Past `maxStorageBufferBindingSize` every kernel here runs on windows (see `windows.ts`): rows and
 * softmax rows in blocks of whole rows, rows longer than a window in two passes, columns in output
 * ranges and, when one column spans more than a window, in blocks of rows reduced to partials first
 * (argmax keeps each block's best value and index, then joins them in block order).
 */
import type { Tensor } from '../../../tensor.js';
import { type KernelImpl, registerKernel } from '../../../kernel.js';
import { ArgMax, LogSoftmax, Reduce, type ReduceOpName, Softmax, reduceAxes } from '../../../kernels/defs.js';
import { normalizeAxis, stridesOf } from '../../../shape.js';
import { prod } from '../../index-space.js';
import { WGSL_LINEAR_WORKGROUP } from '../limits-plan.js';
import { defineUniforms } from '../uniforms.js';
import type { WebGpuBackend, WebGpuStorage } from '../webgpu-backend.js';
import { WG_1D, allocOut, gpuOf, programMemo, sizesOf, wgslScalar } from './common.js';
import { fillWords } from './gather.js';
import { ROW_FIELDS, forEachRowBlock, wgslRowMain } from './row-programs.js';
import { stridedGather } from './strided.js';
import { WGSL_SPECIAL_VALUES } from './wgsl-math.js';
import { wgslLinearMain, wgslWorkgroupReduce } from './wgsl-workgroup.js';
import { type Window, bindWindow, fitsBinding, rangesFor, windowBudget } from './windows.js';

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

const ROW_U = defineUniforms({
  n: 'u32', q0: 'u32', parts: 'u32', len: 'u32', plen: 'u32', xstart: 'u32', ostart: 'u32', divisor: 'f32',
});

/**
 * Row reduction over pieces: piece q = r·parts + p reduces `x[r·len + p·plen ..< min(…+ plen, (r+1)·len))`
 * into `out[q]` (parts = 1: whole rows). A dispatch handles pieces `q0 ..< q0 + n` on windows of x
 * and out starting at tensor elements `xstart`, `ostart`.
 */
const rowProgram = programMemo<string>((key) => {
  const [op, t, mode] = key.split('|') as [Base, 'f32' | 'i32', 'wg' | 'thread'];
  const head = /* wgsl */ `
${ROW_U.wgsl()}
@group(0) @binding(0) var<storage, read> x: array<${t}>;
@group(0) @binding(1) var<storage, read_write> out: array<${t}>;
@group(0) @binding(2) var<uniform> u: Uniforms;
${WGSL_SPECIAL_VALUES}
// Element range [start, end) of piece q, as indices into the x window.
fn piece(q: u32) -> vec2u {
  let rs = (q / u.parts) * u.len;
  let start = rs + (q % u.parts) * u.plen;
  return vec2u(start, min(start + u.plen, rs + u.len)) - vec2u(u.xstart);
}`;
  // Piece u.q0 + local folded into acc: its elements from r.x + first, `step` apart.
  const accumulate = (first: string, step: string): string => /* wgsl */ `let q = u.q0 + local;
  let r = piece(q);
  var acc: ${t} = ${identity(op, t)};
  var comp: ${t} = ${identity('sum', t)};
  for (var j = r.x + ${first}; j < r.y; j += ${step}) {
    let v = x[j];
    ${fold(op, t)}
  }`;
  const wgsl =
    mode === 'thread'
      ? () => /* wgsl */ `${head}
${wgslLinearMain({ wg: WG_1D, index: 'local', count: 'u.n' }, `${accumulate('0u', '1u')}
  out[q - u.ostart] = ${finish(op, t, 'acc')};`)}`
      : () => /* wgsl */ `${head}
${WGSL_LINEAR_WORKGROUP}
override WG: u32 = 64;
var<workgroup> red: array<${t}, WG>;
${wgslWorkgroupReduce('reduce_row', 'red', t, (a, b) => combine(op, a, b))}
@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let local = linear_workgroup(wid, nwg);
  if (local >= u.n) { return; }
  ${accumulate('li', 'WG')}
  let total = reduce_row(acc, li);
  if (li == 0u) { out[q - u.ostart] = ${finish(op, t, 'total')}; }
}`;
  return { name: `reduce-rows-${op}`, key: `${t}|${mode}`, bindings: ['read', 'read_write', 'uniform'], wgsl };
});

/**
 * Where an output `i` of a column-style kernel over `[outer, len, inner]` reads and writes: x
 * elements `o·xo + xr0 + ii + r·inner` for the `rows` reduced rows r, and `out[o·oo + ob + ii]`
 * (o = ⌊i / inner⌋, ii = i mod inner). Blocks of rows use `xr0`, `oo`, `ob` to write partials.
 */
interface ColLayout {
  readonly outer: number;
  readonly inner: number;
  readonly rows: number;
  readonly xo: number;
  readonly xr0: number;
  readonly oo: number;
  readonly ob: number;
}

function colFirst(l: ColLayout, i: number): number {
  return Math.floor(i / l.inner) * l.xo + l.xr0 + (i % l.inner);
}

function colOut(l: ColLayout, i: number): number {
  return Math.floor(i / l.inner) * l.oo + l.ob + (i % l.inner);
}

/**
 * Calls `dispatch` for consecutive ranges `[i0, i1)` of a column-style kernel's outputs whose windows
 * fit one binding (one range when x and the outputs fit whole), with the window of x the range reads
 * and the windows of `outs` it writes.
 */
function forEachColRange(
  gpu: WebGpuBackend, op: string, x: WebGpuStorage, outs: readonly WebGpuStorage[], l: ColLayout,
  dispatch: (i0: number, i1: number, xw: Window, ows: Window[]) => void,
): void {
  const span = (lo: number, hi: number): number => Math.max(
    colFirst(l, hi - 1) + (l.rows - 1) * l.inner - colFirst(l, lo) + 1,
    colOut(l, hi - 1) - colOut(l, lo) + 1,
  );
  for (const [i0, i1] of rangesFor(gpu, op, `a column of ${l.rows} rows × stride ${l.inner}`, [x, ...outs], l.outer * l.inner, span)) {
    const xw = bindWindow(gpu, x, op, colFirst(l, i0), colFirst(l, i1 - 1) + (l.rows - 1) * l.inner + 1);
    dispatch(i0, i1, xw, outs.map((s) => bindWindow(gpu, s, op, colOut(l, i0), colOut(l, i1 - 1) + 1)));
  }
}

const COL_U = defineUniforms({
  n: 'u32', i0: 'u32', inner: 'u32', rows: 'u32', xo: 'u32', xr0: 'u32', xstart: 'u32', oo: 'u32', ob: 'u32', ostart: 'u32', divisor: 'f32',
});

/**
 * WGSL of a column-style program's invocation `local`: its output `i` (from `u.i0`), that output's
 * position (`o`, `ii`) in `[outer, inner]` and the window index `base` of its first x element.
 */
const COL_INDEX = /* wgsl */ `let i = u.i0 + local;
  let ii = i % u.inner;
  let o = i / u.inner;
  let base = o * u.xo + u.xr0 + ii - u.xstart;`;

/** Column reduction over the middle axis of `[outer, rows, inner]` (see {@link ColLayout}), one thread per output. */
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
${wgslLinearMain({ wg: WG_1D, index: 'local', count: 'u.n' }, /* wgsl */ `${COL_INDEX}
  var acc: ${t} = ${identity(op, t)};
  var comp: ${t} = ${identity('sum', t)};
  for (var r = 0u; r < u.rows; r++) {
    let v = x[base + r * u.inner];
    ${fold(op, t)}
  }
  out[o * u.oo + u.ob + ii - u.ostart] = ${finish(op, t, 'acc')};`)}`,
  };
});

/** Rows at most this long are reduced by one thread each; longer ones by a workgroup. */
const THREAD_ROW_MAX = 32;
/** A single row longer than this is reduced in two passes. */
const TWO_PASS_MIN = 16384;
const PASS_LEN = 4096;

/**
 * `out[r] = reduce(x[r·len ..< (r+1)·len])` for `rows` rows. A single long row, or rows longer than
 * a binding window, are reduced in two passes (pieces of ≤ {@link PASS_LEN}, then the partials).
 */
function rowReduce(gpu: WebGpuBackend, op: string, base: Base, t: 'f32' | 'i32', x: WebGpuStorage, out: WebGpuStorage, rows: number, len: number, divisor: number): void {
  const budget = windowBudget(gpu);
  const tooLong = len > budget && !fitsBinding(gpu, x, op);
  if ((rows === 1 && len > TWO_PASS_MIN) || tooLong) {
    const plen = Math.min(PASS_LEN, budget);
    const parts = Math.ceil(len / plen);
    const partial = gpu.allocate(t, rows * parts);
    rowPieces(gpu, op, base, t, x, partial, rows, len, parts, plen, 1);
    rowReduce(gpu, op, base, t, partial, out, rows, parts, divisor);
    gpu.release(partial);
    return;
  }
  rowPieces(gpu, op, base, t, x, out, rows, len, 1, len, divisor);
}

function rowPieces(
  gpu: WebGpuBackend, op: string, base: Base, t: 'f32' | 'i32', x: WebGpuStorage, out: WebGpuStorage,
  rows: number, len: number, parts: number, plen: number, divisor: number,
): void {
  const first = (q: number): number => Math.floor(q / parts) * len + (q % parts) * plen;
  const end = (q: number): number => Math.min(first(q) + plen, Math.floor(q / parts) * len + len);
  const mode = plen <= THREAD_ROW_MAX ? 'thread' : 'wg';
  const program = rowProgram(`${base}|${t}|${mode}`);
  const threads = gpu.tuning.rowThreads;
  const span = (lo: number, hi: number): number => Math.max(end(hi - 1) - first(lo), hi - lo);
  for (const [q0, q1] of rangesFor(gpu, op, `a row piece of ${plen} elements`, [x, out], rows * parts, span)) {
    const xw = bindWindow(gpu, x, op, first(q0), end(q1 - 1));
    const ow = bindWindow(gpu, out, op, q0, q1);
    const n = q1 - q0;
    gpu.dispatch({
      program: mode === 'wg' ? { ...program, constants: { WG: threads } } : program,
      storage: [xw.binding, ow.binding],
      uniforms: { layout: ROW_U, values: { n, q0, parts, len, plen, xstart: xw.start, ostart: ow.start, divisor } },
      workgroups: { linear: mode === 'wg' ? n : Math.ceil(n / WG_1D) },
      sizes: `[${rows},${len}]`,
      cost: end(q1 - 1) - first(q0),
    });
  }
}

/**
 * Reduces the middle axis of `x` = `[outer, len, inner]` into `out` = `[outer, inner]`. When one
 * column (`len` rows apart by `inner`) exceeds a binding window, blocks of rows are reduced into
 * partials `[outer, blocks, inner]` first; when even two rows do not fit, x is re-laid out to rows.
 */
function colReduce(
  gpu: WebGpuBackend, op: string, base: Base, t: 'f32' | 'i32', x: WebGpuStorage, out: WebGpuStorage, outer: number, len: number, inner: number, divisor: number,
): void {
  const budget = windowBudget(gpu);
  if ((len - 1) * inner + 1 > budget && !(fitsBinding(gpu, x, op) && fitsBinding(gpu, out, op))) {
    const block = Math.floor(budget / inner);
    if (block < 2) {
      const tmp = gpu.allocate(t, outer * len * inner);
      stridedGather(gpu, op, x, tmp, [outer, inner, len], [len * inner, 1, inner]);
      rowReduce(gpu, op, base, t, tmp, out, outer * inner, len, divisor);
      gpu.release(tmp);
      return;
    }
    const blocks = Math.ceil(len / block);
    const partial = gpu.allocate(t, outer * blocks * inner);
    for (let b = 0; b < blocks; b++) {
      const rows = Math.min(block, len - b * block);
      colPass(gpu, op, base, t, x, partial, { outer, inner, rows, xo: len * inner, xr0: b * block * inner, oo: blocks * inner, ob: b * inner }, 1);
    }
    colReduce(gpu, op, base, t, partial, out, outer, blocks, inner, divisor);
    gpu.release(partial);
    return;
  }
  colPass(gpu, op, base, t, x, out, { outer, inner, rows: len, xo: len * inner, xr0: 0, oo: inner, ob: 0 }, divisor);
}

function colPass(gpu: WebGpuBackend, op: string, base: Base, t: 'f32' | 'i32', x: WebGpuStorage, out: WebGpuStorage, l: ColLayout, divisor: number): void {
  forEachColRange(gpu, op, x, [out], l, (i0, i1, xw, [ow]) => {
    gpu.dispatch({
      program: colProgram(`${base}|${t}`),
      storage: [xw.binding, ow.binding],
      uniforms: { layout: COL_U, values: { n: i1 - i0, i0, inner: l.inner, rows: l.rows, xo: l.xo, xr0: l.xr0, xstart: xw.start, oo: l.oo, ob: l.ob, ostart: ow.start, divisor } },
      workgroups: { linear: Math.ceil((i1 - i0) / WG_1D) },
      sizes: `[${l.outer},${l.rows},${l.inner}]`,
      cost: (i1 - i0) * l.rows,
    });
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
    fillWords(gpu, out, attrs.op === 'mean' ? 0x7fc00000 : 0, op);
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
    colReduce(gpu, op, base, t, xs, out, x.size / (len * inner), len, inner, divisor);
    return [out];
  }
  // General: gather to [kept..., reduced...] then reduce rows.
  const kept = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const perm = [...kept, ...axes];
  const strides = stridesOf(x.shape);
  const tmp = gpu.allocate(x.dtype, x.size);
  stridedGather(gpu, op, xs, tmp, perm.map((p) => x.shape[p]), perm.map((p) => strides[p]));
  rowReduce(gpu, op, base, t, tmp, out, x.size / count, count, divisor);
  gpu.release(tmp);
  return [out];
};

const ARGMAX_U = defineUniforms({
  n: 'u32', i0: 'u32', inner: 'u32', rows: 'u32', xo: 'u32', xr0: 'u32', xstart: 'u32', oo: 'u32', ob: 'u32', ostart: 'u32', r0: 'u32', skipnan: 'u32',
});

/**
 * Argmax over the rows of a column (see {@link ColLayout}); `final` writes the index, `partial` the
 * best value and its index (row `r0 + r`) of one block. Strict '>' keeps the first maximum and NaN
 * never wins (as on the CPU, where a leading NaN wins by never being beaten); `skipnan` (blocks after
 * the first) lets a block that starts with NaN still report its first maximum.
 */
const argmaxProgram = programMemo<string>((key) => {
  const [t, mode] = key.split('|') as ['f32' | 'i32', 'final' | 'partial'];
  return {
    name: 'argmax',
    key,
    bindings: mode === 'final' ? ['read', 'read_write', 'uniform'] : ['read', 'read_write', 'read_write', 'uniform'],
    wgsl: () => /* wgsl */ `
${ARGMAX_U.wgsl()}
@group(0) @binding(0) var<storage, read> x: array<${t}>;
${mode === 'final'
    ? '@group(0) @binding(1) var<storage, read_write> out: array<i32>;\n@group(0) @binding(2) var<uniform> u: Uniforms;'
    : `@group(0) @binding(1) var<storage, read_write> pv: array<${t}>;\n@group(0) @binding(2) var<storage, read_write> pi: array<i32>;\n@group(0) @binding(3) var<uniform> u: Uniforms;`}
// By bits: compilers may fold x != x to false (WGSL does not promise NaN semantics).
fn is_nan(v: ${t}) -> bool { return ${t === 'f32' ? '(bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u' : 'false'}; }
${wgslLinearMain({ wg: WG_1D, index: 'local', count: 'u.n' }, /* wgsl */ `${COL_INDEX}
  var best = x[base];
  var arg = 0u;
  for (var r = 1u; r < u.rows; r++) {
    let v = x[base + r * u.inner];
    if (v > best || (u.skipnan != 0u && is_nan(best) && !is_nan(v))) { best = v; arg = r; }
  }
  let dst = o * u.oo + u.ob + ii - u.ostart;
  ${mode === 'final' ? 'out[dst] = i32(u.r0 + arg);' : 'pv[dst] = best;\n  pi[dst] = i32(u.r0 + arg);'}`)}`,
  };
});

const ARGMAX_JOIN_U = defineUniforms({ n: 'u32', i0: 'u32', inner: 'u32', blocks: 'u32', vstart: 'u32', istart: 'u32', ostart: 'u32' });

/** Joins block partials `[outer, blocks, inner]`: the index of the first block whose best is largest. */
const argmaxJoinProgram = programMemo<'f32' | 'i32'>((t) => ({
  name: 'argmax-join',
  key: t,
  bindings: ['read', 'read', 'read_write', 'uniform'],
  wgsl: () => /* wgsl */ `
${ARGMAX_JOIN_U.wgsl()}
@group(0) @binding(0) var<storage, read> pv: array<${t}>;
@group(0) @binding(1) var<storage, read> pi: array<i32>;
@group(0) @binding(2) var<storage, read_write> out: array<i32>;
@group(0) @binding(3) var<uniform> u: Uniforms;
${wgslLinearMain({ wg: WG_1D, index: 'local', count: 'u.n' }, /* wgsl */ `let i = u.i0 + local;
  let base = (i / u.inner) * u.blocks * u.inner + i % u.inner;
  var best = pv[base - u.vstart];
  var arg = pi[base - u.istart];
  for (var b = 1u; b < u.blocks; b++) {
    let v = pv[base + b * u.inner - u.vstart];
    if (v > best) { best = v; arg = pi[base + b * u.inner - u.istart]; }
  }
  out[i - u.ostart] = arg;`)}`,
}));

/** Argmax over the middle axis of `[outer, len, inner]` into i32 `out` `[outer, inner]`, in blocks of rows past the binding limit. */
function argmaxCols(gpu: WebGpuBackend, t: 'f32' | 'i32', x: WebGpuStorage, out: WebGpuStorage, outer: number, len: number, inner: number): void {
  const op = 'argmax';
  const budget = windowBudget(gpu);
  const dispatch = (l: ColLayout, r0: number, skipnan: number, outs: readonly WebGpuStorage[]): void => {
    const mode = outs.length === 1 ? 'final' : 'partial';
    // pv and pi have the same length, so their windows start alike (one `ostart` serves both).
    forEachColRange(gpu, op, x, outs, l, (i0, i1, xw, ows) => {
      gpu.dispatch({
        program: argmaxProgram(`${t}|${mode}`),
        storage: [xw.binding, ...ows.map((w) => w.binding)],
        uniforms: {
          layout: ARGMAX_U,
          values: { n: i1 - i0, i0, inner: l.inner, rows: l.rows, xo: l.xo, xr0: l.xr0, xstart: xw.start, oo: l.oo, ob: l.ob, ostart: ows[0].start, r0, skipnan },
        },
        workgroups: { linear: Math.ceil((i1 - i0) / WG_1D) },
        sizes: `[${l.outer},${l.rows},${l.inner}]`,
        cost: (i1 - i0) * l.rows,
      });
    });
  };
  if ((len - 1) * inner + 1 <= budget || (fitsBinding(gpu, x, op) && fitsBinding(gpu, out, op))) {
    dispatch({ outer, inner, rows: len, xo: len * inner, xr0: 0, oo: inner, ob: 0 }, 0, 0, [out]);
    return;
  }
  const block = Math.floor(budget / inner);
  if (block < 2) {
    // Not even two rows fit a window: re-lay out to [outer, inner, len] and take row argmaxes.
    const tmp = gpu.allocate(t, outer * len * inner);
    stridedGather(gpu, op, x, tmp, [outer, inner, len], [len * inner, 1, inner]);
    argmaxCols(gpu, t, tmp, out, outer * inner, len, 1);
    gpu.release(tmp);
    return;
  }
  const blocks = Math.ceil(len / block);
  const pv = gpu.allocate(t, outer * blocks * inner);
  const pi = gpu.allocate('i32', outer * blocks * inner);
  for (let b = 0; b < blocks; b++) {
    const rows = Math.min(block, len - b * block);
    dispatch({ outer, inner, rows, xo: len * inner, xr0: b * block * inner, oo: blocks * inner, ob: b * inner }, b * block, b > 0 ? 1 : 0, [pv, pi]);
  }
  const l: ColLayout = { outer, inner, rows: blocks, xo: blocks * inner, xr0: 0, oo: inner, ob: 0 };
  // pi has pv's byte length, so it fits one binding exactly when pv does and takes the same windows.
  forEachColRange(gpu, op, pv, [out], l, (i0, i1, vw, [ow]) => {
    const iw = bindWindow(gpu, pi, op, colFirst(l, i0), colFirst(l, i1 - 1) + (blocks - 1) * inner + 1);
    gpu.dispatch({
      program: argmaxJoinProgram(t),
      storage: [vw.binding, iw.binding, ow.binding],
      uniforms: { layout: ARGMAX_JOIN_U, values: { n: i1 - i0, i0, inner, blocks, vstart: vw.start, istart: iw.start, ostart: ow.start } },
      workgroups: { linear: Math.ceil((i1 - i0) / WG_1D) },
      sizes: `[${outer},${blocks},${inner}]`,
      cost: (i1 - i0) * blocks,
    });
  });
  gpu.release(pv);
  gpu.release(pi);
}

export const argmaxGpu: KernelImpl<{ axis: number }> = (inputs, attrs, outputs, backend) => {
  const gpu = gpuOf(backend, 'argmax');
  const x = inputs[0];
  const t = wgslScalar(x.dtype, 'argmax');
  const out = allocOut(gpu, outputs[0]);
  if (out.size === 0) return [out];
  const axis = normalizeAxis('argmax', attrs.axis, x.shape.length);
  const len = x.shape[axis];
  const inner = prod(x.shape, axis + 1);
  argmaxCols(gpu, t, x.storage as WebGpuStorage, out, x.size / (len * inner), len, inner);
  return [out];
};

const SOFTMAX_U = defineUniforms(ROW_FIELDS);

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
var<workgroup> red: array<f32, WG>;
${wgslWorkgroupReduce('reduce_max', 'red', 'f32', (a, b) => `max(${a}, ${b})`)}
${wgslWorkgroupReduce('reduce_sum', 'red', 'f32', (a, b) => `${a} + ${b}`)}
${wgslRowMain(/* wgsl */ `var m = f32_neg_inf();
  for (var j = li; j < u.d; j += WG) { m = max(m, x[base + j]); }
  m = reduce_max(m, li);
  var s = 0.0;
  for (var j = li; j < u.d; j += WG) { s += exp(x[base + j] - m); }
  s = reduce_sum(s, li);
  ${kind === 'log'
    ? 'let shift = m + log(s);\n  for (var j = li; j < u.d; j += WG) { y[ybase + j] = x[base + j] - shift; }'
    : 'let inv = 1.0 / s;\n  for (var j = li; j < u.d; j += WG) { y[ybase + j] = exp(x[base + j] - m) * inv; }'}`)}`,
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
    forEachRowBlock(gpu, op, x.storage, out, x.size / d, d, (row, xw, yw) => {
      gpu.dispatch({
        program,
        storage: [xw.binding, yw.binding],
        uniforms: { layout: SOFTMAX_U, values: row },
        workgroups: { linear: row.rows },
        sizes: sizesOf(x.shape),
        cost: 3 * row.rows * d,
      });
    });
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
