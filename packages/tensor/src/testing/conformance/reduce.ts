/** Conformance of Reduce, ArgMax, Softmax and LogSoftmax against their oracles. */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import type { ReduceOpName } from '../../kernels/defs.js';
import { type Tensor, argmax, logSoftmax, max, mean, min, softmax, sum } from '../../index.js';
import { argmaxOracle, reduceOracle, softmaxOracle } from '../oracles/index.js';
import { TestRng } from '../rng.js';
import { AWKWARD_SIZES, type SuiteContext, asDType, ndOf } from './harness.js';

const REDUCE: Record<ReduceOpName, (x: Tensor, axes: readonly number[], keepDims: boolean) => Tensor> = { sum, mean, max, min };
const numel = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);

/** Registers the reduction and softmax conformance tests. */
export function reduceConformance(ctx: SuiteContext): void {
  describe('reduce', () => {
    for (const dtype of ctx.floatDTypes) {
      for (const op of ['sum', 'mean', 'max', 'min'] as const) {
        it(`${op} ${dtype}: rows, columns, all and mixed axes at awkward sizes`, () =>
          ctx.run(async (h) => {
            const rng = new TestRng(ctx.seed + 30);
            const key = op === 'sum' || op === 'mean' ? 'reduceSum' : 'reduceMinMax';
            for (const n of AWKWARD_SIZES) {
              const shape = [3, n, 5];
              const x = asDType(rng.normalF32(numel(shape), 0.5, 2), dtype);
              for (const axes of [[], [2], [1], [0], [0, 2], [1, 2], [0, 1], [-1]]) {
                for (const keepDims of [false, true]) {
                  const out = REDUCE[op](h.input(x, shape, dtype), axes, keepDims);
                  await h.check(`${op} [${shape}] axes [${axes}] keepDims=${keepDims}`, out, reduceOracle(op, ndOf(x, shape), axes, keepDims), ctx.tol(key, dtype));
                }
              }
            }
          }));
      }
    }
    it('sum of i32 and of empty axes', () =>
      ctx.run(async (h) => {
        const k = new TestRng(ctx.seed + 31).ints(7 * 65, -1000, 1000);
        await h.check('i32 sum axis 1', sum(h.input(k, [7, 65], 'i32'), 1), reduceOracle('sum', ndOf(k, [7, 65]), [1], false), ctx.tol('reduceMinMax', 'i32'));
        await h.check('sum over an empty axis', sum(h.input([], [3, 0]), 1), reduceOracle('sum', ndOf([], [3, 0]), [1], false), ctx.tol('reduceSum', 'f32'));
      }));
    it('f32 sums accumulate accurately (2²⁴ + many ones)', () =>
      ctx.run(async (h) => {
        const x = new Float32Array(4097).fill(1);
        x[0] = 2 ** 24;
        // Naive f32 accumulation would stay at 2²⁴; the exact sum 2²⁴ + 4096 is representable in f32.
        await h.check('sum', sum(h.input(x, [4097])), reduceOracle('sum', ndOf(x, [4097]), [], false), ctx.tol('reduceSum', 'f32'));
      }));
    it('random shapes, axes and keepDims (f32)', async () => {
      const arb = fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }).chain((shape) =>
        fc.tuple(fc.constant(shape), fc.subarray([...shape.keys()]), fc.boolean(), fc.constantFrom<ReduceOpName>('sum', 'mean', 'max', 'min'), fc.integer()));
      await fc.assert(
        fc.asyncProperty(arb, ([shape, axes, keepDims, op, seed]) =>
          ctx.run(async (h) => {
            const x = new TestRng(seed).normalF32(numel(shape));
            const key = op === 'sum' || op === 'mean' ? 'reduceSum' : 'reduceMinMax';
            await h.check(`${op} [${shape}] axes [${axes}] keepDims=${keepDims}`, REDUCE[op](h.input(x, shape), axes, keepDims), reduceOracle(op, ndOf(x, shape), axes, keepDims), ctx.tol(key, 'f32'));
          })),
        { numRuns: ctx.numRuns },
      );
    });
  });

  describe('argmax', () => {
    it('every axis at awkward sizes; first index wins ties', () =>
      ctx.run(async (h) => {
        const rng = new TestRng(ctx.seed + 32);
        for (const n of AWKWARD_SIZES) {
          const shape = [2, n, 3];
          const x = rng.normalF32(numel(shape));
          for (const axis of [0, 1, 2]) {
            await h.check(`argmax [${shape}] axis ${axis}`, argmax(h.input(x, shape), axis), argmaxOracle(ndOf(x, shape), axis), ctx.tol('argmax', 'i32'));
          }
        }
        const ties = Float32Array.of(1, 3, 3, 0, 5, 5, 5, 5, -1, -1, -2, -1);
        await h.check('argmax with ties', argmax(h.input(ties, [3, 4])), argmaxOracle(ndOf(ties, [3, 4]), 1), ctx.tol('argmax', 'i32'));
        await h.check('argmax with ties along axis 0', argmax(h.input(ties, [3, 4]), 0), argmaxOracle(ndOf(ties, [3, 4]), 0), ctx.tol('argmax', 'i32'));
      }));
  });

  describe('softmax / logSoftmax', () => {
    for (const dtype of ctx.floatDTypes) {
      it(`${dtype}: rows of awkward length with large logits and −∞ entries`, () =>
        ctx.run(async (h) => {
          const rng = new TestRng(ctx.seed + 33);
          for (const d of AWKWARD_SIZES) {
            const shape = [4, d];
            const raw = Array.from(rng.normalF32(numel(shape), 0, 30));
            if (d > 1) raw[d + 1] = -Infinity; // row 1 keeps finite entries besides the −∞
            raw[2 * d] += 1000; // row 2 would overflow exp() (even in f64) without the max shift
            const x = asDType(raw, dtype);
            await h.check(`softmax [${shape}]`, softmax(h.input(x, shape, dtype)), softmaxOracle(ndOf(x, shape), false), ctx.tol('softmax', dtype));
            await h.check(`logSoftmax [${shape}]`, logSoftmax(h.input(x, shape, dtype)), softmaxOracle(ndOf(x, shape), true), ctx.tol('logSoftmax', dtype));
          }
        }));
    }
    it('random shapes (f32)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 }), fc.integer(), (shape, seed) =>
          ctx.run(async (h) => {
            const x = new TestRng(seed).normalF32(numel(shape), 0, 5);
            await h.check(`softmax [${shape}]`, softmax(h.input(x, shape)), softmaxOracle(ndOf(x, shape), false), ctx.tol('softmax', 'f32'));
            await h.check(`logSoftmax [${shape}]`, logSoftmax(h.input(x, shape)), softmaxOracle(ndOf(x, shape), true), ctx.tol('logSoftmax', 'f32'));
          })),
        { numRuns: ctx.numRuns },
      );
    });
  });
}
