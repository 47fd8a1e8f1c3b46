/** Conformance of MatMul and CenteredCross against their oracles. */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { centeredCross, matmul } from '../../index.js';
import { centeredCrossOracle, matmulOracle } from '../oracles/index.js';
import { TestRng } from '../rng.js';
import { type SuiteContext, asDType, ndOf } from './harness.js';

/** (m, k, n) triples drawn from the awkward sizes, small enough for the O(mkn) oracle. */
const MKN: readonly [number, number, number][] = [
  [1, 1, 1], [7, 63, 65], [65, 7, 63], [63, 257, 7], [257, 65, 1], [1, 257, 63], [65, 65, 65], [257, 7, 257], [7, 1, 7],
];

/** Batched cases: [aShape, bShape] before transposition flags. */
const BATCHED: readonly [readonly number[], readonly number[]][] = [
  [[2, 1, 7, 63], [3, 63, 65]], [[4, 7, 9], [9, 5]], [[7, 9], [4, 9, 5]], [[3, 1, 1], [3, 1, 65]], [[2, 0, 5], [5, 4]], [[3, 4, 0], [3, 0, 2]],
];

const TRANS: readonly [boolean, boolean][] = [[false, false], [true, false], [false, true], [true, true]];

/** Swaps the last two entries of a shape (the stored layout of a transposed operand). */
const swapLast = (s: readonly number[]): number[] => [...s.slice(0, -2), s[s.length - 1], s[s.length - 2]];

/** Registers the matmul and centeredCross conformance tests. */
export function linalgConformance(ctx: SuiteContext): void {
  describe('matmul', () => {
    for (const dtype of ctx.floatDTypes) {
      for (const [transA, transB] of TRANS) {
        it(`${dtype} transA=${transA} transB=${transB} at awkward (m, k, n)`, () =>
          ctx.run(async (h) => {
            const rng = new TestRng(ctx.seed + 10);
            for (const [m, k, n] of MKN) {
              const sa = transA ? [k, m] : [m, k];
              const sb = transB ? [n, k] : [k, n];
              const a = asDType(rng.uniformF32(m * k), dtype);
              const b = asDType(rng.uniformF32(k * n), dtype);
              const out = matmul(h.input(a, sa, dtype), h.input(b, sb, dtype), { transA, transB });
              await h.check(`matmul m=${m} k=${k} n=${n}`, out, matmulOracle(ndOf(a, sa), ndOf(b, sb), transA, transB), ctx.tol('matmul', dtype));
            }
          }));
      }
      it(`${dtype} batched with broadcasting`, () =>
        ctx.run(async (h) => {
          const rng = new TestRng(ctx.seed + 11);
          for (const [sa0, sb0] of BATCHED) {
            for (const [transA, transB] of TRANS) {
              const sa = transA ? swapLast(sa0) : [...sa0];
              const sb = transB ? swapLast(sb0) : [...sb0];
              const a = asDType(rng.uniformF32(sa.reduce((p, d) => p * d, 1)), dtype);
              const b = asDType(rng.uniformF32(sb.reduce((p, d) => p * d, 1)), dtype);
              const out = matmul(h.input(a, sa, dtype), h.input(b, sb, dtype), { transA, transB });
              await h.check(`matmul [${sa}]${transA ? 'ᵀ' : ''} · [${sb}]${transB ? 'ᵀ' : ''}`, out, matmulOracle(ndOf(a, sa), ndOf(b, sb), transA, transB), ctx.tol('matmul', dtype));
            }
          }
        }));
    }
    it('random batch shapes, sizes and transposes (f32)', async () => {
      const arb = fc.record({
        batchA: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
        batchB: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
        m: fc.integer({ min: 1, max: 40 }), k: fc.integer({ min: 1, max: 40 }), n: fc.integer({ min: 1, max: 40 }),
        transA: fc.boolean(), transB: fc.boolean(), seed: fc.integer(),
      });
      await fc.assert(
        fc.asyncProperty(arb, (c) =>
          ctx.run(async (h) => {
            // Make the batch shapes broadcast-compatible: where both have an axis, one of them is 1 or they agree.
            const bb = c.batchB.map((d, i) => {
              const j = c.batchA.length - c.batchB.length + i;
              return j >= 0 && c.batchA[j] !== 1 && d !== 1 ? c.batchA[j] : d;
            });
            const sa = [...c.batchA, ...(c.transA ? [c.k, c.m] : [c.m, c.k])];
            const sb = [...bb, ...(c.transB ? [c.n, c.k] : [c.k, c.n])];
            const rng = new TestRng(c.seed);
            const a = rng.uniformF32(sa.reduce((p, d) => p * d, 1));
            const b = rng.uniformF32(sb.reduce((p, d) => p * d, 1));
            const out = matmul(h.input(a, sa), h.input(b, sb), { transA: c.transA, transB: c.transB });
            await h.check(`matmul [${sa}] [${sb}]`, out, matmulOracle(ndOf(a, sa), ndOf(b, sb), c.transA, c.transB), ctx.tol('matmul', 'f32'));
          })),
        { numRuns: ctx.numRuns },
      );
    });
  });

  describe('centeredCross', () => {
    for (const dtype of ctx.floatDTypes) {
      it(`${dtype} at awkward n, p, q (data with non-zero means)`, () =>
        ctx.run(async (h) => {
          const rng = new TestRng(ctx.seed + 12);
          for (const [n, p, q] of [[1, 1, 1], [7, 65, 63], [257, 7, 65], [63, 63, 1], [65, 1, 257]] as const) {
            const x = asDType(rng.normalF32(n * p, 3, 2), dtype);
            const y = asDType(rng.normalF32(n * q, -1, 0.5), dtype);
            const mx = asDType(rng.normalF32(p, 3, 0.1), dtype);
            const my = asDType(rng.normalF32(q, -1, 0.1), dtype);
            const out = centeredCross(h.input(x, [n, p], dtype), h.input(y, [n, q], dtype), h.input(mx, [p], dtype), h.input(my, [q], dtype));
            await h.check(`centeredCross n=${n} p=${p} q=${q}`, out, centeredCrossOracle(ndOf(x, [n, p]), ndOf(y, [n, q]), ndOf(mx, [p]), ndOf(my, [q])), ctx.tol('centeredCross', dtype));
          }
        }));
    }
  });
}
