/**
 * Vector–Jacobian products of every differentiable primitive, written with the public ops so they
 * run on any backend. Checked against finite differences in `test/autograd-*.test.ts`.
 */
import { ValueError } from '../errors.js';
import {
  Attention, Binary, Cast, Concat, Gather, LayerNorm, LogSoftmax, MatMul, Pad, Reduce, ScatterAdd,
  Slice, Softmax, Transpose, Unary, reduceAxes,
} from '../kernels/defs.js';
import {
  add, affine, cast, div, equal, exp, geluGrad, geluTanhGrad, greaterEqual, less, log, mul, neg, pow,
  powScalar, rsqrt, square, step, sub,
} from '../ops/elementwise.js';
import { fill, gather, pad, scatterAdd, slice, transpose } from '../ops/layout.js';
import { matmul } from '../ops/linalg-ops.js';
import { mean, softmax, sum } from '../ops/reduce.js';
import type { Tensor } from '../tensor.js';
import { registerGradient } from './registry.js';

/** Sums `g` down to `shape` (undoing NumPy broadcasting). */
export function unbroadcast(g: Tensor, shape: readonly number[]): Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  const lead = g.shape.length - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.shape.length; i++) {
    const target = i < lead ? 1 : shape[i - lead];
    if (i < lead || (target === 1 && g.shape[i] !== 1)) axes.push(i);
  }
  const reduced = axes.length ? sum(g, axes, true) : g;
  return reduced.reshape(shape);
}

/** Broadcasts a reduced gradient (keepDims shape) back to `shape` (zeros of `shape` + g). */
function expandTo(g: Tensor, shape: readonly number[]): Tensor {
  return add(fill(shape, 0, g.dtype, g.backend), g);
}

let registered = false;

/** Registers the gradients of all primitive kernels (idempotent). */
export function registerGradients(): void {
  if (registered) return;
  registered = true;

  registerGradient(Binary, ([dy], [a, b], { op }, [y]) => {
    switch (op) {
      case 'add':
        return [unbroadcast(dy, a.shape), unbroadcast(dy, b.shape)];
      case 'sub':
        return [unbroadcast(dy, a.shape), unbroadcast(neg(dy), b.shape)];
      case 'mul':
        return [unbroadcast(mul(dy, b), a.shape), unbroadcast(mul(dy, a), b.shape)];
      case 'div':
        return [unbroadcast(div(dy, b), a.shape), unbroadcast(neg(div(mul(dy, y), b)), b.shape)];
      case 'max': {
        const ga = greaterEqual(a, b);
        return [unbroadcast(mul(dy, ga), a.shape), unbroadcast(mul(dy, affine(ga, -1, 1)), b.shape)];
      }
      case 'min': {
        const ga = less(a, b);
        return [unbroadcast(mul(dy, ga), a.shape), unbroadcast(mul(dy, affine(ga, -1, 1)), b.shape)];
      }
      case 'pow':
        return [
          unbroadcast(mul(dy, mul(b, pow(a, affine(b, 1, -1)))), a.shape),
          unbroadcast(mul(dy, mul(y, log(a))), b.shape),
        ];
      default:
        return [null, null]; // comparisons are piecewise constant
    }
  });

  registerGradient(Unary, ([dy], [x], { op, alpha = 0 }, [y]) => {
    switch (op) {
      case 'identity':
        return [dy];
      case 'neg':
        return [neg(dy)];
      case 'abs':
        return [mul(dy, sub(step(x), step(neg(x))))];
      case 'exp':
        return [mul(dy, y)];
      case 'log':
        return [div(dy, x)];
      case 'sqrt':
        return [div(affine(dy, 0.5), y)];
      case 'rsqrt':
        return [mul(dy, affine(mul(y, square(y)), -0.5))];
      case 'square':
        return [mul(dy, affine(x, 2))];
      case 'reciprocal':
        return [neg(mul(dy, square(y)))];
      case 'tanh':
        return [mul(dy, affine(square(y), -1, 1))];
      case 'sigmoid':
        return [mul(dy, mul(y, affine(y, -1, 1)))];
      case 'relu':
        return [mul(dy, step(x))];
      case 'gelu':
        return [mul(dy, geluGrad(x))];
      case 'geluTanh':
        return [mul(dy, geluTanhGrad(x))];
      case 'erf':
        return [mul(dy, affine(exp(neg(square(x))), 2 / Math.sqrt(Math.PI)))];
      case 'affine':
        return [affine(dy, alpha)];
      case 'powScalar':
        return [mul(dy, affine(powScalar(x, alpha - 1), alpha))];
      case 'maxScalar':
        return [mul(dy, step(affine(x, 1, -alpha)))];
      default:
        throw new ValueError('valueAndGrad', `unary op '${op}' is not differentiable`);
    }
  });

  registerGradient(Cast, ([dy], [x]) => [x.dtype === 'i32' ? null : cast(dy, x.dtype)]);

  registerGradient(MatMul, ([dy], [a, b], { transA, transB }) => {
    let da: Tensor;
    let db: Tensor;
    if (!transA && !transB) {
      da = matmul(dy, b, { transB: true });
      db = matmul(a, dy, { transA: true });
    } else if (!transA && transB) {
      da = matmul(dy, b);
      db = matmul(dy, a, { transA: true });
    } else if (transA && !transB) {
      da = matmul(b, dy, { transB: true });
      db = matmul(a, dy);
    } else {
      da = matmul(b, dy, { transA: true, transB: true });
      db = matmul(dy, a, { transA: true, transB: true });
    }
    return [unbroadcast(da, a.shape), unbroadcast(db, b.shape)];
  });

  registerGradient(Transpose, ([dy], _inputs, { perm }) => {
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => (inverse[p] = i));
    return [transpose(dy, inverse)];
  });

  registerGradient(Gather, ([dy], [x, idx], { axis }) => {
    const ax = axis < 0 ? axis + x.rank : axis;
    return [scatterAdd(idx, dy, ax, x.shape[ax]), null];
  });

  registerGradient(ScatterAdd, ([dy], [idx], { axis }) => [null, gather(dy, idx, axis)]);

  registerGradient(Slice, ([dy], [x], { begin }) => [pad(dy, begin, x.shape)]);

  registerGradient(Pad, ([dy], [x], { begin }) => [slice(dy, begin, x.shape)]);

  registerGradient(Concat, ([dy], inputs, { axis }) => {
    const ax = axis < 0 ? axis + inputs[0].rank : axis;
    let offset = 0;
    return inputs.map((t) => {
      const begin = t.shape.map((_, i) => (i === ax ? offset : 0));
      offset += t.shape[ax];
      return slice(dy, begin, t.shape);
    });
  });

  registerGradient(Reduce, ([dy], [x], { op, axes, keepDims }, [y]) => {
    const ax = reduceAxes('reduce', axes, x.rank);
    const keptShape = x.shape.map((d, i) => (ax.includes(i) ? 1 : d));
    const dyKeep = keepDims ? dy : dy.reshape(keptShape);
    switch (op) {
      case 'sum':
        return [expandTo(dyKeep, x.shape)];
      case 'mean': {
        const count = ax.reduce((n, i) => n * x.shape[i], 1);
        return [expandTo(affine(dyKeep, 1 / count), x.shape)];
      }
      default: {
        const yKeep = keepDims ? y : y.reshape(keptShape);
        return [mul(equal(x, yKeep), dyKeep)];
      }
    }
  });

  registerGradient(Softmax, ([dy], _x, _a, [y]) => [mul(y, sub(dy, sum(mul(dy, y), -1, true)))]);

  registerGradient(LogSoftmax, ([dy], _x, _a, [y]) => [sub(dy, mul(exp(y), sum(dy, -1, true)))]);

  registerGradient(LayerNorm, ([dy], [x, gamma], { eps }) => {
    const mu = mean(x, -1, true);
    const xc = sub(x, mu);
    const rstd = rsqrt(affine(mean(square(xc), -1, true), 1, eps));
    const xhat = mul(xc, rstd);
    const leading = [...Array(x.rank - 1).keys()];
    const dGamma = leading.length ? sum(mul(dy, xhat), leading) : mul(dy, xhat);
    const dBeta = leading.length ? sum(dy, leading) : dy;
    const dxhat = mul(dy, gamma);
    const dx = mul(rstd, sub(sub(dxhat, mean(dxhat, -1, true)), mul(xhat, mean(mul(dxhat, xhat), -1, true))));
    return [dx, dGamma, dBeta];
  });

  registerGradient(Attention, ([dy], [q, k, v, mask], { scale }) => {
    // Recompute the probabilities: P = softmax(q kᵀ·scale + bias).
    let scores = affine(matmul(q, k, { transB: true }), scale);
    if (mask) {
      const [B, T] = mask.shape;
      const bias = affine(cast(mask, q.dtype), 1e9, -1e9).reshape([B, 1, 1, T]);
      scores = add(scores, bias);
    }
    const p = softmax(scores);
    const dv = matmul(p, dy, { transA: true });
    const dp = matmul(dy, v, { transB: true });
    const ds = mul(p, sub(dp, sum(mul(dp, p), -1, true)));
    const dq = affine(matmul(ds, k), scale);
    const dk = affine(matmul(ds, q, { transA: true }), scale);
    return mask ? [dq, dk, dv, null] : [dq, dk, dv];
  });

}
