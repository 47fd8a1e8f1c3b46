/**
 * Algebraic properties every backend must satisfy, checked with fast-check through the public API:
 * they need no oracle, so they also catch errors an oracle shares with the implementation.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { abs, concat, gather, layerNorm, matmul, pad, scatterAdd, slice, softmax, transpose } from '../../index.js';
import { TestRng } from '../rng.js';
import type { SuiteContext } from './harness.js';

const numel = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);

/** ⟨x, y⟩ in f64. */
function dot(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

/** Σ|xᵢ yᵢ| in f64: the scale of the rounding error of ⟨x, y⟩. */
function absDot(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.abs(x[i] * y[i]);
  return s;
}

const shapeArb = fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 });

/** Registers the property tests (f32). */
export function propertySuite(ctx: SuiteContext): void {
  const runs = { numRuns: ctx.numRuns };

  it('(AB)ᵀ = BᵀAᵀ, also via the transpose flags', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 33 }), fc.integer({ min: 1, max: 33 }), fc.integer({ min: 1, max: 33 }), fc.integer(), (m, k, n, seed) =>
        ctx.run(async (h) => {
          const rng = new TestRng(seed);
          const a = h.input(rng.uniformF32(m * k), [m, k]);
          const b = h.input(rng.uniformF32(k * n), [k, n]);
          const left = await h.read(h.track(transpose(h.track(matmul(a, b)))));
          const right = await h.read(h.track(matmul(h.track(transpose(b)), h.track(transpose(a)))));
          const flags = await h.read(h.track(matmul(b, a, { transA: true, transB: true })));
          const scale = await h.read(h.track(transpose(h.track(matmul(h.track(abs(a)), h.track(abs(b)))))));
          for (let i = 0; i < left.length; i++) {
            const tol = 1e-5 * scale[i] + 1e-7;
            expect(Math.abs(left[i] - right[i]), `element ${i}`).toBeLessThanOrEqual(tol);
            expect(Math.abs(left[i] - flags[i]), `element ${i} (flags)`).toBeLessThanOrEqual(tol);
          }
        })),
      runs,
    );
  });

  it('softmax rows are probability vectors', async () => {
    await fc.assert(
      fc.asyncProperty(shapeArb, fc.double({ min: 0.1, max: 50, noNaN: true }), fc.integer(), (shape, spread, seed) =>
        ctx.run(async (h) => {
          const p = await h.read(h.track(softmax(h.input(new TestRng(seed).normalF32(numel(shape), 0, spread), shape))));
          const d = shape[shape.length - 1];
          for (let r = 0; r < p.length / d; r++) {
            let s = 0;
            for (let j = 0; j < d; j++) {
              const v = p[r * d + j];
              expect(v).toBeGreaterThanOrEqual(0);
              expect(v).toBeLessThanOrEqual(1);
              s += v;
            }
            expect(Math.abs(s - 1), `row ${r} sums to ${s}`).toBeLessThanOrEqual(1e-5 * Math.sqrt(d) + 1e-6);
          }
        })),
      runs,
    );
  });

  it('layerNorm rows have mean 0 and variance 1 (gamma = 1, beta = 0)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 2 }), fc.integer({ min: 2, max: 100 }), fc.double({ min: -50, max: 50, noNaN: true }), fc.integer(), (lead, d, offset, seed) =>
        ctx.run(async (h) => {
          const shape = [...lead, d];
          const x = new TestRng(seed).normalF32(numel(shape), offset, 1);
          const y = await h.read(h.track(layerNorm(h.input(x, shape), h.input(new Float32Array(d).fill(1), [d]), h.input(new Float32Array(d), [d]), 0)));
          for (let r = 0; r < y.length / d; r++) {
            const row = y.subarray(r * d, (r + 1) * d);
            const mean = row.reduce((s, v) => s + v, 0) / d;
            const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / d;
            expect(Math.abs(mean), `row ${r} mean`).toBeLessThanOrEqual(1e-5);
            expect(Math.abs(variance - 1), `row ${r} variance`).toBeLessThanOrEqual(1e-4);
          }
        })),
      runs,
    );
  });

  it('gather by a permutation then by its inverse is the identity; so is transpose by perm then inverse', async () => {
    const arb = shapeArb.chain((shape) => fc.tuple(fc.constant(shape), fc.integer({ min: 0, max: shape.length - 1 }), fc.shuffledSubarray([...shape.keys()], { minLength: shape.length, maxLength: shape.length }), fc.integer()));
    await fc.assert(
      fc.asyncProperty(arb, ([shape, axis, perm, seed]) =>
        ctx.run(async (h) => {
          const rng = new TestRng(seed);
          const data = rng.uniformF32(numel(shape));
          const x = h.input(data, shape);
          const p = rng.permutation(shape[axis]);
          const inv = new Int32Array(p.length);
          p.forEach((v, i) => (inv[v] = i));
          const back = h.track(gather(h.track(gather(x, h.input(p, [p.length], 'i32'), axis)), h.input(inv, [inv.length], 'i32'), axis));
          expect(Array.from(await h.read(back))).toEqual(Array.from(data));
          const invPerm = new Array<number>(perm.length);
          perm.forEach((v, i) => (invPerm[v] = i));
          const round = h.track(transpose(h.track(transpose(x, perm)), invPerm));
          expect([...round.shape]).toEqual(shape);
          expect(Array.from(await h.read(round))).toEqual(Array.from(data));
        })),
      runs,
    );
  });

  it('scatterAdd is the adjoint of gather: ⟨gather(x), y⟩ = ⟨x, scatterAdd(y)⟩', async () => {
    const arb = shapeArb.chain((shape) => fc.tuple(fc.constant(shape), fc.integer({ min: 0, max: shape.length - 1 }), fc.integer({ min: 0, max: 12 }), fc.integer()));
    await fc.assert(
      fc.asyncProperty(arb, ([shape, axis, count, seed]) =>
        ctx.run(async (h) => {
          const rng = new TestRng(seed);
          const xd = rng.uniformF32(numel(shape));
          const idx = h.input(rng.ints(count, 0, shape[axis] - 1), [count], 'i32');
          const ys = [...shape];
          ys[axis] = count;
          const yd = rng.uniformF32(numel(ys));
          const gx = await h.read(h.track(gather(h.input(xd, shape), idx, axis)));
          const sy = await h.read(h.track(scatterAdd(idx, h.input(yd, ys), axis, shape[axis])));
          expectAdjoint(dot(gx, yd), dot(xd, sy), absDot(gx, yd));
        })),
      runs,
    );
  });

  it('pad is the adjoint of slice: ⟨slice(x), y⟩ = ⟨x, pad(y)⟩', async () => {
    const arb = shapeArb.chain((shape) =>
      fc.tuple(fc.constant(shape), fc.tuple(...shape.map((d) => fc.integer({ min: 0, max: d }).chain((b) => fc.tuple(fc.constant(b), fc.integer({ min: 0, max: d - b }))))), fc.integer()));
    await fc.assert(
      fc.asyncProperty(arb, ([shape, box, seed]) =>
        ctx.run(async (h) => {
          const rng = new TestRng(seed);
          const begin = box.map(([b]) => b);
          const size = box.map(([, s]) => s);
          const xd = rng.uniformF32(numel(shape));
          const yd = rng.uniformF32(numel(size));
          const sx = await h.read(h.track(slice(h.input(xd, shape), begin, size)));
          const py = await h.read(h.track(pad(h.input(yd, size), begin, shape)));
          expectAdjoint(dot(sx, yd), dot(xd, py), absDot(sx, yd));
        })),
      runs,
    );
  });

  it('concat then slice recovers the parts', async () => {
    const arb = shapeArb.chain((shape) => fc.tuple(fc.constant(shape), fc.integer({ min: 0, max: shape.length - 1 }), fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 4 }), fc.integer()));
    await fc.assert(
      fc.asyncProperty(arb, ([shape, axis, lengths, seed]) =>
        ctx.run(async (h) => {
          const rng = new TestRng(seed);
          const parts = lengths.map((len) => {
            const s = [...shape];
            s[axis] = len;
            return { s, d: rng.uniformF32(numel(s)) };
          });
          const whole = h.track(concat(parts.map((p) => h.input(p.d, p.s)), axis));
          let start = 0;
          for (const p of parts) {
            const begin = shape.map((_, i) => (i === axis ? start : 0));
            const got = await h.read(h.track(slice(whole, begin, p.s)));
            expect(Array.from(got)).toEqual(Array.from(p.d));
            start += p.s[axis];
          }
        })),
      runs,
    );
  });
}

/** The two sides of an adjoint identity agree up to rounding of the inner products. */
function expectAdjoint(lhs: number, rhs: number, scale: number): void {
  expect(Math.abs(lhs - rhs), `⟨·,·⟩ sides ${lhs} vs ${rhs}`).toBeLessThanOrEqual(1e-6 * scale + 1e-9);
}
