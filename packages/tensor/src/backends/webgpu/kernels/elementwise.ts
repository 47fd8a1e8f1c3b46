/**
 * WebGPU implementations of Unary, Binary (NumPy broadcasting) and Cast.
 *
 * One program per operator and dtype (the operator is a compile-time fact; shapes are uniforms).
 * Same-shape operands run a flat loop, bound in chunks past `maxStorageBufferBindingSize`;
 * broadcasting runs a strided loop over the collapsed output shape (≤ 6 dimensions), split past the
 * limit into boxes whose windows of a, b and the output each fit one binding.
 */
import type { DType } from '../../../dtype.js';
import { DTypeError, ShapeError, fmtShape } from '../../../errors.js';
import { type KernelImpl, registerKernel } from '../../../kernel.js';
import { Binary, type BinaryOpName, Cast, Unary, type UnaryOpName } from '../../../kernels/defs.js';
import { shapesEqual, stridesOf } from '../../../shape.js';
import { broadcastStrides, collapseAxes, offsetOf } from '../../index-space.js';
import { defineUniforms } from '../uniforms.js';
import { WG_1D, allocOut, bindRange, elementChunks, gpuOf, programMemo, rejectF64, sizesOf, wgslScalar } from './common.js';
import { MAX_STRIDED_RANK, stridedFields, stridedValues, wgslStridedOffsets } from './strided-index.js';
import { wgslMath } from './wgsl-math.js';
import { wgslLinearMain } from './wgsl-workgroup.js';
import { bindWindow, boxSpan, fitsBinding, splitBox, windowBudget } from './windows.js';

const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

/** WGSL body of each f32 unary operator: an expression in `x` (and uniforms `u.alpha`, `u.beta`). */
const UNARY_F32: Record<UnaryOpName, string> = {
  identity: 'x',
  neg: '-x',
  abs: 'abs(x)',
  exp: 'exp(x)',
  log: 'log(x)',
  sqrt: 'sqrt(x)',
  rsqrt: 'inverseSqrt(x)',
  square: 'x * x',
  reciprocal: '1.0 / x',
  tanh: 'tanh_f(x)',
  sigmoid: 'sigmoid_f(x)',
  relu: 'select(0.0, x, x > 0.0)',
  step: 'select(0.0, 1.0, x > 0.0)',
  gelu: 'x * normal_cdf(x)',
  geluGrad: 'normal_cdf(x) + x * normal_pdf(x)',
  // 0.5·x·(1 + tanh u) = x·σ(2u): no cancellation for negative x.
  geluTanh: `x * sigmoid_f(2.0 * ${GELU_C} * (x + ${GELU_A} * x * x * x))`,
  // 0.5(1 + t) + 0.5·x·(1 − t²)·u' with 1 + t = 2σ(2u), 1 − t² = 4σ(2u)σ(−2u).
  geluTanhGrad: `gelu_tanh_grad(x)`,
  erf: 'erf_f(x)',
  affine: 'fma(u.alpha, x, u.beta)',
  powScalar: 'pow_scalar(x)',
  maxScalar: 'select(u.alpha, x, x > u.alpha)',
};

/** The i32 unary operators (the definition allows only these on integers). */
const UNARY_I32: Partial<Record<UnaryOpName, string>> = { identity: 'x', neg: '-x', abs: 'abs(x)' };

const UNARY_U = defineUniforms({ n: 'u32', alpha: 'f32', beta: 'f32' });

const unaryProgram = programMemo<string>((key) => {
  const [op, dtype] = key.split('|') as [UnaryOpName, 'f32' | 'i32'];
  const expr = dtype === 'i32' ? UNARY_I32[op] : UNARY_F32[op];
  return {
    name: `unary-${op}`,
    key: dtype,
    bindings: ['read', 'read_write', 'uniform'],
    wgsl: () => /* wgsl */ `
${UNARY_U.wgsl()}
@group(0) @binding(0) var<storage, read> xs: array<${dtype}>;
@group(0) @binding(1) var<storage, read_write> ys: array<${dtype}>;
@group(0) @binding(2) var<uniform> u: Uniforms;
${dtype === 'f32' ? wgslMath() : ''}
${dtype === 'f32' ? /* wgsl */ `
fn gelu_tanh_grad(x: f32) -> f32 {
  let v = 2.0 * ${GELU_C} * (x + ${GELU_A} * x * x * x);
  let s = sigmoid_f(v);
  let sm = sigmoid_f(-v);
  return s + 2.0 * x * s * sm * ${GELU_C} * (1.0 + ${3 * GELU_A} * x * x);
}
fn pow_scalar(x: f32) -> f32 {
  if (u.alpha == 2.0) { return x * x; }
  if (u.alpha == 1.0) { return x; }
  if (u.alpha == 0.5) { return sqrt(x); }
  return pow_f(x, u.alpha);
}` : ''}
${wgslLinearMain({ wg: WG_1D, index: 'i', count: 'u.n' }, `let x = xs[i];\n  ys[i] = ${expr};`)}`,
  };
});

export const unaryGpu: KernelImpl<{ op: UnaryOpName; alpha?: number; beta?: number }> = (inputs, attrs, outputs, backend) => {
  const op = `unary(${attrs.op})`;
  const gpu = gpuOf(backend, op);
  const x = inputs[0];
  const dtype = wgslScalar(x.dtype, op);
  if (dtype === 'i32' && !UNARY_I32[attrs.op]) throw new DTypeError(op, `i32 input; expected f32 (only identity, neg and abs accept i32)`);
  const out = allocOut(gpu, outputs[0]);
  const program = unaryProgram(`${attrs.op}|${dtype}`);
  for (const c of elementChunks(gpu, out.size)) {
    if (c.count === 0) continue;
    gpu.dispatch({
      program,
      storage: [bindRange(gpu, x.storage, op, c), bindRange(gpu, out, op, c)],
      uniforms: { layout: UNARY_U, values: { n: c.count, alpha: attrs.alpha ?? 1, beta: attrs.beta ?? 0 } },
      workgroups: { linear: Math.ceil(c.count / WG_1D) },
      sizes: sizesOf(x.shape),
      cost: c.count,
    });
  }
  return [out];
};

/** WGSL of each binary operator on `a`, `b` of type T (comparisons give 1 or 0 in T). */
function binaryExpr(op: BinaryOpName, t: 'f32' | 'i32'): string {
  const one = t === 'f32' ? '1.0' : '1';
  const zero = t === 'f32' ? '0.0' : '0';
  const cmp = (c: string): string => `select(${zero}, ${one}, ${c})`;
  switch (op) {
    case 'add': return 'a + b';
    case 'sub': return 'a - b';
    case 'mul': return 'a * b';
    // i32: truncating division; x/0 stores 0 as the CPU's Int32Array store of ±∞/NaN does.
    case 'div': return t === 'f32' ? 'a / b' : 'select(a / b, 0, b == 0)';
    case 'max': return 'select(b, a, a > b)';
    case 'min': return 'select(b, a, a < b)';
    case 'pow': return t === 'f32' ? 'pow_f(a, b)' : 'i32_of_f32(pow_f(f32(a), f32(b)))';
    case 'eq': return cmp('a == b');
    case 'gt': return cmp('a > b');
    case 'ge': return cmp('a >= b');
    case 'lt': return cmp('a < b');
    case 'le': return cmp('a <= b');
  }
}

const BINARY_FLAT_U = defineUniforms({ n: 'u32' });
const BINARY_STRIDED_U = defineUniforms({ n: 'u32', ba: 'u32', bb: 'u32', bo: 'u32', ...stridedFields(['sa', 'sb', 'so']) });

const binaryProgram = programMemo<string>((key) => {
  const [op, dtype, mode] = key.split('|') as [BinaryOpName, 'f32' | 'i32', 'flat' | 'strided'];
  const layout = mode === 'flat' ? BINARY_FLAT_U : BINARY_STRIDED_U;
  return {
    name: `binary-${op}`,
    key: `${dtype}|${mode}`,
    bindings: ['read', 'read', 'read_write', 'uniform'],
    wgsl: () => /* wgsl */ `
${layout.wgsl()}
@group(0) @binding(0) var<storage, read> lhs: array<${dtype}>;
@group(0) @binding(1) var<storage, read> rhs: array<${dtype}>;
@group(0) @binding(2) var<storage, read_write> out: array<${dtype}>;
@group(0) @binding(3) var<uniform> u: Uniforms;
${op === 'pow' ? wgslMath() : ''}
${op === 'pow' && dtype === 'i32' ? I32_OF_F32 : ''}
${wgslLinearMain({ wg: WG_1D, index: 'i', count: 'u.n' }, /* wgsl */ `${mode === 'flat'
    ? 'let ia = i;\n  let ib = i;\n  let io = i;'
    : `var rem = i;\n  var ia = u.ba;\n  var ib = u.bb;\n  var io = u.bo;\n  ${wgslStridedOffsets(['sa', 'sb', 'so'], ['ia', 'ib', 'io'])}`}
  let a = lhs[ia];
  let b = rhs[ib];
  out[io] = ${binaryExpr(op, dtype)};`)}`,
  };
});

export const binaryGpu: KernelImpl<{ op: BinaryOpName }> = (inputs, attrs, outputs, backend) => {
  const op = `binary(${attrs.op})`;
  const gpu = gpuOf(backend, op);
  const [a, b] = inputs;
  const dtype = wgslScalar(a.dtype, op);
  const info = outputs[0];
  const out = allocOut(gpu, info);
  const n = out.size;
  if (n === 0) return [out];
  if (shapesEqual(a.shape, b.shape)) {
    const program = binaryProgram(`${attrs.op}|${dtype}|flat`);
    for (const c of elementChunks(gpu, n)) {
      gpu.dispatch({
        program,
        storage: [bindRange(gpu, a.storage, op, c), bindRange(gpu, b.storage, op, c), bindRange(gpu, out, op, c)],
        uniforms: { layout: BINARY_FLAT_U, values: { n: c.count } },
        workgroups: { linear: Math.ceil(c.count / WG_1D) },
        sizes: sizesOf(a.shape, b.shape),
        cost: c.count,
      });
    }
    return [out];
  }
  const c = collapseAxes(info.shape, [broadcastStrides(a.shape, info.shape), broadcastStrides(b.shape, info.shape), stridesOf(info.shape)]);
  if (c.shape.length > MAX_STRIDED_RANK) {
    throw new ShapeError(op, `broadcasting ${fmtShape(a.shape)} with ${fmtShape(b.shape)} needs ${c.shape.length} dimensions after merging; at most ${MAX_STRIDED_RANK} are supported on webgpu`);
  }
  const [sa, sb, so] = c.strides;
  const program = binaryProgram(`${attrs.op}|${dtype}|strided`);
  // One box (whole bindings) unless some operand exceeds the binding limit.
  const boxes = fitsBinding(gpu, a.storage, op) && fitsBinding(gpu, b.storage, op) && fitsBinding(gpu, out, op)
    ? [{ start: c.shape.map(() => 0), len: c.shape }]
    : splitBox(c.shape, c.strides, windowBudget(gpu));
  for (const box of boxes) {
    const m = box.len.reduce((p, d) => p * d, 1);
    const [a0, b0, o0] = c.strides.map((st) => offsetOf(box.start, st));
    const wa = bindWindow(gpu, a.storage, op, a0, a0 + boxSpan(box.len, sa));
    const wb = bindWindow(gpu, b.storage, op, b0, b0 + boxSpan(box.len, sb));
    const wo = bindWindow(gpu, out, op, o0, o0 + boxSpan(box.len, so));
    const values = stridedValues({ n: m, ba: a0 - wa.start, bb: b0 - wb.start, bo: o0 - wo.start }, ['sa', 'sb', 'so'], box.len, c.strides);
    gpu.dispatch({
      program,
      storage: [wa.binding, wb.binding, wo.binding],
      uniforms: { layout: BINARY_STRIDED_U, values },
      workgroups: { linear: Math.ceil(m / WG_1D) },
      sizes: sizesOf(a.shape, b.shape),
      cost: m,
    });
  }
  return [out];
};

/**
 * f32 → i32 as the CPU does it: truncate toward zero, wrap modulo 2³² (WGSL's `i32(f)` saturates
 * instead), NaN and ±∞ → 0. Large magnitudes are integers whose low 32 bits come from the mantissa.
 */
const I32_OF_F32 = /* wgsl */ `
fn i32_of_f32(v: f32) -> i32 {
  if (abs(v) < 2147483648.0) { return i32(trunc(v)); }
  let bits = bitcast<u32>(v);
  let e = i32((bits >> 23u) & 0xffu) - 127;
  if (e == 128) { return 0; } // inf, NaN
  let shift = e - 23;
  if (shift >= 32) { return 0; }
  let low = ((bits & 0x7fffffu) | 0x800000u) << u32(shift);
  return bitcast<i32>(select(low, 0u - low, (bits >> 31u) != 0u));
}`;

const CAST_U = defineUniforms({ n: 'u32' });

const castProgram = programMemo<'f32>i32' | 'i32>f32'>((key) => {
  const [from, to] = key.split('>') as ['f32' | 'i32', 'f32' | 'i32'];
  return {
    name: 'cast',
    key,
    bindings: ['read', 'read_write', 'uniform'],
    wgsl: () => /* wgsl */ `
${CAST_U.wgsl()}
@group(0) @binding(0) var<storage, read> xs: array<${from}>;
@group(0) @binding(1) var<storage, read_write> ys: array<${to}>;
@group(0) @binding(2) var<uniform> u: Uniforms;
${to === 'i32' ? I32_OF_F32 : ''}
${wgslLinearMain({ wg: WG_1D, index: 'i', count: 'u.n' }, `ys[i] = ${to === 'i32' ? 'i32_of_f32(xs[i])' : 'f32(xs[i])'};`)}`,
  };
});

export const castGpu: KernelImpl<{ dtype: DType }> = (inputs, attrs, outputs, backend) => {
  const gpu = gpuOf(backend, 'cast');
  const x = inputs[0];
  rejectF64('cast', x, outputs[0]);
  const out = allocOut(gpu, outputs[0]);
  if (out.size === 0) return [out];
  if (x.dtype === attrs.dtype) {
    gpu.copy(x.storage, 0, out, 0, out.size * 4);
    return [out];
  }
  const program = castProgram(`${x.dtype}>${attrs.dtype}` as 'f32>i32' | 'i32>f32');
  for (const c of elementChunks(gpu, out.size)) {
    gpu.dispatch({
      program,
      storage: [bindRange(gpu, x.storage, 'cast', c), bindRange(gpu, out, 'cast', c)],
      uniforms: { layout: CAST_U, values: { n: c.count } },
      workgroups: { linear: Math.ceil(c.count / WG_1D) },
      sizes: sizesOf(x.shape),
      cost: c.count,
    });
  }
  return [out];
};

/** Registers unary, binary and cast on `webgpu`. */
export function registerElementwiseGpu(): void {
  registerKernel(Unary, 'webgpu', unaryGpu);
  registerKernel(Binary, 'webgpu', binaryGpu);
  registerKernel(Cast, 'webgpu', castGpu);
}
