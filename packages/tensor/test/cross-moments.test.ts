import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CrossMoments, Rng } from '../src/index.js';

/** Two-pass oracle: the centred co-moment Σ (x − μx)(y − μy)ᵀ in f64. */
function coMoment(x: Float64Array, y: Float64Array, n: number, p: number, q: number): Float64Array {
  const mx = new Float64Array(p);
  const my = new Float64Array(q);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) mx[j] += x[i * p + j] / n;
    for (let k = 0; k < q; k++) my[k] += y[i * q + k] / n;
  }
  const out = new Float64Array(p * q);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) for (let k = 0; k < q; k++) out[j * q + k] += (x[i * p + j] - mx[j]) * (y[i * q + k] - my[k]);
  return out;
}

function randomRows(seed: number, n: number, d: number, offset: number): Float64Array {
  const rng = new Rng(seed);
  // A large common offset: what an uncentred f32 product would lose to cancellation.
  return Float64Array.from({ length: n * d }, () => offset + rng.normal());
}

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('CrossMoments', () => {
  it('a stream of batches in any split equals the two-pass co-moment (f64 products)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 5 }), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 6 }), fc.integer(), (n, p, q, cuts, seed) => {
        const x = randomRows(seed, n, p, 3);
        const y = randomRows(seed + 1, n, q, -2);
        const m = new CrossMoments(p, q);
        let start = 0;
        for (const c of cuts) {
          if (start >= n) break;
          const end = Math.min(n, start + c);
          m.updateArrays(x.subarray(start * p, end * p), y.subarray(start * q, end * q), end - start);
          start = end;
        }
        if (start < n) m.updateArrays(x.subarray(start * p), y.subarray(start * q), n - start);
        expect(m.count).toBe(n);
        const oracle = coMoment(x, y, n, p, q);
        const scale = Math.max(1, ...oracle.map(Math.abs));
        expect(maxAbs(m.cross, oracle) / scale).toBeLessThan(1e-12);
      }),
      { numRuns: 60 },
    );
  });

  it("precision 'f32' stays within ~1e-6 of the f64 co-moment even with a large common offset", () => {
    const n = 512;
    const [p, q] = [33, 17];
    const x = randomRows(11, n, p, 1000);
    const y = randomRows(12, n, q, -500);
    const fast = new CrossMoments(p, q);
    for (let s = 0; s < n; s += 128) fast.updateArrays(x.subarray(s * p, (s + 128) * p), y.subarray(s * q, (s + 128) * q), 128, 'f32');
    const oracle = coMoment(x, y, n, p, q);
    const scale = Math.max(...oracle.map(Math.abs));
    expect(maxAbs(fast.cross, oracle) / scale).toBeLessThan(1e-5);
    expect(maxAbs(fast.meanX, new CrossMoments(p, q).updateArrays(x, y, n).meanX)).toBeLessThan(1e-9);
  });
});
