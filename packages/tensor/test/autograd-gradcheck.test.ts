/**
 * Finite-difference gradient checks of every differentiable kernel, in f64, with fast-check
 * choosing shapes and values. Each case builds a scalar loss `Σ w ⊙ f(inputs)` with a random
 * weight tensor `w` so that every output element contributes with a different weight.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Tensor, abs, add, attention, concat, div, erf, exp, gather, gelu, geluTanh, layerNorm, log,
  logSoftmax, matmul, maximum, mean, minimum, mul, pad, pow, powScalar, relu, rsqrt, scatterAdd, sigmoid,
  slice, softmax, sqrt, square, sub, sum, tanh, tensor, transpose, valueAndGrad, max, reciprocal, affine, cast,
} from '../src/index.js';

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) / 4294967296) * 2 - 1;
  };
}

function randTensor(shape: number[], r: () => number, lo = -1, hi = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = lo + ((r() + 1) / 2) * (hi - lo);
  return tensor(d, shape);
}

/** Checks analytic gradients of `f` against central differences for every input in `wrt`. */
function gradCheck(f: (xs: Tensor[]) => Tensor, inputs: Tensor[], seed: number, tol = 1e-6): void {
  const r = rng(seed);
  const probe = f(inputs);
  const w = randTensor([...probe.shape], r);
  const loss = (xs: Tensor[]) => sum(mul(f(xs), w));
  const wrt = new Map(inputs.map((t, i) => [i, t] as const));
  const { grads } = valueAndGrad(() => loss(inputs), wrt);
  const h = 1e-6;
  inputs.forEach((x, i) => {
    const g = grads.get(i)!.dataSync();
    const base = x.dataSync();
    for (let j = 0; j < base.length; j++) {
      const plus = Float64Array.from(base);
      const minus = Float64Array.from(base);
      plus[j] += h;
      minus[j] -= h;
      const at = (arr: Float64Array) => loss(inputs.map((t, k) => (k === i ? tensor(arr, [...x.shape]) : t))).item();
      const numeric = (at(plus) - at(minus)) / (2 * h);
      expect(Math.abs(g[j] - numeric), `input ${i} element ${j}: analytic ${g[j]} vs numeric ${numeric}`).toBeLessThan(tol * Math.max(1, Math.abs(numeric)));
    }
  });
}

const small = fc.record({ m: fc.integer({ min: 1, max: 4 }), n: fc.integer({ min: 1, max: 4 }), seed: fc.integer({ min: 1, max: 1e9 }) });

describe('autograd: finite-difference checks (f64)', () => {
  const unaries: [string, (x: Tensor) => Tensor, number, number][] = [
    ['exp', exp, -1, 1], ['log', log, 0.5, 2], ['sqrt', sqrt, 0.5, 2], ['rsqrt', rsqrt, 0.5, 2],
    ['square', square, -1, 1], ['reciprocal', reciprocal, 0.5, 2], ['tanh', tanh, -2, 2],
    ['sigmoid', sigmoid, -2, 2], ['relu', relu, 0.1, 1], ['gelu', gelu, -2, 2], ['geluTanh', geluTanh, -2, 2],
    ['erf', erf, -2, 2], ['abs', abs, 0.1, 1], ['affine', (x) => affine(x, 1.5, -0.3), -1, 1],
    ['powScalar', (x) => powScalar(x, 2.5), 0.5, 2],
  ];
  for (const [name, f, lo, hi] of unaries) {
    it(`unary ${name}`, () => {
      fc.assert(fc.property(small, ({ m, n, seed }) => gradCheck(([x]) => f(x), [randTensor([m, n], rng(seed), lo, hi)], seed)), { numRuns: 8 });
    });
  }

  const binaries: [string, (a: Tensor, b: Tensor) => Tensor][] = [
    ['add', add], ['sub', sub], ['mul', mul], ['div', div], ['max', maximum], ['min', minimum],
  ];
  for (const [name, f] of binaries) {
    it(`binary ${name} with broadcasting`, () => {
      fc.assert(
        fc.property(small, ({ m, n, seed }) => {
          const r = rng(seed);
          const a = randTensor([m, n], r, 0.5, 2);
          const b = randTensor([1, n], r, 0.5, 2);
          gradCheck(([x, y]) => f(x, y), [a, b], seed);
        }),
        { numRuns: 8 },
      );
    });
  }

  it('pow', () => {
    const r = rng(3);
    gradCheck(([a, b]) => pow(a, b), [randTensor([2, 3], r, 0.5, 2), randTensor([2, 3], r, 0.5, 2)], 3);
  });

  it('matmul with every transpose combination and batch broadcasting', () => {
    fc.assert(
      fc.property(small, fc.boolean(), fc.boolean(), ({ m, n, seed }, ta, tb) => {
        const r = rng(seed);
        const k = 3;
        const a = randTensor(ta ? [2, k, m] : [2, m, k], r);
        const b = randTensor(tb ? [n, k] : [k, n], r);
        gradCheck(([x, y]) => matmul(x, y, { transA: ta, transB: tb }), [a, b], seed);
      }),
      { numRuns: 10 },
    );
  });

  it('reductions (sum, mean, max) over axes', () => {
    const r = rng(5);
    const x = randTensor([3, 4, 2], r);
    gradCheck(([t]) => sum(t, [0, 2]), [x], 5);
    gradCheck(([t]) => mean(t, 1, true), [x], 6);
    gradCheck(([t]) => max(t, -1), [x], 7);
  });

  it('softmax and logSoftmax', () => {
    const r = rng(8);
    gradCheck(([t]) => softmax(t), [randTensor([3, 5], r, -2, 2)], 8);
    gradCheck(([t]) => logSoftmax(t), [randTensor([3, 5], r, -2, 2)], 9);
  });

  it('layerNorm (x, gamma, beta)', () => {
    const r = rng(10);
    gradCheck(([x, g, b]) => layerNorm(x, g, b, 1e-5), [randTensor([3, 6], r, -2, 2), randTensor([6], r), randTensor([6], r)], 10, 1e-5);
  });

  it('attention with a padding mask', () => {
    const r = rng(11);
    const shape = [2, 2, 3, 2];
    const mask = tensor(new Float64Array([1, 1, 0, 1, 1, 1]), [2, 3]);
    gradCheck(([q, k, v]) => attention(q, k, v, mask), [randTensor(shape, r), randTensor(shape, r), randTensor(shape, r)], 11);
  });

  it('layout: transpose, gather, scatterAdd, slice, pad, concat, reshape, cast', () => {
    const r = rng(12);
    const x = randTensor([3, 4], r);
    const idx = tensor(new Int32Array([2, 0, 2, 1]), [4], { dtype: 'i32' });
    gradCheck(([t]) => transpose(t, [1, 0]), [x], 12);
    gradCheck(([t]) => gather(t, idx, 0), [x], 13);
    gradCheck(([t]) => scatterAdd(idx, t, 1, 5), [x], 14);
    gradCheck(([t]) => slice(t, [1, 1], [2, -1]), [x], 15);
    gradCheck(([t]) => pad(t, [1, 0], [5, 4]), [x], 16);
    gradCheck(([a, b]) => concat([a, b], 1), [x, randTensor([3, 2], r)], 17);
    gradCheck(([t]) => t.reshape([2, 6]), [x], 18);
    gradCheck(([t]) => cast(t, 'f64'), [x], 19);
  });

  it('accumulates gradients of a tensor used twice, and gives zeros for unused inputs', () => {
    const x = tensor(new Float64Array([1, 2, 3]), [3]);
    const unused = tensor(new Float64Array([5]), [1]);
    const { value, grads } = valueAndGrad(() => sum(add(mul(x, x), x)), new Map([['x', x], ['u', unused]]));
    expect(value.item()).toBe(1 + 4 + 9 + 6);
    expect([...grads.get('x')!.dataSync()]).toEqual([3, 5, 7]);
    expect([...grads.get('u')!.dataSync()]).toEqual([0]);
  });

  it('rejects a non-scalar loss naming its shape', () => {
    const x = tensor(new Float64Array([1, 2]), [2]);
    expect(() => valueAndGrad(() => mul(x, x), new Map([['x', x]]))).toThrow(/shape \[2\]; expected a single element/);
  });
});
