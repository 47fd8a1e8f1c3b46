import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  batchIndices,
  epochBatches,
  epochPermutation,
  hashString,
  mixSeed,
  permutation,
  SeededRandom,
  shuffled,
  toUniform,
} from '../src/index.js';

describe('SeededRandom', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const c = new SeededRandom(43);
    const xa = Array.from({ length: 8 }, () => a.nextUint32());
    const xb = Array.from({ length: 8 }, () => b.nextUint32());
    const xc = Array.from({ length: 8 }, () => c.nextUint32());
    expect(xa).toEqual(xb);
    expect(xa).not.toEqual(xc);
  });

  it('produces floats in [0, 1) with mean ≈ 1/2 and a flat histogram', () => {
    const r = new SeededRandom(7);
    const bins = new Array(10).fill(0);
    const n = 100_000;
    let sum = 0;
    let outside = 0;
    for (let i = 0; i < n; i++) {
      const x = r.next();
      if (!(x >= 0 && x < 1)) outside++;
      sum += x;
      bins[Math.floor(x * 10)]++;
    }
    expect(outside).toBe(0);
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.005);
    // χ² with 9 degrees of freedom: 99.9th percentile ≈ 27.9.
    const chi2 = bins.reduce((s, o) => s + (o - n / 10) ** 2 / (n / 10), 0);
    expect(chi2).toBeLessThan(27.9);
  });

  it('nextInt stays in range and rejects bad bounds', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 1000 }), (seed, n) => {
        const r = new SeededRandom(seed);
        for (let i = 0; i < 50; i++) {
          const k = r.nextInt(n);
          if (!(Number.isInteger(k) && k >= 0 && k < n)) return false;
        }
        return true;
      }),
    );
    expect(() => new SeededRandom(1).nextInt(0)).toThrow(/nextInt/);
    expect(() => new SeededRandom(Number.NaN)).toThrow(/seed/);
  });

  it('toUniform passes generators through and seeds numbers', () => {
    const f = (): number => 0.25;
    expect(toUniform(f)).toBe(f);
    expect(toUniform(5)()).toBe(new SeededRandom(5).next());
    let k = 0;
    const u = toUniform({ uniform: () => (k++ % 4) / 4 });
    expect([u(), u(), u()]).toEqual([0, 0.25, 0.5]);
  });
});

describe('hashing', () => {
  it('mixSeed separates its arguments and is stable', () => {
    expect(mixSeed(1, 2)).toBe(mixSeed(1, 2));
    expect(mixSeed(1, 2)).not.toBe(mixSeed(2, 1));
    expect(mixSeed(0, 0)).not.toBe(mixSeed(0));
    expect(mixSeed(1)).not.toBe(mixSeed(1 + 2 ** 32));
  });

  it('hashString is murmur3-fmix32 of the published FNV-1a values, and spreads', () => {
    // Reference finaliser written from the MurmurHash3 spec; FNV-1a test vectors from the FNV reference.
    const fmix = (h0: number): number => {
      let h = BigInt(h0);
      const m = (a: bigint, b: bigint): bigint => (a * b) & 0xffffffffn;
      h ^= h >> 16n;
      h = m(h, 0x85ebca6bn);
      h ^= h >> 13n;
      h = m(h, 0xc2b2ae35n);
      h ^= h >> 16n;
      return Number(h);
    };
    expect(hashString('')).toBe(fmix(0x811c9dc5));
    expect(hashString('a')).toBe(fmix(0xe40c292c));
    expect(hashString('foobar')).toBe(fmix(0xbf9cf968));
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(hashString(`paragraph ${i}`) % 10);
    expect(seen.size).toBe(10);
  });
});

describe('permutations and epochs', () => {
  it('permutation is a permutation of 0..n-1', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer(), (n, seed) => {
        const p = permutation(n, seed);
        const sorted = Array.from(p).sort((a, b) => a - b);
        return sorted.every((v, i) => v === i) && p.length === n;
      }),
    );
  });

  it('permutation is uniform over the 6 orders of 3 items', () => {
    const counts = new Map<string, number>();
    const rng = new SeededRandom(99).asFunction();
    const n = 60_000;
    for (let i = 0; i < n; i++) {
      const k = Array.from(permutation(3, rng)).join('');
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    for (const c of counts.values()) expect(Math.abs(c / n - 1 / 6)).toBeLessThan(0.01);
  });

  it('shuffled leaves its input alone', () => {
    const a = [1, 2, 3, 4, 5];
    const b = shuffled(a, 3);
    expect(a).toEqual([1, 2, 3, 4, 5]);
    expect([...b].sort()).toEqual(a);
  });

  it('epochPermutation is reproducible per (seed, epoch) and varies across epochs', () => {
    const e0 = epochPermutation(100, 1, 0);
    expect(epochPermutation(100, 1, 0)).toEqual(e0);
    expect(epochPermutation(100, 1, 1)).not.toEqual(e0);
    expect(epochPermutation(100, 2, 0)).not.toEqual(e0);
  });

  it('batchIndices covers every index once per epoch, in batches of batchSize', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 17 }), fc.integer(), (n, bs, seed) => {
        const batches = [...batchIndices(n, bs, 3, { seed })];
        const all = batches.flatMap((b) => Array.from(b)).sort((a, b) => a - b);
        const okCover = all.length === n && all.every((v, i) => v === i);
        const okSizes = batches.every((b, i) => b.length === bs || (i === batches.length - 1 && b.length < bs));
        const dropped = [...batchIndices(n, bs, 3, { seed, dropLast: true })];
        return okCover && okSizes && dropped.length === Math.floor(n / bs) && dropped.every((b) => b.length === bs);
      }),
    );
    expect(Array.from([...batchIndices(5, 2, 0, { seed: 0, shuffle: false })][2])).toEqual([4]);
    expect(() => [...batchIndices(5, 0, 0, { seed: 0 })]).toThrow(/batchSize/);
  });

  it('epochBatches resumes at any epoch with the same order', () => {
    const items = Array.from({ length: 23 }, (_, i) => `x${i}`);
    const full = [...epochBatches(items, 5, 3, { seed: 11 })];
    const resumed = [...epochBatches(items, 5, 1, { seed: 11, startEpoch: 2 })];
    expect(resumed.map((b) => b.items)).toEqual(full.filter((b) => b.epoch === 2).map((b) => b.items));
    expect(full.filter((b) => b.epoch === 0).flatMap((b) => b.items).sort()).toEqual([...items].sort());
    expect(full[0].step).toBe(0);
  });
});
