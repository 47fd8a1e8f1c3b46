/**
 * CPU implementation of {@link Unary}. One loop function per operator so that each is optimised on
 * its own; values are computed in f64 and rounded once by the output array's store.
 */
import type { TypedArray } from '../../../dtype.js';
import { type KernelImpl, registerKernel } from '../../../kernel.js';
import { Unary, type UnaryOpName } from '../../../kernels/defs.js';
import { erf, normalCdf, normalPdf } from './erf.js';
import { allocOut, arrayOf } from './util.js';

/** √(2/π), the constant of the tanh GELU approximation. */
const GELU_C = Math.sqrt(2 / Math.PI);
/** Cubic coefficient of the tanh GELU approximation. */
const GELU_A = 0.044715;

type Loop = (o: TypedArray, x: TypedArray, n: number, alpha: number, beta: number) => void;

const LOOPS: Record<UnaryOpName, Loop> = {
  identity: (o, x, n) => { o.set(x.subarray(0, n)); },
  neg: (o, x, n) => { for (let i = 0; i < n; i++) o[i] = -x[i]; },
  abs: (o, x, n) => { for (let i = 0; i < n; i++) o[i] = Math.abs(x[i]); },
  exp: (o, x, n) => { for (let i = 0; i < n; i++) o[i] = Math.exp(x[i]); },
  log: (o, x, n) => { for (let i = 0; i < n; i++) o[i] = Math.log(x[i]); },
  sqrt: (o, x, n) => { for (let i = 0; i < n; i++) o[i] = Math.sqrt(x[i]); },
  rsqrt: (o, x, n) => { for (let i = 0; i < n; i++) o[i] = 1 / Math.sqrt(x[i]); },
  square: (o, x, n) => { for (let i = 0; i < n; i++) { const v = x[i]; o[i] = v * v; } },
  reciprocal: (o, x, n) => { for (let i = 0; i < n; i++) o[i] = 1 / x[i]; },
  tanh: (o, x, n) => { for (let i = 0; i < n; i++) o[i] = Math.tanh(x[i]); },
  // exp(−x) overflowing to ∞ for very negative x gives exactly 0, which is the right limit.
  sigmoid: (o, x, n) => { for (let i = 0; i < n; i++) o[i] = 1 / (1 + Math.exp(-x[i])); },
  relu: (o, x, n) => { for (let i = 0; i < n; i++) o[i] = Math.max(x[i], 0); },
  step: (o, x, n) => { for (let i = 0; i < n; i++) o[i] = x[i] > 0 ? 1 : 0; },
  // x·Φ(x) with Φ from erfc, so the far negative tail keeps its relative accuracy.
  gelu: (o, x, n) => { for (let i = 0; i < n; i++) { const v = x[i]; o[i] = v * normalCdf(v); } },
  geluGrad: (o, x, n) => { for (let i = 0; i < n; i++) { const v = x[i]; o[i] = normalCdf(v) + v * normalPdf(v); } },
  geluTanh: (o, x, n) => {
    for (let i = 0; i < n; i++) {
      const v = x[i];
      o[i] = 0.5 * v * (1 + Math.tanh(GELU_C * (v + GELU_A * v * v * v)));
    }
  },
  geluTanhGrad: (o, x, n) => {
    for (let i = 0; i < n; i++) {
      const v = x[i];
      const t = Math.tanh(GELU_C * (v + GELU_A * v * v * v));
      o[i] = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * GELU_C * (1 + 3 * GELU_A * v * v);
    }
  },
  erf: (o, x, n) => { for (let i = 0; i < n; i++) o[i] = erf(x[i]); },
  affine: (o, x, n, alpha, beta) => { for (let i = 0; i < n; i++) o[i] = alpha * x[i] + beta; },
  powScalar: (o, x, n, alpha) => { for (let i = 0; i < n; i++) o[i] = Math.pow(x[i], alpha); },
  maxScalar: (o, x, n, alpha) => { for (let i = 0; i < n; i++) o[i] = Math.max(x[i], alpha); },
};

/** Elementwise unary op; `alpha` defaults to 1 and `beta` to 0. */
export const unaryCpu: KernelImpl<{ op: UnaryOpName; alpha?: number; beta?: number }> = (inputs, attrs, outputs, backend) => {
  const { storage, array: o } = allocOut(backend, outputs[0]);
  LOOPS[attrs.op](o, arrayOf(inputs[0]), o.length, attrs.alpha ?? 1, attrs.beta ?? 0);
  return [storage];
};

/** Registers the unary kernel for the CPU backend. */
export function registerUnaryCpu(): void {
  registerKernel(Unary, 'cpu', unaryCpu);
}
