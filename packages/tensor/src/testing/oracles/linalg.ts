/**
 * Naive f64 oracles for MatMul and CenteredCross. Each returns the value and an error scale
 * `Σₖ |aᵢₖ|·|bₖⱼ|` per element, against which floating-point accumulation error is measured.
 */
import { type NdArray, nd, ravel, unravel } from '../nd.js';
import { broadcastShapeOracle } from './elementwise.js';

/** A result plus the per-element error scale. */
export interface ScaledResult {
  readonly value: NdArray;
  readonly scale: Float64Array;
}

/** Batched `op(a)·op(b)` with broadcast batch axes, by the triple loop. */
export function matmulOracle(a: NdArray, b: NdArray, transA: boolean, transB: boolean): ScaledResult {
  const ar = a.shape.length;
  const br = b.shape.length;
  const m = transA ? a.shape[ar - 1] : a.shape[ar - 2];
  const k = transA ? a.shape[ar - 2] : a.shape[ar - 1];
  const n = transB ? b.shape[br - 2] : b.shape[br - 1];
  const batch = broadcastShapeOracle(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const shape = [...batch, m, n];
  const value = nd(shape);
  const scale = new Float64Array(value.data.length);
  for (let idx = 0; idx < value.data.length; idx++) {
    const c = unravel(idx, shape);
    const i = c[c.length - 2];
    const j = c[c.length - 1];
    const bc = c.slice(0, -2);
    const aBatch = a.shape.slice(0, -2).map((d, t) => (d === 1 ? 0 : bc[bc.length - (ar - 2) + t]));
    const bBatch = b.shape.slice(0, -2).map((d, t) => (d === 1 ? 0 : bc[bc.length - (br - 2) + t]));
    // Start offsets and steps of row i of op(a) and column j of op(b).
    const aStart = ravel([...aBatch, ...(transA ? [0, i] : [i, 0])], a.shape);
    const aStep = transA ? m : 1;
    const bStart = ravel([...bBatch, ...(transB ? [j, 0] : [0, j])], b.shape);
    const bStep = transB ? 1 : n;
    let s = 0;
    let sa = 0;
    for (let p = 0; p < k; p++) {
      const prod = a.data[aStart + p * aStep] * b.data[bStart + p * bStep];
      s += prod;
      sa += Math.abs(prod);
    }
    value.data[idx] = s;
    scale[idx] = sa;
  }
  return { value, scale };
}

/** `(X − meanX)ᵀ (Y − meanY)` for X `[n, p]`, Y `[n, q]`. */
export function centeredCrossOracle(x: NdArray, y: NdArray, meanX: NdArray, meanY: NdArray): ScaledResult {
  const [n, p] = x.shape;
  const q = y.shape[1];
  const value = nd([p, q]);
  const scale = new Float64Array(p * q);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < q; j++) {
      let s = 0;
      let sa = 0;
      for (let r = 0; r < n; r++) {
        const t = (x.data[r * p + i] - meanX.data[i]) * (y.data[r * q + j] - meanY.data[j]);
        s += t;
        sa += Math.abs(t);
      }
      value.data[i * q + j] = s;
      scale[i * q + j] = sa;
    }
  }
  return { value, scale };
}
