/**
 * CPU-backend specifics beyond the shared conformance suite: coverage of every definition, the
 * accuracy of erf/GELU in f64, the large-size fast paths against the oracles, and i32 masks.
 */
import { describe, expect, it } from 'vitest';
import { attention, cast, erf, gelu, geluGrad, identity, kernels, kernelsFor, matmul, tensor, transpose } from '../src/index.js';
import { erf as erfFast, erfc as erfcFast } from '../src/backends/cpu/kernels/erf.js';
import { TestRng, assertClose, attentionOracle, erfOracle, matmulOracle, nd, transposeOracle, unaryOracle } from '../src/testing/index.js';

describe('cpu kernel registry', () => {
  it('implements every primitive definition', () => {
    const registered = kernelsFor('cpu');
    const missing = kernels.ALL_KERNELS.map((k) => k.name).filter((n) => !registered.includes(n));
    expect(missing).toEqual([]);
  });
});

describe('erf and GELU accuracy (f64)', () => {
  it('erf is within 1e-13 of the series/integral oracle on [−8, 8] and exact in its symmetries', () => {
    let worst = 0;
    for (let i = -16000; i <= 16000; i += 7) {
      const x = i / 2000;
      worst = Math.max(worst, Math.abs(erfFast(x) - erfOracle(x)));
      expect(erfFast(-x)).toBe(-erfFast(x));
    }
    expect(worst).toBeLessThan(1e-13);
    expect(erfFast(0)).toBe(0);
    expect(erfFast(Number.POSITIVE_INFINITY)).toBe(1);
    expect(Number.isNaN(erfFast(Number.NaN))).toBe(true);
  });

  it('erfc keeps relative accuracy in the tail (where 1 − erf would be 0)', () => {
    // erfc(5) = 1.5374597944280348e-12, erfc(10) = 2.0884875837625447e-45 (reference values, 16 digits).
    expect(Math.abs(erfcFast(5) / 1.5374597944280348e-12 - 1)).toBeLessThan(1e-13);
    expect(Math.abs(erfcFast(10) / 2.0884875837625447e-45 - 1)).toBeLessThan(1e-13);
    expect(erfcFast(-3)).toBeCloseTo(2 - erfcFast(3), 15);
  });

  it('the erf, gelu and geluGrad kernels agree with the oracle to 1e-12 in f64', () => {
    const xs = Float64Array.from({ length: 4001 }, (_, i) => -10 + i / 200);
    for (const [op, fn] of [['erf', erf], ['gelu', gelu], ['geluGrad', geluGrad]] as const) {
      const got = fn(tensor(xs, [xs.length], { dtype: 'f64' })).dataSync();
      assertClose(op, got, unaryOracle(op, nd([xs.length], xs)).data, { rtol: 1e-12, atol: 1e-13 });
    }
  });
});

describe('fast paths at large sizes', () => {
  it('matmul with a batch folded into m equals the oracle (linear layer [B, T, d]·Wᵀ)', () => {
    const rng = new TestRng(7);
    const x = rng.uniformF32(3 * 50 * 96);
    const w = rng.uniformF32(130 * 96);
    const out = matmul(tensor(x, [3, 50, 96]), tensor(w, [130, 96]), { transB: true });
    const ref = matmulOracle(nd([3, 50, 96], x), nd([130, 96], w), false, true);
    expect(out.shape).toEqual([3, 50, 130]);
    assertClose('folded matmul', out.dataSync(), ref.value.data, { rtol: 1e-6, atol: 1e-6 }, ref.scale);
  });

  it('tiled transposes (2-D and last-two-axes) equal the oracle', () => {
    const rng = new TestRng(8);
    const x = rng.uniformF32(517 * 300);
    assertClose('2-D', transpose(tensor(x, [517, 300])).dataSync(), transposeOracle(nd([517, 300], x), [1, 0]).data, { rtol: 0, atol: 0 });
    assertClose('batched', transpose(tensor(x, [3, 47, 1100]), [0, 2, 1]).dataSync(), transposeOracle(nd([3, 47, 1100], x), [0, 2, 1]).data, { rtol: 0, atol: 0 });
  });

  it('kernels never alias their inputs (identity and same-dtype cast copy)', () => {
    const t = tensor([1, 2, 3]);
    for (const out of [identity(t), cast(t, 'f32')]) {
      expect(out.storage).not.toBe(t.storage);
      expect(out.dataSync()).not.toBe(t.dataSync());
      expect(Array.from(out.dataSync())).toEqual([1, 2, 3]);
    }
  });
});

describe('attention on the CPU', () => {
  it('accepts i32 masks (any non-zero entry is a real token)', () => {
    const rng = new TestRng(9);
    const shape = [2, 2, 9, 4];
    const n = 2 * 2 * 9 * 4;
    const [q, k, v] = [rng.normalF32(n), rng.normalF32(n), rng.normalF32(n)];
    const mask = Int32Array.from({ length: 18 }, (_, i) => (i % 4 === 3 ? 0 : 2));
    const out = attention(tensor(q, shape), tensor(k, shape), tensor(v, shape), tensor(mask, [2, 9]), 0.5);
    const ref = attentionOracle(nd(shape, q), nd(shape, k), nd(shape, v), nd([2, 9], mask), 0.5);
    assertClose('i32 mask', out.dataSync(), ref.data, { rtol: 1e-5, atol: 1e-6 });
  });
});
