/**
 * Naive f64 oracles for the elementwise kernels (Binary, Unary, Cast). Broadcasting is done per
 * element through coordinates; erf comes from a series / numerical integral, not from the
 * Chebyshev fits the CPU backend uses.
 */
import type { BinaryOpName, UnaryOpName } from '../../kernels/defs.js';
import type { DType } from '../../dtype.js';
import { type NdArray, nd, ravel, unravel } from '../nd.js';

/** NumPy broadcast shape of two shapes (throws on mismatch). */
export function broadcastShapeOracle(a: readonly number[], b: readonly number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const da = i < r - a.length ? 1 : a[i - (r - a.length)];
    const db = i < r - b.length ? 1 : b[i - (r - b.length)];
    if (da !== db && da !== 1 && db !== 1) throw new Error(`oracle: cannot broadcast [${a}] and [${b}]`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

/** Maps output coordinates to an operand's (right-aligned, size-1 axes read index 0). */
function operandIndex(outCoords: readonly number[], shape: readonly number[]): number {
  const off = outCoords.length - shape.length;
  const c = shape.map((d, i) => (d === 1 ? 0 : outCoords[off + i]));
  return ravel(c, shape);
}

function applyBinary(op: BinaryOpName, x: number, y: number): number {
  switch (op) {
    case 'add': return x + y;
    case 'sub': return x - y;
    case 'mul': return x * y;
    case 'div': return x / y;
    case 'max': return Number.isNaN(x) || Number.isNaN(y) ? NaN : x > y ? x : y;
    case 'min': return Number.isNaN(x) || Number.isNaN(y) ? NaN : x < y ? x : y;
    case 'pow': return x ** y;
    case 'eq': return x === y ? 1 : 0;
    case 'gt': return x > y ? 1 : 0;
    case 'ge': return x >= y ? 1 : 0;
    case 'lt': return x < y ? 1 : 0;
    case 'le': return x <= y ? 1 : 0;
  }
}

/** `a ∘ b` with broadcasting, in f64. */
export function binaryOracle(op: BinaryOpName, a: NdArray, b: NdArray): NdArray {
  const shape = broadcastShapeOracle(a.shape, b.shape);
  const out = nd(shape);
  for (let i = 0; i < out.data.length; i++) {
    const c = unravel(i, shape);
    out.data[i] = applyBinary(op, a.data[operandIndex(c, a.shape)], b.data[operandIndex(c, b.shape)]);
  }
  return out;
}

/**
 * erf by an alternating Maclaurin series for |x| ≤ 2.5 (cancellation costs < 1e-13 there) and by
 * Simpson integration of `2/√π ∫ₓ^{x+10} e^{−t²} dt` for the tail. Accurate to ~1e-13; slow.
 */
export function erfOracle(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  let r: number;
  if (ax <= 2.5) {
    let term = ax;
    let sum = ax;
    const x2 = ax * ax;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const t = term / (2 * n + 1);
      sum += t;
      if (Math.abs(t) < 1e-20) break;
    }
    r = (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    const steps = 4000;
    const h = 10 / steps;
    let s = Math.exp(-ax * ax) + Math.exp(-(ax + 10) * (ax + 10));
    for (let i = 1; i < steps; i++) {
      const t = ax + i * h;
      s += (i % 2 === 1 ? 4 : 2) * Math.exp(-t * t);
    }
    r = 1 - (2 / Math.sqrt(Math.PI)) * (s * h) / 3;
  }
  return x < 0 ? -r : r;
}

/** `Φ(x)` from {@link erfOracle}. */
function phi(x: number): number {
  return 0.5 * (1 + erfOracle(x / Math.SQRT2));
}

function applyUnary(op: UnaryOpName, v: number, alpha: number, beta: number): number {
  const c = Math.sqrt(2 / Math.PI);
  switch (op) {
    case 'identity': return v;
    case 'neg': return -v;
    case 'abs': return v < 0 ? -v : v;
    case 'exp': return Math.exp(v);
    case 'log': return Math.log(v);
    case 'sqrt': return Math.sqrt(v);
    case 'rsqrt': return 1 / Math.sqrt(v);
    case 'square': return v * v;
    case 'reciprocal': return 1 / v;
    case 'tanh': return Math.tanh(v);
    case 'sigmoid': return v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
    case 'relu': return v > 0 ? v : 0;
    case 'step': return v > 0 ? 1 : 0;
    case 'gelu': return v * phi(v);
    case 'geluGrad': return phi(v) + (v * Math.exp(-0.5 * v * v)) / Math.sqrt(2 * Math.PI);
    case 'geluTanh': return 0.5 * v * (1 + Math.tanh(c * (v + 0.044715 * v ** 3)));
    case 'geluTanhGrad': {
      // d/dv of 0.5·v·(1 + tanh(u(v))), u = c(v + 0.044715 v³).
      const u = c * (v + 0.044715 * v ** 3);
      const du = c * (1 + 3 * 0.044715 * v * v);
      const sech2 = 1 / Math.cosh(u) ** 2;
      return 0.5 * (1 + Math.tanh(u)) + 0.5 * v * sech2 * du;
    }
    case 'erf': return erfOracle(v);
    case 'affine': return alpha * v + beta;
    case 'powScalar': return v ** alpha;
    case 'maxScalar': return v > alpha ? v : alpha;
  }
}

/** Elementwise unary op in f64 (`alpha` default 1, `beta` default 0, as in the kernel contract). */
export function unaryOracle(op: UnaryOpName, x: NdArray, alpha = 1, beta = 0): NdArray {
  const out = nd(x.shape);
  for (let i = 0; i < x.data.length; i++) out.data[i] = applyUnary(op, x.data[i], alpha, beta);
  return out;
}

/** dtype conversion: f32 rounds to nearest, i32 truncates toward zero and wraps modulo 2³² (NaN → 0). */
export function castOracle(x: NdArray, dtype: DType): NdArray {
  const out = nd(x.shape);
  for (let i = 0; i < x.data.length; i++) {
    const v = x.data[i];
    if (dtype === 'f32') out.data[i] = Math.fround(v);
    else if (dtype === 'i32') out.data[i] = Number.isFinite(v) ? Number(BigInt.asIntN(32, BigInt(Math.trunc(v)))) : 0;
    else out.data[i] = v;
  }
  return out;
}
