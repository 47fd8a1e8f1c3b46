import type { DType } from '../dtype.js';
import { runKernel1 } from '../kernel.js';
import { Binary, type BinaryOpName, Cast, Unary, type UnaryOpName } from '../kernels/defs.js';
import { type Tensor, full } from '../tensor.js';

const binary = (op: BinaryOpName) => (a: Tensor, b: Tensor | number): Tensor =>
  runKernel1(Binary, [a, typeof b === 'number' ? full([], b, { dtype: a.dtype, backend: a.backend }) : b], { op });

/** `a + b` with broadcasting (b may be a number). */
export const add = binary('add');
/** `a − b` with broadcasting. */
export const sub = binary('sub');
/** `a · b` elementwise with broadcasting. */
export const mul = binary('mul');
/** `a / b` elementwise with broadcasting. */
export const div = binary('div');
/** Elementwise maximum. */
export const maximum = binary('max');
/** Elementwise minimum. */
export const minimum = binary('min');
/** Elementwise power `a^b`. */
export const pow = binary('pow');
/** `a == b` as 1/0. */
export const equal = binary('eq');
/** `a > b` as 1/0. */
export const greater = binary('gt');
/** `a >= b` as 1/0. */
export const greaterEqual = binary('ge');
/** `a < b` as 1/0. */
export const less = binary('lt');
/** `a <= b` as 1/0. */
export const lessEqual = binary('le');

const unary = (op: UnaryOpName) => (x: Tensor): Tensor => runKernel1(Unary, [x], { op });

export const identity = unary('identity');
export const neg = unary('neg');
export const abs = unary('abs');
export const exp = unary('exp');
export const log = unary('log');
export const sqrt = unary('sqrt');
export const rsqrt = unary('rsqrt');
export const square = unary('square');
export const reciprocal = unary('reciprocal');
export const tanh = unary('tanh');
export const sigmoid = unary('sigmoid');
export const relu = unary('relu');
/** `x > 0 ? 1 : 0`. */
export const step = unary('step');
/** GELU, exact form `x·Φ(x)` (BERT's `gelu`). */
export const gelu = unary('gelu');
/** d/dx of exact GELU. */
export const geluGrad = unary('geluGrad');
/** GELU, tanh approximation (`gelu_new`, `gelu_pytorch_tanh`). */
export const geluTanh = unary('geluTanh');
/** d/dx of tanh-approximated GELU. */
export const geluTanhGrad = unary('geluTanhGrad');
export const erf = unary('erf');

/** `alpha·x + beta` in one pass. */
export function affine(x: Tensor, alpha: number, beta = 0): Tensor {
  return runKernel1(Unary, [x], { op: 'affine' as const, alpha, beta });
}
/** `x · s` for a number s. */
export function mulScalar(x: Tensor, s: number): Tensor {
  return affine(x, s, 0);
}
/** `x + s` for a number s. */
export function addScalar(x: Tensor, s: number): Tensor {
  return affine(x, 1, s);
}
/** `x^p` for a number p. */
export function powScalar(x: Tensor, p: number): Tensor {
  return runKernel1(Unary, [x], { op: 'powScalar' as const, alpha: p });
}
/** `max(x, s)` for a number s. */
export function maxScalar(x: Tensor, s: number): Tensor {
  return runKernel1(Unary, [x], { op: 'maxScalar' as const, alpha: s });
}
/** Converts to `dtype` (a copy even when the dtype already matches). */
export function cast(x: Tensor, dtype: DType): Tensor {
  return runKernel1(Cast, [x], { dtype });
}
