/**
 * The primitive kernels of the runtime: backend-independent definitions (validation + shape/dtype
 * inference). Every backend implements each of them; semantics are fixed here and checked by the
 * conformance suites in `src/testing/`. All tensors are row-major and contiguous.
 */
import type { DType } from '../dtype.js';
import { DTypeError, ShapeError, ValueError, fmtShape } from '../errors.js';
import { type TensorInfo, defineKernel } from '../kernel.js';
import { assertValidShape, broadcastShapes, normalizeAxis, sizeOf } from '../shape.js';

function arity(op: string, inputs: readonly TensorInfo[], n: number | readonly number[]): void {
  const ok = typeof n === 'number' ? inputs.length === n : n.includes(inputs.length);
  if (!ok) throw new ValueError(op, `got ${inputs.length} inputs; expected ${typeof n === 'number' ? n : n.join(' or ')}`);
}

function requireFloat(op: string, t: TensorInfo, what = 'input'): void {
  if (t.dtype !== 'f32' && t.dtype !== 'f64') throw new DTypeError(op, `${what} has dtype ${t.dtype}; expected f32 or f64`);
}

function requireDType(op: string, t: TensorInfo, dtype: DType, what: string): void {
  if (t.dtype !== dtype) throw new DTypeError(op, `${what} has dtype ${t.dtype}; expected ${dtype}`);
}

function sameDType(op: string, a: TensorInfo, b: TensorInfo): void {
  if (a.dtype !== b.dtype) throw new DTypeError(op, `operands have dtypes ${a.dtype} and ${b.dtype}; cast one first`);
}

// ---------------------------------------------------------------- elementwise

/** Binary elementwise operators. Comparisons return 1 or 0 in the operands' dtype. */
export type BinaryOpName = 'add' | 'sub' | 'mul' | 'div' | 'max' | 'min' | 'pow' | 'eq' | 'gt' | 'ge' | 'lt' | 'le';

/** Every {@link BinaryOpName}, for validation and error messages. */
export const BINARY_OPS: readonly BinaryOpName[] = ['add', 'sub', 'mul', 'div', 'max', 'min', 'pow', 'eq', 'gt', 'ge', 'lt', 'le'];

function knownOp(kind: string, op: string, known: readonly string[]): void {
  if (!known.includes(op)) throw new ValueError(kind, `unknown operator '${op}'; expected one of ${known.join(', ')}`);
}

/** `out = a ∘ b` with NumPy broadcasting. Inputs: a, b (same dtype). */
export const Binary = defineKernel<{ op: BinaryOpName }>('binary', (inputs, attrs) => {
  const op = `binary(${attrs.op})`;
  knownOp('binary', attrs.op, BINARY_OPS);
  arity(op, inputs, 2);
  sameDType(op, inputs[0], inputs[1]);
  return [{ shape: broadcastShapes(op, inputs[0].shape, inputs[1].shape), dtype: inputs[0].dtype }];
});

/**
 * Unary elementwise operators. `gelu` is the exact erf form, `geluTanh` the tanh approximation;
 * `geluGrad`/`geluTanhGrad` are their derivatives and `step` is `x > 0 ? 1 : 0` (relu's derivative).
 * `affine` computes `alpha·x + beta`; `powScalar` computes `x^alpha`; `maxScalar` computes `max(x, alpha)`.
 */
export type UnaryOpName =
  | 'identity' | 'neg' | 'abs' | 'exp' | 'log' | 'sqrt' | 'rsqrt' | 'square' | 'reciprocal'
  | 'tanh' | 'sigmoid' | 'relu' | 'step' | 'gelu' | 'geluGrad' | 'geluTanh' | 'geluTanhGrad' | 'erf'
  | 'affine' | 'powScalar' | 'maxScalar';

/** Every {@link UnaryOpName}, for validation and error messages. */
export const UNARY_OPS: readonly UnaryOpName[] = [
  'identity', 'neg', 'abs', 'exp', 'log', 'sqrt', 'rsqrt', 'square', 'reciprocal', 'tanh', 'sigmoid', 'relu', 'step',
  'gelu', 'geluGrad', 'geluTanh', 'geluTanhGrad', 'erf', 'affine', 'powScalar', 'maxScalar',
];

/** Unary elementwise op. Inputs: x (float; `identity`/`neg`/`abs` also accept i32). */
export const Unary = defineKernel<{ op: UnaryOpName; alpha?: number; beta?: number }>('unary', (inputs, attrs) => {
  const op = `unary(${attrs.op})`;
  knownOp('unary', attrs.op, UNARY_OPS);
  arity(op, inputs, 1);
  if (!['identity', 'neg', 'abs'].includes(attrs.op)) requireFloat(op, inputs[0]);
  return [{ shape: inputs[0].shape, dtype: inputs[0].dtype }];
});

/** Converts to another dtype (float → i32 truncates toward zero). */
export const Cast = defineKernel<{ dtype: DType }>('cast', (inputs, attrs) => {
  arity('cast', inputs, 1);
  return [{ shape: inputs[0].shape, dtype: attrs.dtype }];
});

// ---------------------------------------------------------------- matmul

/**
 * Batched matrix product. a: `[...batchA, m, k]` (or `[..., k, m]` with transA), b: `[...batchB, k, n]`
 * (or `[..., n, k]` with transB); batch dimensions broadcast. Output `[...batch, m, n]`. Rank ≥ 2.
 */
export const MatMul = defineKernel<{ transA: boolean; transB: boolean }>('matmul', (inputs, attrs) => {
  arity('matmul', inputs, 2);
  const [a, b] = inputs;
  requireFloat('matmul', a, 'a');
  sameDType('matmul', a, b);
  if (a.shape.length < 2 || b.shape.length < 2) {
    throw new ShapeError('matmul', `operands must have rank ≥ 2; got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
  }
  const ar = a.shape.length;
  const br = b.shape.length;
  const m = attrs.transA ? a.shape[ar - 1] : a.shape[ar - 2];
  const ka = attrs.transA ? a.shape[ar - 2] : a.shape[ar - 1];
  const kb = attrs.transB ? b.shape[br - 1] : b.shape[br - 2];
  const n = attrs.transB ? b.shape[br - 2] : b.shape[br - 1];
  if (ka !== kb) {
    throw new ShapeError('matmul', `inner dimensions differ: a ${fmtShape(a.shape)}${attrs.transA ? 'ᵀ' : ''} has k=${ka}, b ${fmtShape(b.shape)}${attrs.transB ? 'ᵀ' : ''} has k=${kb}`);
  }
  const batch = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  return [{ shape: [...batch, m, n], dtype: a.dtype }];
});

// ---------------------------------------------------------------- layout

/** Permutes axes: `out.shape[i] = x.shape[perm[i]]`. */
export const Transpose = defineKernel<{ perm: readonly number[] }>('transpose', (inputs, attrs) => {
  arity('transpose', inputs, 1);
  const x = inputs[0];
  const r = x.shape.length;
  const seen = new Set(attrs.perm);
  if (attrs.perm.length !== r || seen.size !== r || attrs.perm.some((p) => !Number.isInteger(p) || p < 0 || p >= r)) {
    throw new ValueError('transpose', `perm [${attrs.perm.join(', ')}] is not a permutation of 0..${r - 1} for shape ${fmtShape(x.shape)}`);
  }
  return [{ shape: attrs.perm.map((p) => x.shape[p]), dtype: x.dtype }];
});

/**
 * Index-select along `axis`: inputs x and indices (1-D i32, each in `[0, x.shape[axis])`).
 * Output: x's shape with `shape[axis] = indices.length`. Permutations and embedding lookups use it.
 * Out-of-range indices throw on the CPU (checked) and read zeros on devices that cannot check.
 */
export const Gather = defineKernel<{ axis: number }>('gather', (inputs, attrs) => {
  arity('gather', inputs, 2);
  const [x, idx] = inputs;
  requireDType('gather', idx, 'i32', 'indices');
  if (x.shape.length === 0) throw new ShapeError('gather', 'x is a scalar; expected rank ≥ 1');
  if (idx.shape.length !== 1) throw new ShapeError('gather', `indices must be 1-D; got ${fmtShape(idx.shape)}`);
  const axis = normalizeAxis('gather', attrs.axis, x.shape.length);
  const shape = [...x.shape];
  shape[axis] = idx.shape[0];
  return [{ shape, dtype: x.dtype }];
});

/**
 * The adjoint of {@link Gather}: `out = zeros(shape with shape[axis] = size)`, then
 * `out[..., indices[i], ...] += updates[..., i, ...]`. Inputs: indices (1-D i32), updates.
 */
export const ScatterAdd = defineKernel<{ axis: number; size: number }>('scatterAdd', (inputs, attrs) => {
  arity('scatterAdd', inputs, 2);
  const [idx, upd] = inputs;
  requireDType('scatterAdd', idx, 'i32', 'indices');
  requireFloat('scatterAdd', upd, 'updates');
  if (upd.shape.length === 0) throw new ShapeError('scatterAdd', 'updates is a scalar; expected rank ≥ 1');
  if (!Number.isInteger(attrs.size) || attrs.size < 0) throw new ValueError('scatterAdd', `size is ${attrs.size}; expected a non-negative integer`);
  const axis = normalizeAxis('scatterAdd', attrs.axis, upd.shape.length);
  if (idx.shape.length !== 1 || idx.shape[0] !== upd.shape[axis]) {
    throw new ShapeError('scatterAdd', `indices ${fmtShape(idx.shape)} must be 1-D with length updates.shape[${axis}] = ${upd.shape[axis]}`);
  }
  const shape = [...upd.shape];
  shape[axis] = attrs.size;
  return [{ shape, dtype: upd.dtype }];
});

/** Contiguous slice: `out = x[begin[0]:begin[0]+size[0], …]`; `size[i] = -1` means "to the end". */
export const Slice = defineKernel<{ begin: readonly number[]; size: readonly number[] }>('slice', (inputs, attrs) => {
  arity('slice', inputs, 1);
  const x = inputs[0];
  if (attrs.begin.length !== x.shape.length || attrs.size.length !== x.shape.length) {
    throw new ShapeError('slice', `begin [${attrs.begin}] and size [${attrs.size}] must have one entry per dimension of ${fmtShape(x.shape)}`);
  }
  const shape = attrs.size.map((s, i) => (s === -1 ? x.shape[i] - attrs.begin[i] : s));
  for (let i = 0; i < shape.length; i++) {
    if (!Number.isInteger(attrs.begin[i]) || !Number.isInteger(attrs.size[i])) {
      throw new ValueError('slice', `dimension ${i}: begin ${attrs.begin[i]} and size ${attrs.size[i]} must be integers`);
    }
    if (attrs.begin[i] < 0 || shape[i] < 0 || attrs.begin[i] + shape[i] > x.shape[i]) {
      throw new ShapeError('slice', `dimension ${i}: begin ${attrs.begin[i]} + size ${shape[i]} exceeds ${x.shape[i]} in ${fmtShape(x.shape)}`);
    }
  }
  return [{ shape, dtype: x.dtype }];
});

/** The adjoint of {@link Slice}: places x at offset `begin` inside zeros of `shape`. */
export const Pad = defineKernel<{ begin: readonly number[]; shape: readonly number[] }>('pad', (inputs, attrs) => {
  arity('pad', inputs, 1);
  const x = inputs[0];
  assertValidShape('pad', attrs.shape);
  if (attrs.begin.length !== x.shape.length || attrs.shape.length !== x.shape.length) {
    throw new ShapeError('pad', `begin [${attrs.begin}] and shape [${attrs.shape}] must have one entry per dimension of ${fmtShape(x.shape)}`);
  }
  for (let i = 0; i < x.shape.length; i++) {
    if (!Number.isInteger(attrs.begin[i])) throw new ValueError('pad', `dimension ${i}: begin ${attrs.begin[i]} must be an integer`);
    if (attrs.begin[i] < 0 || attrs.begin[i] + x.shape[i] > attrs.shape[i]) {
      throw new ShapeError('pad', `dimension ${i}: ${x.shape[i]} at offset ${attrs.begin[i]} does not fit in ${attrs.shape[i]}`);
    }
  }
  return [{ shape: [...attrs.shape], dtype: x.dtype }];
});

/** Concatenation along `axis`; all other dimensions and dtypes must agree. Variadic (≥ 1 input). */
export const Concat = defineKernel<{ axis: number }>('concat', (inputs, attrs) => {
  if (inputs.length === 0) throw new ValueError('concat', 'got no inputs; expected at least one');
  const first = inputs[0];
  if (first.shape.length === 0) throw new ShapeError('concat', 'inputs are scalars; expected rank ≥ 1 (reshape them to [1] first)');
  const axis = normalizeAxis('concat', attrs.axis, first.shape.length);
  let total = 0;
  for (const [i, t] of inputs.entries()) {
    sameDType('concat', first, t);
    if (t.shape.length !== first.shape.length || t.shape.some((d, j) => j !== axis && d !== first.shape[j])) {
      throw new ShapeError('concat', `input ${i} has shape ${fmtShape(t.shape)}; expected ${fmtShape(first.shape)} except along axis ${axis}`);
    }
    total += t.shape[axis];
  }
  const shape = [...first.shape];
  shape[axis] = total;
  return [{ shape, dtype: first.dtype }];
});

// ---------------------------------------------------------------- reductions

/** Reduction operators. */
export type ReduceOpName = 'sum' | 'mean' | 'max' | 'min';

/** Every {@link ReduceOpName}, for validation and error messages. */
export const REDUCE_OPS: readonly ReduceOpName[] = ['sum', 'mean', 'max', 'min'];

/** Reduces over `axes` (empty = all). With `keepDims` reduced axes stay as size 1. */
export const Reduce = defineKernel<{ op: ReduceOpName; axes: readonly number[]; keepDims: boolean }>('reduce', (inputs, attrs) => {
  const op = `reduce(${attrs.op})`;
  knownOp('reduce', attrs.op, REDUCE_OPS);
  arity(op, inputs, 1);
  const x = inputs[0];
  if (attrs.op !== 'sum') requireFloat(op, x);
  const axes = reduceAxes(op, attrs.axes, x.shape.length);
  if ((attrs.op === 'max' || attrs.op === 'min') && axes.some((a) => x.shape[a] === 0)) {
    throw new ShapeError(op, `cannot reduce an empty axis of ${fmtShape(x.shape)}`);
  }
  const shape: number[] = [];
  x.shape.forEach((d, i) => {
    if (!axes.includes(i)) shape.push(d);
    else if (attrs.keepDims) shape.push(1);
  });
  return [{ shape, dtype: x.dtype }];
});

/** Normalises reduction axes (negative allowed, empty = all), sorted and unique. */
export function reduceAxes(op: string, axes: readonly number[], rank: number): number[] {
  if (axes.length === 0) return [...Array(rank).keys()];
  const out = [...new Set(axes.map((a) => normalizeAxis(op, a, rank)))].sort((p, q) => p - q);
  return out;
}

/** Index of the maximum along `axis` (first on ties), as i32; the axis is removed. */
export const ArgMax = defineKernel<{ axis: number }>('argmax', (inputs, attrs) => {
  arity('argmax', inputs, 1);
  const x = inputs[0];
  if (x.shape.length === 0) throw new ShapeError('argmax', 'input is a scalar; expected rank ≥ 1');
  const axis = normalizeAxis('argmax', attrs.axis, x.shape.length);
  if (x.shape[axis] === 0) throw new ShapeError('argmax', `axis ${axis} of ${fmtShape(x.shape)} is empty`);
  return [{ shape: x.shape.filter((_, i) => i !== axis), dtype: 'i32' }];
});

/** Softmax over the last axis (numerically stable). */
export const Softmax = defineKernel<Record<string, never>>('softmax', (inputs) => {
  arity('softmax', inputs, 1);
  requireFloat('softmax', inputs[0]);
  if (inputs[0].shape.length === 0) throw new ShapeError('softmax', 'input is a scalar; expected rank ≥ 1');
  return [{ shape: inputs[0].shape, dtype: inputs[0].dtype }];
});

/** Log-softmax over the last axis (numerically stable). */
export const LogSoftmax = defineKernel<Record<string, never>>('logSoftmax', (inputs) => {
  arity('logSoftmax', inputs, 1);
  requireFloat('logSoftmax', inputs[0]);
  if (inputs[0].shape.length === 0) throw new ShapeError('logSoftmax', 'input is a scalar; expected rank ≥ 1');
  return [{ shape: inputs[0].shape, dtype: inputs[0].dtype }];
});

// ---------------------------------------------------------------- fused model ops

/**
 * LayerNorm over the last axis: `y = (x − mean) / sqrt(var + eps) · gamma + beta` (biased variance).
 * Inputs: x `[..., d]`, gamma `[d]`, beta `[d]`.
 */
export const LayerNorm = defineKernel<{ eps: number }>('layerNorm', (inputs, attrs) => {
  arity('layerNorm', inputs, 3);
  const [x, g, b] = inputs;
  requireFloat('layerNorm', x);
  const d = x.shape[x.shape.length - 1];
  if (x.shape.length === 0 || g.shape.length !== 1 || b.shape.length !== 1 || g.shape[0] !== d || b.shape[0] !== d) {
    throw new ShapeError('layerNorm', `x ${fmtShape(x.shape)}, gamma ${fmtShape(g.shape)}, beta ${fmtShape(b.shape)}: gamma and beta must be [${d}]`);
  }
  if (!(attrs.eps >= 0)) throw new ValueError('layerNorm', `eps is ${attrs.eps}; expected ≥ 0`);
  return [{ shape: x.shape, dtype: x.dtype }];
});

/**
 * Scaled dot-product attention per batch and head: `softmax(q kᵀ · scale + maskBias) v`.
 * Inputs: q, k, v `[B, H, T, dk]`, optional mask `[B, T]` (1 = real token, 0 = padding: padded
 * keys get −∞ bias; a row whose keys are all padding yields zeros). Output `[B, H, T, dk]`.
 */
export const Attention = defineKernel<{ scale: number }>('attention', (inputs, attrs) => {
  arity('attention', inputs, [3, 4]);
  if (!Number.isFinite(attrs.scale)) throw new ValueError('attention', `scale is ${attrs.scale}; expected a finite number`);
  const [q, k, v, mask] = inputs;
  requireFloat('attention', q, 'q');
  for (const [name, t] of [['k', k], ['v', v]] as const) {
    sameDType('attention', q, t);
    if (t.shape.length !== 4 || t.shape.some((d, i) => d !== q.shape[i])) {
      throw new ShapeError('attention', `${name} has shape ${fmtShape(t.shape)}; expected q's shape ${fmtShape(q.shape)}`);
    }
  }
  if (q.shape.length !== 4) throw new ShapeError('attention', `q has shape ${fmtShape(q.shape)}; expected [B, H, T, dk]`);
  if (mask && (mask.shape.length !== 2 || mask.shape[0] !== q.shape[0] || mask.shape[1] !== q.shape[2])) {
    throw new ShapeError('attention', `mask has shape ${fmtShape(mask.shape)}; expected [${q.shape[0]}, ${q.shape[2]}]`);
  }
  return [{ shape: q.shape, dtype: q.dtype }];
});

/**
 * Centred cross product for covariance accumulation: `(X − 1·meanXᵀ)ᵀ (Y − 1·meanYᵀ)`.
 * Inputs: X `[n, p]`, Y `[n, q]`, meanX `[p]`, meanY `[q]`. Output `[p, q]`.
 */
export const CenteredCross = defineKernel<Record<string, never>>('centeredCross', (inputs) => {
  arity('centeredCross', inputs, 4);
  const [x, y, mx, my] = inputs;
  requireFloat('centeredCross', x, 'X');
  for (const t of [y, mx, my]) sameDType('centeredCross', x, t);
  if (x.shape.length !== 2 || y.shape.length !== 2 || x.shape[0] !== y.shape[0]) {
    throw new ShapeError('centeredCross', `X ${fmtShape(x.shape)} and Y ${fmtShape(y.shape)} must be [n, p] and [n, q] with the same n`);
  }
  if (mx.shape.length !== 1 || mx.shape[0] !== x.shape[1] || my.shape.length !== 1 || my.shape[0] !== y.shape[1]) {
    throw new ShapeError('centeredCross', `means ${fmtShape(mx.shape)}, ${fmtShape(my.shape)} must be [${x.shape[1]}] and [${y.shape[1]}]`);
  }
  return [{ shape: [x.shape[1], y.shape[1]], dtype: x.dtype }];
});

/**
 * One-hot encoding of i32 indices: output `[...indices.shape, depth]` in `dtype` (default f32).
 * An index outside `[0, depth)` (e.g. an ignore label such as −100) yields an all-zero row.
 */
export const OneHot = defineKernel<{ depth: number; dtype?: DType }>('oneHot', (inputs, attrs) => {
  arity('oneHot', inputs, 1);
  requireDType('oneHot', inputs[0], 'i32', 'indices');
  if (!Number.isInteger(attrs.depth) || attrs.depth <= 0) throw new ValueError('oneHot', `depth is ${attrs.depth}; expected a positive integer`);
  return [{ shape: [...inputs[0].shape, attrs.depth], dtype: attrs.dtype ?? 'f32' }];
});

/** A tensor of `shape` filled with `value` (no inputs; runs on the requested backend). */
export const Fill = defineKernel<{ shape: readonly number[]; value: number; dtype: DType }>('fill', (inputs, attrs) => {
  arity('fill', inputs, 0);
  assertValidShape('fill', attrs.shape);
  return [{ shape: [...attrs.shape], dtype: attrs.dtype }];
});

/** Every primitive definition, for coverage checks (each backend must implement all of them). */
export const ALL_KERNELS = [
  Binary, Unary, Cast, MatMul, Transpose, Gather, ScatterAdd, Slice, Pad, Concat, Reduce, ArgMax,
  Softmax, LogSoftmax, LayerNorm, Attention, CenteredCross, OneHot, Fill,
] as const;

/** Size helper re-exported for implementations. */
export { sizeOf };
