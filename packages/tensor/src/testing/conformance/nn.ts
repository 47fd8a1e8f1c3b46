/** Conformance of the fused model kernels LayerNorm and Attention against their oracles. */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { attention, layerNorm } from '../../index.js';
import { attentionOracle, layerNormOracle } from '../oracles/index.js';
import { TestRng } from '../rng.js';
import { AWKWARD_SIZES, type SuiteContext, asDType, ndOf } from './harness.js';

const numel = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);

/** Registers the layerNorm and attention conformance tests. */
export function nnConformance(ctx: SuiteContext): void {
  describe('layerNorm', () => {
    for (const dtype of ctx.floatDTypes) {
      it(`${dtype} at awkward widths, offset data, two eps`, () =>
        ctx.run(async (h) => {
          const rng = new TestRng(ctx.seed + 40);
          for (const d of AWKWARD_SIZES) {
            for (const eps of [1e-12, 1e-5]) {
              const shape = [2, 3, d];
              // Rows with mean ≈ 3 and std ≈ 2: a one-pass E[x²] − E[x]² variance would lose digits here.
              const x = asDType(rng.normalF32(numel(shape), 3, 2), dtype);
              const g = asDType(rng.normalF32(d, 1, 0.3), dtype);
              const b = asDType(rng.normalF32(d, 0, 0.3), dtype);
              const out = layerNorm(h.input(x, shape, dtype), h.input(g, [d], dtype), h.input(b, [d], dtype), eps);
              await h.check(`layerNorm [${shape}] eps=${eps}`, out, layerNormOracle(ndOf(x, shape), ndOf(g, [d]), ndOf(b, [d]), eps), ctx.tol('layerNorm', dtype));
            }
          }
        }));
    }
    it('random shapes (f32)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 3 }), fc.integer({ min: 2, max: 70 }), fc.integer(), (lead, d, seed) =>
          ctx.run(async (h) => {
            const rng = new TestRng(seed);
            const shape = [...lead, d];
            const x = rng.normalF32(numel(shape), -2, 3);
            const g = rng.normalF32(d);
            const b = rng.normalF32(d);
            const out = layerNorm(h.input(x, shape), h.input(g, [d]), h.input(b, [d]), 1e-5);
            await h.check(`layerNorm [${shape}]`, out, layerNormOracle(ndOf(x, shape), ndOf(g, [d]), ndOf(b, [d]), 1e-5), ctx.tol('layerNorm', 'f32'));
          })),
        { numRuns: ctx.numRuns },
      );
    });
  });

  describe('attention', () => {
    const cases: readonly [number, number, number, number][] = [[1, 1, 1, 1], [2, 3, 7, 8], [1, 2, 65, 16], [2, 1, 63, 7], [1, 1, 257, 4]];
    for (const dtype of ctx.floatDTypes) {
      it(`${dtype} at awkward [B, H, T, dk], with and without a padding mask`, () =>
        ctx.run(async (h) => {
          const rng = new TestRng(ctx.seed + 41);
          for (const shape of cases) {
            const [B, , T, dk] = shape;
            const n = numel(shape);
            const q = asDType(rng.normalF32(n), dtype);
            const k = asDType(rng.normalF32(n), dtype);
            const v = asDType(rng.normalF32(n), dtype);
            const scale = 1 / Math.sqrt(dk);
            const what = `attention [${shape}]`;
            await h.check(what, attention(h.input(q, shape, dtype), h.input(k, shape, dtype), h.input(v, shape, dtype)), attentionOracle(ndOf(q, shape), ndOf(k, shape), ndOf(v, shape), undefined, scale), ctx.tol('attention', dtype));
            // Batch 0: trailing padding (keeps ≥ 1 real token); batch 1: interior holes; with B = 1 only the first.
            const mask = new Float32Array(B * T);
            for (let t = 0; t < T; t++) {
              mask[t] = t < Math.max(1, T - Math.floor(T / 3)) ? 1 : 0;
              if (B > 1) mask[T + t] = t % 3 === 1 ? 0 : 1;
            }
            const m = h.input(mask, [B, T]);
            await h.check(`${what} masked`, attention(h.input(q, shape, dtype), h.input(k, shape, dtype), h.input(v, shape, dtype), m, 0.7), attentionOracle(ndOf(q, shape), ndOf(k, shape), ndOf(v, shape), ndOf(mask, [B, T]), 0.7), ctx.tol('attention', dtype));
          }
        }));
    }
    it('a batch whose keys are all padding yields zeros', () =>
      ctx.run(async (h) => {
        const rng = new TestRng(ctx.seed + 42);
        const shape = [3, 2, 7, 5];
        const n = numel(shape);
        const q = rng.normalF32(n);
        const k = rng.normalF32(n);
        const v = rng.normalF32(n);
        const mask = Float32Array.from({ length: 21 }, (_, i) => (i < 7 ? 0 : i < 14 ? 1 : i % 2));
        const out = attention(h.input(q, shape), h.input(k, shape), h.input(v, shape), h.input(mask, [3, 7]), 0.4);
        await h.check('attention with an all-padding batch', out, attentionOracle(ndOf(q, shape), ndOf(k, shape), ndOf(v, shape), ndOf(mask, [3, 7]), 0.4), ctx.tol('attention', 'f32'));
      }));
  });
}
