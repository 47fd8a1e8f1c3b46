/**
 * The random source parameter initialisation draws from. `@symfuse/tensor`'s `Rng` satisfies
 * {@link InitRng} structurally; {@link SeededNormalRng} is a small local stand-in used when only a
 * seed is given, so this package does not depend on the tensor package exporting its RNG.
 */

/** What initialisation needs: independent child streams per parameter, and normal fills. */
export interface InitRng {
  /** A child stream determined by this stream's seed and `label` only. */
  fork(label: string): InitRng;
  /** Fills `arr` with N(mean, std²) draws and returns it. */
  fillNormal<A extends { length: number; [i: number]: number }>(arr: A, mean?: number, std?: number): A;
}

/** FNV-1a over the label's UTF-16 code units, mixed with the parent seed. */
function childSeed(seed: number, label: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return mix(h ^ 0x9e3779b9);
}

/** A bijective 32-bit avalanche mix (so neighbouring seeds give unrelated streams). */
function mix(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d);
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * A seeded normal generator: splitmix32-style counter stream (uniforms with 32 random bits) and
 * Box–Muller pairs. Good enough for weight initialisation; not for statistics-grade sampling.
 */
export class SeededNormalRng implements InitRng {
  private state: number;

  /** @param seed any integer; equal seeds give equal streams. */
  constructor(readonly seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`SeededNormalRng: seed must be a safe integer, got ${String(seed)}`);
    this.state = mix((seed >>> 0) ^ mix(Math.floor(seed / 4294967296) >>> 0));
  }

  /** Uniform in (0, 1): never 0, so `log` below is finite. */
  private uniform(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    return (mix(this.state) + 0.5) / 4294967296;
  }

  fork(label: string): SeededNormalRng {
    return new SeededNormalRng(childSeed(mix(this.seed >>> 0), label));
  }

  fillNormal<A extends { length: number; [i: number]: number }>(arr: A, mean = 0, std = 1): A {
    const n = arr.length;
    for (let i = 0; i < n; i += 2) {
      const r = Math.sqrt(-2 * Math.log(this.uniform()));
      const a = 2 * Math.PI * this.uniform();
      arr[i] = mean + std * r * Math.cos(a);
      if (i + 1 < n) arr[i + 1] = mean + std * r * Math.sin(a);
    }
    return arr;
  }
}
