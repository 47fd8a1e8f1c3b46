/** Conformance of Binary, Unary and Cast against their oracles. */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import type { BinaryOpName, UnaryOpName } from '../../kernels/defs.js';
import { type Tensor, add, cast, div, equal, greater, greaterEqual, less, lessEqual, maximum, minimum, mul, pow, sub } from '../../index.js';
import * as T from '../../index.js';
import { binaryOracle, castOracle, unaryOracle } from '../oracles/index.js';
import { TestRng } from '../rng.js';
import { AWKWARD_SIZES, type SuiteContext, asDType, ndOf } from './harness.js';

const BINARY: Record<BinaryOpName, (a: Tensor, b: Tensor) => Tensor> = {
  add, sub, mul, div, max: maximum, min: minimum, pow, eq: equal, gt: greater, ge: greaterEqual, lt: less, le: lessEqual,
};
const COMPARISONS: readonly BinaryOpName[] = ['eq', 'gt', 'ge', 'lt', 'le'];

/** Operand values suited to each operator (positive bases for pow, non-zero divisors, ties for comparisons). */
function binaryData(rng: TestRng, op: BinaryOpName, n: number, which: 'a' | 'b'): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    if (COMPARISONS.includes(op)) out.push(rng.int(-2, 2) / 2);
    else if (op === 'pow') out.push(which === 'a' ? 0.1 + 3 * rng.next() : 4 * rng.next() - 2);
    else if (op === 'div' && which === 'b') out.push((rng.next() < 0.5 ? -1 : 1) * (0.25 + 2 * rng.next()));
    else out.push(4 * rng.next() - 2);
  }
  return out;
}

/** Broadcast pairs covering the fast paths (same shape, trailing vector, scalar) and general strides. */
const BROADCAST_CASES: readonly [readonly number[], readonly number[]][] = [
  [[7, 65], [65]], [[65], [7, 65]], [[63, 1], [1, 65]], [[257], []], [[], [7]], [[1], [7, 63]],
  [[2, 1, 7], [3, 1]], [[5, 1, 3], [1, 4, 1]], [[2, 3, 4, 5], [3, 1, 5]], [[65, 7], [65, 1]], [[0, 3], [3]],
];

/** A random broadcast-compatible pair: an output shape, then each operand drops leading axes and sets some to 1. */
const broadcastPair = fc
  .array(fc.integer({ min: 1, max: 6 }), { minLength: 0, maxLength: 4 })
  .chain((shape) => {
    const operand = fc
      .tuple(fc.integer({ min: 0, max: shape.length }), fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }))
      .map(([drop, ones]) => shape.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));
    return fc.tuple(operand, operand);
  });

const BINARY_OPS = Object.keys(BINARY) as BinaryOpName[];

const UNARY_DOMAIN: Record<UnaryOpName, [lo: number, hi: number, kind: 'unary' | 'unaryTranscendental']> = {
  identity: [-4, 4, 'unary'], neg: [-4, 4, 'unary'], abs: [-4, 4, 'unary'], square: [-4, 4, 'unary'],
  reciprocal: [0.1, 4, 'unary'], relu: [-4, 4, 'unary'], step: [-4, 4, 'unary'], affine: [-4, 4, 'unary'],
  maxScalar: [-4, 4, 'unary'], sqrt: [0, 9, 'unary'], rsqrt: [0.01, 9, 'unary'],
  exp: [-10, 10, 'unaryTranscendental'], log: [1e-3, 100, 'unaryTranscendental'], tanh: [-6, 6, 'unaryTranscendental'],
  sigmoid: [-20, 20, 'unaryTranscendental'], gelu: [-8, 8, 'unaryTranscendental'], geluGrad: [-8, 8, 'unaryTranscendental'],
  geluTanh: [-8, 8, 'unaryTranscendental'], geluTanhGrad: [-8, 8, 'unaryTranscendental'], erf: [-5, 5, 'unaryTranscendental'],
  powScalar: [0.05, 5, 'unaryTranscendental'],
};

function runUnary(x: Tensor, op: UnaryOpName, alpha: number, beta: number): Tensor {
  if (op === 'affine') return T.affine(x, alpha, beta);
  if (op === 'powScalar') return T.powScalar(x, alpha);
  if (op === 'maxScalar') return T.maxScalar(x, alpha);
  return (T as unknown as Record<UnaryOpName, (t: Tensor) => Tensor>)[op](x);
}

/** Registers the elementwise conformance tests. */
export function elementwiseConformance(ctx: SuiteContext): void {
  describe('binary', () => {
    for (const dtype of ctx.floatDTypes) {
      for (const op of BINARY_OPS) {
        it(`${op} ${dtype}: same shape at sizes ${AWKWARD_SIZES.join(', ')}`, () =>
          ctx.run(async (h) => {
            const rng = new TestRng(ctx.seed);
            for (const n of AWKWARD_SIZES) {
              const a = asDType(binaryData(rng, op, n, 'a'), dtype);
              const b = asDType(binaryData(rng, op, n, 'b'), dtype);
              const out = BINARY[op](h.input(a, [n], dtype), h.input(b, [n], dtype));
              const tol = ctx.tol(op === 'pow' ? 'binaryPow' : 'binary', dtype);
              await h.check(`${op} [${n}]`, out, binaryOracle(op, ndOf(a, [n]), ndOf(b, [n])), tol);
            }
          }));
        it(`${op} ${dtype}: broadcasting`, () =>
          ctx.run(async (h) => {
            const rng = new TestRng(ctx.seed + 1);
            for (const [sa, sb] of BROADCAST_CASES) {
              const a = asDType(binaryData(rng, op, sa.reduce((p, d) => p * d, 1), 'a'), dtype);
              const b = asDType(binaryData(rng, op, sb.reduce((p, d) => p * d, 1), 'b'), dtype);
              const out = BINARY[op](h.input(a, sa, dtype), h.input(b, sb, dtype));
              const tol = ctx.tol(op === 'pow' ? 'binaryPow' : 'binary', dtype);
              await h.check(`${op} [${sa}] ∘ [${sb}]`, out, binaryOracle(op, ndOf(a, sa), ndOf(b, sb)), tol);
            }
          }));
      }
    }
    it('random broadcast shapes and operators (f32)', async () => {
      await fc.assert(
        fc.asyncProperty(broadcastPair, fc.constantFrom(...BINARY_OPS), fc.integer(), (pair, op, seed) =>
          ctx.run(async (h) => {
            const [sa, sb] = pair;
            const rng = new TestRng(seed);
            const a = asDType(binaryData(rng, op, sa.reduce((p, d) => p * d, 1), 'a'), 'f32');
            const b = asDType(binaryData(rng, op, sb.reduce((p, d) => p * d, 1), 'b'), 'f32');
            const out = BINARY[op](h.input(a, sa), h.input(b, sb));
            await h.check(`${op} [${sa}] ∘ [${sb}]`, out, binaryOracle(op, ndOf(a, sa), ndOf(b, sb)), ctx.tol(op === 'pow' ? 'binaryPow' : 'binary', 'f32'));
          })),
        { numRuns: ctx.numRuns * 2 },
      );
    });
    it('i32 operands: add, sub, mul, div (truncating), max, min and comparisons', () =>
      ctx.run(async (h) => {
        const rng = new TestRng(ctx.seed + 2);
        const shapes: [number[], number[]][] = [[[65], [65]], [[7, 63], [63]], [[257], []]];
        for (const op of ['add', 'sub', 'mul', 'div', 'max', 'min', 'eq', 'gt', 'ge', 'lt', 'le'] as const) {
          for (const [sa, sb] of shapes) {
            const a = rng.ints(sa.reduce((p, d) => p * d, 1), -50, 50);
            const b = rng.ints(sb.reduce((p, d) => p * d, 1), 1, 9).map((v) => (rng.next() < 0.5 ? -v : v));
            const out = BINARY[op](h.input(a, sa, 'i32'), h.input(b, sb, 'i32'));
            const expected = castOracle(binaryOracle(op, ndOf(a, sa), ndOf(b, sb)), 'i32');
            await h.check(`i32 ${op} [${sa}] ∘ [${sb}]`, out, expected, ctx.tol('cast', 'i32'));
          }
        }
      }));
  });

  describe('unary', () => {
    for (const dtype of ctx.floatDTypes) {
      for (const op of Object.keys(UNARY_DOMAIN) as UnaryOpName[]) {
        const [lo, hi, key] = UNARY_DOMAIN[op];
        it(`${op} ${dtype} on [${lo}, ${hi}] at sizes ${AWKWARD_SIZES.join(', ')}`, () =>
          ctx.run(async (h) => {
            const rng = new TestRng(ctx.seed + 3);
            const params: [number, number][] = op === 'affine' ? [[0.5, -1.25], [-3, 0.1]] : op === 'powScalar' ? [[1.7, 0], [-0.5, 0], [2, 0]] : op === 'maxScalar' ? [[0.3, 0], [-1, 0]] : [[1, 0]];
            for (const n of AWKWARD_SIZES) {
              for (const [alpha, beta] of params) {
                const x = asDType(Array.from({ length: n }, () => lo + (hi - lo) * rng.next()), dtype);
                const out = runUnary(h.input(x, [n], dtype), op, alpha, beta);
                await h.check(`${op}(α=${alpha}, β=${beta}) [${n}]`, out, unaryOracle(op, ndOf(x, [n]), alpha, beta), ctx.tol(key, dtype));
              }
            }
          }));
      }
    }
    it('identity, neg and abs accept i32', () =>
      ctx.run(async (h) => {
        const x = new TestRng(ctx.seed + 4).ints(65, -1000, 1000);
        for (const op of ['identity', 'neg', 'abs'] as const) {
          await h.check(`i32 ${op}`, runUnary(h.input(x, [5, 13], 'i32'), op, 1, 0), unaryOracle(op, ndOf(x, [5, 13])), ctx.tol('cast', 'i32'));
        }
      }));
    it('random shapes (f32, gelu and exp)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 4 }), fc.integer(), (shape, seed) =>
          ctx.run(async (h) => {
            const n = shape.reduce((p, d) => p * d, 1);
            const x = new TestRng(seed).uniformF32(n, -6, 6);
            for (const op of ['gelu', 'exp'] as const) {
              await h.check(`${op} [${shape}]`, runUnary(h.input(x, shape), op, 1, 0), unaryOracle(op, ndOf(x, shape)), ctx.tol('unaryTranscendental', 'f32'));
            }
          })),
        { numRuns: ctx.numRuns },
      );
    });
  });

  describe('cast', () => {
    it('f32 → i32 truncates toward zero; i32 → f32 is exact', () =>
      ctx.run(async (h) => {
        const rng = new TestRng(ctx.seed + 5);
        for (const n of AWKWARD_SIZES) {
          const x = rng.uniformF32(n, -1000, 1000);
          await h.check(`f32→i32 [${n}]`, cast(h.input(x, [n]), 'i32'), castOracle(ndOf(x, [n]), 'i32'), ctx.tol('cast', 'i32'));
          const k = rng.ints(n, -(2 ** 24), 2 ** 24);
          await h.check(`i32→f32 [${n}]`, cast(h.input(k, [n], 'i32'), 'f32'), castOracle(ndOf(k, [n]), 'f32'), ctx.tol('cast', 'f32'));
        }
        const edge = Float32Array.of(-2.5, -1.5, -0.5, -0, 0.5, 1.5, 2.5, 1e9, -1e9);
        await h.check('f32→i32 edge values', cast(h.input(edge, [9]), 'i32'), castOracle(ndOf(edge, [9]), 'i32'), ctx.tol('cast', 'i32'));
      }));
    if (ctx.floatDTypes.includes('f64')) {
      it('f64 ↔ f32 rounds to nearest', () =>
        ctx.run(async (h) => {
          const x = Float64Array.from({ length: 257 }, (_, i) => Math.sin(i) * 10 ** ((i % 13) - 6));
          await h.check('f64→f32', cast(h.input(x, [257], 'f64'), 'f32'), castOracle(ndOf(x, [257]), 'f32'), ctx.tol('cast', 'f32'));
          const y = new TestRng(6).uniformF32(65);
          await h.check('f32→f64', cast(h.input(y, [65]), 'f64'), castOracle(ndOf(y, [65]), 'f64'), ctx.tol('cast', 'f64'));
        }));
    }
  });
}
