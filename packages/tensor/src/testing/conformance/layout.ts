/** Conformance of Transpose, Gather, ScatterAdd, Slice, Pad, Concat, OneHot and Fill. */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { concat, fill, gather, oneHot, pad, scatterAdd, slice, transpose } from '../../index.js';
import {
  concatOracle, fillOracle, gatherOracle, oneHotOracle, padOracle, scatterAddOracle, sliceOracle, transposeOracle,
} from '../oracles/index.js';
import { TestRng } from '../rng.js';
import { AWKWARD_SIZES, type SuiteContext, asDType, ndOf } from './harness.js';

const numel = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);

/** A shape of rank 1..4 with small dimensions (0 allowed rarely). */
const smallShape = fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 4 });

/** Registers the layout and constructor conformance tests. */
export function layoutConformance(ctx: SuiteContext): void {
  describe('transpose', () => {
    it('2-D at awkward sizes, and the last-two-axes swap', () =>
      ctx.run(async (h) => {
        const rng = new TestRng(ctx.seed + 20);
        for (const r of AWKWARD_SIZES) {
          for (const c of [1, 7, 65, 257]) {
            const x = rng.uniformF32(r * c);
            await h.check(`transpose [${r}, ${c}]`, transpose(h.input(x, [r, c])), transposeOracle(ndOf(x, [r, c]), [1, 0]), ctx.tol('transpose', 'f32'));
          }
        }
        const x = rng.uniformF32(3 * 65 * 63);
        await h.check('transpose [3, 65, 63] perm [0, 2, 1]', transpose(h.input(x, [3, 65, 63]), [0, 2, 1]), transposeOracle(ndOf(x, [3, 65, 63]), [0, 2, 1]), ctx.tol('transpose', 'f32'));
        const y = rng.uniformF32(2 * 3 * 7 * 5);
        for (const perm of [[0, 2, 1, 3], [3, 2, 1, 0], [1, 0, 3, 2], [2, 0, 3, 1], [0, 1, 2, 3]]) {
          await h.check(`transpose [2, 3, 7, 5] perm [${perm}]`, transpose(h.input(y, [2, 3, 7, 5]), perm), transposeOracle(ndOf(y, [2, 3, 7, 5]), perm), ctx.tol('transpose', 'f32'));
        }
      }));
    it('random shapes and permutations (f32 and i32)', async () => {
      const arb = smallShape.chain((shape) => fc.tuple(fc.constant(shape), fc.shuffledSubarray([...shape.keys()], { minLength: shape.length, maxLength: shape.length }), fc.integer()));
      await fc.assert(
        fc.asyncProperty(arb, ([shape, perm, seed]) =>
          ctx.run(async (h) => {
            const rng = new TestRng(seed);
            const x = rng.uniformF32(numel(shape));
            await h.check(`transpose [${shape}] perm [${perm}]`, transpose(h.input(x, shape), perm), transposeOracle(ndOf(x, shape), perm), ctx.tol('transpose', 'f32'));
            const k = rng.ints(numel(shape), -99, 99);
            await h.check(`i32 transpose [${shape}] perm [${perm}]`, transpose(h.input(k, shape, 'i32'), perm), transposeOracle(ndOf(k, shape), perm), ctx.tol('transpose', 'i32'));
          })),
        { numRuns: ctx.numRuns },
      );
    });
  });

  describe('gather / scatterAdd', () => {
    it('along every axis at awkward sizes, with repeated indices', () =>
      ctx.run(async (h) => {
        const rng = new TestRng(ctx.seed + 21);
        for (const n of AWKWARD_SIZES) {
          const shapes = [[n, 5], [3, n, 2], [2, 3, n]];
          for (const [axis, shape] of shapes.entries()) {
            const x = rng.uniformF32(numel(shape));
            const idx = rng.ints(n + 3, 0, shape[axis] - 1);
            const what = `gather [${shape}] axis ${axis} with ${idx.length} indices`;
            await h.check(what, gather(h.input(x, shape), h.input(idx, [idx.length], 'i32'), axis), gatherOracle(ndOf(x, shape), idx, axis), ctx.tol('gather', 'f32'));
            const us = [...shape];
            us[axis] = idx.length;
            const u = rng.uniformF32(numel(us));
            await h.check(`scatterAdd [${us}] axis ${axis} into ${shape[axis]}`, scatterAdd(h.input(idx, [idx.length], 'i32'), h.input(u, us), axis, shape[axis]), scatterAddOracle(idx, ndOf(u, us), axis, shape[axis]), ctx.tol('scatterAdd', 'f32'));
          }
        }
      }));
    it('embedding lookup shape (a [vocab, d] table by token ids) and negative axes', () =>
      ctx.run(async (h) => {
        const rng = new TestRng(ctx.seed + 22);
        const table = rng.uniformF32(257 * 65);
        const ids = rng.ints(63, 0, 256);
        await h.check('gather [257, 65] rows', gather(h.input(table, [257, 65]), h.input(ids, [63], 'i32'), 0), gatherOracle(ndOf(table, [257, 65]), ids, 0), ctx.tol('gather', 'f32'));
        const cols = rng.ints(9, 0, 64);
        await h.check('gather axis −1', gather(h.input(table, [257, 65]), h.input(cols, [9], 'i32'), -1), gatherOracle(ndOf(table, [257, 65]), cols, 1), ctx.tol('gather', 'f32'));
      }));
    it('random shapes, axes and indices', async () => {
      const arb = smallShape.chain((shape) => fc.tuple(fc.constant(shape), fc.integer({ min: 0, max: shape.length - 1 }), fc.integer({ min: 0, max: 9 }), fc.integer()));
      await fc.assert(
        fc.asyncProperty(arb, ([shape, axis, count, seed]) =>
          ctx.run(async (h) => {
            const rng = new TestRng(seed);
            const x = rng.uniformF32(numel(shape));
            const idx = rng.ints(count, 0, shape[axis] - 1);
            await h.check(`gather [${shape}] axis ${axis}`, gather(h.input(x, shape), h.input(idx, [count], 'i32'), axis), gatherOracle(ndOf(x, shape), idx, axis), ctx.tol('gather', 'f32'));
            const us = [...shape];
            us[axis] = count;
            const u = rng.uniformF32(numel(us));
            await h.check(`scatterAdd [${us}] axis ${axis}`, scatterAdd(h.input(idx, [count], 'i32'), h.input(u, us), axis, shape[axis]), scatterAddOracle(idx, ndOf(u, us), axis, shape[axis]), ctx.tol('scatterAdd', 'f32'));
          })),
        { numRuns: ctx.numRuns },
      );
    });
  });

  describe('slice / pad', () => {
    it('awkward sizes with offsets, size −1 and empty slices', () =>
      ctx.run(async (h) => {
        const rng = new TestRng(ctx.seed + 23);
        for (const n of AWKWARD_SIZES) {
          const shape = [3, n, 4];
          const x = rng.uniformF32(numel(shape));
          const begin = [1, Math.floor(n / 3), 0];
          const size = [2, -1, 3];
          await h.check(`slice [${shape}] begin [${begin}] size [${size}]`, slice(h.input(x, shape), begin, size), sliceOracle(ndOf(x, shape), begin, size), ctx.tol('slice', 'f32'));
          const outShape = [5, n + 2, 4];
          const pb = [2, 1, 0];
          await h.check(`pad [${shape}] into [${outShape}] at [${pb}]`, pad(h.input(x, shape), pb, outShape), padOracle(ndOf(x, shape), pb, outShape), ctx.tol('pad', 'f32'));
        }
        const x = rng.uniformF32(12);
        await h.check('empty slice', slice(h.input(x, [3, 4]), [1, 2], [0, 2]), sliceOracle(ndOf(x, [3, 4]), [1, 2], [0, 2]), ctx.tol('slice', 'f32'));
      }));
    it('random boxes', async () => {
      const arb = smallShape.chain((shape) =>
        fc.tuple(
          fc.constant(shape),
          fc.tuple(...shape.map((d) => fc.integer({ min: 0, max: d }).chain((b) => fc.tuple(fc.constant(b), fc.integer({ min: 0, max: d - b }))))),
          fc.array(fc.integer({ min: 0, max: 3 }), { minLength: shape.length, maxLength: shape.length }),
          fc.integer(),
        ));
      await fc.assert(
        fc.asyncProperty(arb, ([shape, box, extra, seed]) =>
          ctx.run(async (h) => {
            const rng = new TestRng(seed);
            const x = rng.uniformF32(numel(shape));
            const begin = box.map(([b]) => b);
            const size = box.map(([, s]) => s);
            await h.check(`slice [${shape}] [${begin}]+[${size}]`, slice(h.input(x, shape), begin, size), sliceOracle(ndOf(x, shape), begin, size), ctx.tol('slice', 'f32'));
            const outShape = shape.map((d, i) => d + begin[i] + extra[i]);
            await h.check(`pad [${shape}] at [${begin}] in [${outShape}]`, pad(h.input(x, shape), begin, outShape), padOracle(ndOf(x, shape), begin, outShape), ctx.tol('pad', 'f32'));
          })),
        { numRuns: ctx.numRuns },
      );
    });
  });

  describe('concat', () => {
    it('two to four inputs along each axis, awkward sizes', () =>
      ctx.run(async (h) => {
        const rng = new TestRng(ctx.seed + 24);
        for (const axis of [0, 1, 2]) {
          const parts = [1, 7, 63, 65].slice(0, 2 + axis).map((n) => {
            const s = [2, 3, 5];
            s[axis] = n;
            return { s, x: rng.uniformF32(numel(s)) };
          });
          const out = concat(parts.map((p) => h.input(p.x, p.s)), axis);
          await h.check(`concat axis ${axis} of ${parts.length}`, out, concatOracle(parts.map((p) => ndOf(p.x, p.s)), axis), ctx.tol('concat', 'f32'));
        }
        const one = rng.uniformF32(257);
        await h.check('concat of one input', concat([h.input(one, [257])], 0), concatOracle([ndOf(one, [257])], 0), ctx.tol('concat', 'f32'));
        const k = rng.ints(14, -5, 5);
        await h.check('i32 concat with an empty part', concat([h.input(k, [2, 7], 'i32'), h.input([], [2, 0], 'i32')], 1), concatOracle([ndOf(k, [2, 7]), ndOf([], [2, 0])], 1), ctx.tol('concat', 'i32'));
      }));
  });

  describe('oneHot / fill', () => {
    it('oneHot at awkward depths; out-of-range indices give zero rows', () =>
      ctx.run(async (h) => {
        const rng = new TestRng(ctx.seed + 25);
        for (const depth of AWKWARD_SIZES) {
          const idx = rng.ints(14, -1, depth);
          await h.check(`oneHot depth ${depth}`, oneHot(h.input(idx, [2, 7], 'i32'), depth), oneHotOracle(ndOf(idx, [2, 7]), depth), ctx.tol('oneHot', 'f32'));
        }
        const idx = Int32Array.of(2, 0, -100, 1);
        await h.check('oneHot i32 output', oneHot(h.input(idx, [4], 'i32'), 3, 'i32'), oneHotOracle(ndOf(idx, [4]), 3), ctx.tol('oneHot', 'i32'));
      }));
    for (const dtype of [...ctx.floatDTypes, 'i32' as const]) {
      it(`fill ${dtype}`, () =>
        ctx.run(async (h) => {
          for (const [shape, value] of [[[257], 1.5], [[7, 65], -3], [[], 2], [[0, 3], 1], [[63, 1], 0]] as const) {
            const v = dtype === 'i32' ? Math.trunc(value) : value;
            const out = h.track(fill(shape, v, dtype, h.backend));
            await h.check(`fill [${shape}] with ${v}`, out, fillOracle(shape, asDType([v], dtype)[0]), ctx.tol('fill', dtype));
          }
        }));
    }
  });
}
