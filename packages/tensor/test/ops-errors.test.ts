/**
 * Bad input is rejected with errors that name the op, what was seen (shapes, dtypes, values) and
 * what was expected — and never produce an output.
 */
import { describe, expect, it } from 'vitest';
import {
  CpuBackend, DTypeError, DisposedError, ShapeError, ValueError, add, argmax, attention, centeredCross, concat, exp, gather,
  kernels, layerNorm, matmul, oneHot, pad, runKernel1, scatterAdd, slice, softmax, sum, tensor, transpose, zeros,
} from '../src/index.js';

const i32 = (v: number[]) => tensor(v, [v.length], { dtype: 'i32' });

/** Asserts `fn` throws an instance of `type` whose message matches every pattern. */
function expectError(fn: () => unknown, type: new (...args: never[]) => Error, ...patterns: (string | RegExp)[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected an error').toBeInstanceOf(type);
  const msg = (caught as Error).message;
  for (const p of patterns) {
    if (typeof p === 'string') expect(msg).toContain(p);
    else expect(msg).toMatch(p);
  }
}

describe('shape mismatches', () => {
  it('binary broadcasting names the op and both shapes', () => {
    expectError(() => add(zeros([2, 3]), zeros([4])), ShapeError, 'binary(add)', '[2, 3]', '[4]');
  });
  it('matmul names both operands and their inner dimensions', () => {
    expectError(() => matmul(zeros([2, 3]), zeros([4, 5])), ShapeError, 'matmul', '[2, 3]', '[4, 5]', 'k=3', 'k=4');
    expectError(() => matmul(zeros([3]), zeros([3, 2])), ShapeError, 'matmul', 'rank ≥ 2', '[3]');
    expectError(() => matmul(zeros([2, 2, 3]), zeros([3, 3, 4])), ShapeError, 'matmul', 'cannot broadcast', '[2]', '[3]');
  });
  it('layout ops name the offending dimension', () => {
    expectError(() => transpose(zeros([2, 3]), [0, 0]), ValueError, 'transpose', '[0, 0]', '[2, 3]');
    expectError(() => slice(zeros([4, 5]), [1, 3], [2, 3]), ShapeError, 'slice', 'dimension 1', 'begin 3', 'size 3', 'exceeds 5');
    expectError(() => slice(zeros([4, 5]), [0.5, 0], [1, 1]), ValueError, 'slice', 'begin 0.5');
    expectError(() => pad(zeros([2, 2]), [0, 1], [2, 2]), ShapeError, 'pad', 'dimension 1', 'offset 1', 'does not fit in 2');
    expectError(() => concat([zeros([2, 3]), zeros([3, 2])], 0), ShapeError, 'concat', 'input 1', '[3, 2]', 'except along axis 0');
    expectError(() => concat([]), ValueError, 'concat', 'at least one');
  });
  it('reductions and normalisations name axes and shapes', () => {
    expectError(() => sum(zeros([2, 3]), 2), ValueError, 'reduce(sum)', 'axis 2', 'rank 2');
    expectError(() => argmax(zeros([0, 3]), 0), ShapeError, 'argmax', 'empty');
    expectError(() => softmax(zeros([])), ShapeError, 'softmax', 'scalar');
    expectError(() => layerNorm(zeros([2, 4]), zeros([3]), zeros([4])), ShapeError, 'layerNorm', '[2, 4]', 'gamma [3]', 'must be [4]');
  });
  it('attention and centeredCross name the operand that does not fit', () => {
    const q = zeros([1, 2, 3, 4]);
    expectError(() => attention(q, zeros([1, 2, 3, 5]), q), ShapeError, 'attention', 'k has shape [1, 2, 3, 5]', '[1, 2, 3, 4]');
    expectError(() => attention(q, q, q, zeros([1, 4])), ShapeError, 'attention', 'mask has shape [1, 4]', 'expected [1, 3]');
    expectError(() => centeredCross(zeros([5, 2]), zeros([4, 3]), zeros([2]), zeros([3])), ShapeError, 'centeredCross', '[5, 2]', '[4, 3]', 'same n');
  });
});

describe('wrong dtypes', () => {
  it('mixed operand dtypes', () => {
    expectError(() => add(zeros([2]), zeros([2], { dtype: 'i32' })), DTypeError, 'binary(add)', 'f32', 'i32', 'cast');
    expectError(() => matmul(zeros([2, 2], { dtype: 'f64' }), zeros([2, 2])), DTypeError, 'matmul', 'f64', 'f32');
  });
  it('float-only ops reject i32', () => {
    expectError(() => exp(zeros([2], { dtype: 'i32' })), DTypeError, 'unary(exp)', 'i32', 'f32 or f64');
    expectError(() => matmul(zeros([2, 2], { dtype: 'i32' }), zeros([2, 2], { dtype: 'i32' })), DTypeError, 'matmul', 'i32');
    expectError(() => softmax(zeros([3], { dtype: 'i32' })), DTypeError, 'softmax', 'i32');
  });
  it('index operands must be i32', () => {
    expectError(() => gather(zeros([3, 2]), tensor([0, 1])), DTypeError, 'gather', 'indices', 'f32', 'i32');
    expectError(() => oneHot(tensor([0, 1]), 3), DTypeError, 'oneHot', 'indices', 'f32');
  });
  it('unknown operator names list the valid ones', () => {
    const x = zeros([2]);
    expectError(() => runKernel1(kernels.Binary, [x, x], { op: 'hypot' as never }), ValueError, 'binary', "'hypot'", 'add, sub');
    expectError(() => runKernel1(kernels.Unary, [x], { op: 'cbrt' as never }), ValueError, 'unary', "'cbrt'", 'gelu');
    expectError(() => runKernel1(kernels.Reduce, [x], { op: 'prod' as never, axes: [], keepDims: false }), ValueError, 'reduce', "'prod'", 'mean');
  });
});

describe('values out of range', () => {
  it('gather and scatterAdd name the bad index and the valid range, and produce nothing', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    expectError(() => gather(x, i32([0, 3]), 1), ValueError, 'gather', 'indices[1] = 3', 'axis 1', '[2, 3]', 'expected 0..2');
    expectError(() => gather(x, i32([-1]), 0), ValueError, 'gather', 'indices[0] = -1', 'expected 0..1');
    expectError(() => scatterAdd(i32([0, 5]), zeros([2, 2]), 0, 4), ValueError, 'scatterAdd', 'indices[1] = 5', 'size 4', 'expected 0..3');
    expectError(() => scatterAdd(i32([0]), zeros([1]), 0, 2.5), ValueError, 'scatterAdd', 'size is 2.5');
  });
  it('non-finite or negative attributes', () => {
    const x = zeros([2, 4]);
    const g = zeros([4]);
    expectError(() => layerNorm(x, g, g, Number.NaN), ValueError, 'layerNorm', 'eps is NaN', '≥ 0');
    expectError(() => layerNorm(x, g, g, -1), ValueError, 'layerNorm', 'eps is -1');
    const q = zeros([1, 1, 2, 2]);
    expectError(() => attention(q, q, q, undefined, Number.POSITIVE_INFINITY), ValueError, 'attention', 'scale is Infinity', 'finite');
    expectError(() => oneHot(i32([0]), 0), ValueError, 'oneHot', 'depth is 0', 'positive integer');
    expectError(() => oneHot(i32([0]), Number.POSITIVE_INFINITY), ValueError, 'oneHot', 'depth is Infinity');
    expectError(() => zeros([2, -1]), ValueError, 'full', '[2, -1]', 'non-negative integers');
    expectError(() => tensor([1, 2, 3], [2, 2]), ShapeError, 'tensor', '3 values', '[2, 2]');
  });
});

describe('disposed tensors and backends', () => {
  it('an op on a disposed input names the op and the tensor', () => {
    const a = zeros([2, 3]);
    const b = zeros([3, 2]);
    b.dispose();
    expectError(() => matmul(a, b), DisposedError, 'matmul', '[3, 2]', 'disposed');
  });
  it('inputs on different backend instances are rejected', () => {
    const other = new CpuBackend();
    expectError(() => add(zeros([2]), zeros([2], { backend: other })), ValueError, 'binary', 'different backends', 'toBackend');
  });
});
