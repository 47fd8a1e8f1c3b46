/**
 * A tiny seeded PRNG and string/seed hashing, private to `@symfuse/data`.
 *
 * Why local: data must not depend on the tensor runtime (it is loaded by tools that never touch tensors),
 * and every split, shuffle and mask here must be reproducible from an explicit seed. No global RNG.
 */

/**
 * Where random numbers come from: a 32-bit seed (a {@link SeededRandom} is built from it), a function
 * returning uniforms on [0, 1), or any object with a `uniform()` method returning them — e.g. the `Rng` of
 * `@symfuse/tensor`, accepted structurally so this package does not depend on the tensor runtime.
 */
export type RandomSource = number | (() => number) | { uniform(): number };

/**
 * Mulberry32: 32 bits of state, period 2³², passes PractRand to 2³² outputs — ample for shuffles and masks
 * of a few million positions. Deterministic across platforms (only `Math.imul` and 32-bit integer ops).
 */
export class SeededRandom {
  private state: number;

  /** @param seed any number; only its low 32 bits (after `>>> 0`) matter. */
  constructor(seed: number) {
    if (!Number.isFinite(seed)) {
      throw new RangeError(`SeededRandom: seed must be a finite number, got ${seed}`);
    }
    this.state = Math.trunc(seed) >>> 0;
  }

  /** Next uniform 32-bit unsigned integer. */
  nextUint32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Next uniform float in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /**
   * Uniform integer in [0, n), n ≤ 2³². Multiply-shift: bias below n / 2³², negligible for the sizes used
   * here (indices of at most a few million).
   */
  nextInt(n: number): number {
    if (!(n >= 1) || n > 4294967296 || !Number.isInteger(n)) {
      throw new RangeError(`SeededRandom.nextInt: n must be an integer in [1, 2^32], got ${n}`);
    }
    return Math.floor((this.nextUint32() / 4294967296) * n);
  }

  /** A bound `() => number` uniform on [0, 1), for APIs that take a {@link RandomSource}. */
  asFunction(): () => number {
    return () => this.next();
  }
}

/** Turn a {@link RandomSource} into a uniform [0, 1) function (a number is a seed). */
export function toUniform(source: RandomSource): () => number {
  if (typeof source === 'function') return source;
  if (typeof source === 'number') return new SeededRandom(source).asFunction();
  return () => source.uniform();
}

/** murmur3's 32-bit finaliser: a bijection on u32 with full avalanche. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Combine numbers into one well-mixed 32-bit seed, e.g. `mixSeed(seed, epoch)` or `mixSeed(seed, blockIndex)`,
 * so that derived streams are independent and each can be reproduced on its own (resume at epoch 7
 * without replaying epochs 0–6).
 */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    // Fold both halves of values above 2^32 (e.g. Date-like seeds) so they are not silently truncated.
    const lo = p >>> 0;
    const hi = Math.floor(p / 4294967296) >>> 0;
    h = fmix32((h ^ lo) + 0x7f4a7c15);
    if (hi !== 0) h = fmix32((h ^ hi) + 0x7f4a7c15);
  }
  return h;
}

/**
 * FNV-1a over the UTF-16 code units of `s`, then finalised with fmix32. Stable across runs and platforms:
 * used for content-based held-out assignment and deduplication keys.
 */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h >>> 0);
}
