import { deriveSeed, mix32, seedWords } from './seed-hash.js';
import { orthogonalFactorPositiveR } from './householder-qr.js';

/** Anything with numeric index access and a length that can be shuffled in place. */
export interface MutableArrayLike<T> {
  length: number;
  [index: number]: T;
}

const TWO_NEG_53 = 1 / 9007199254740992;
const TWO_32 = 4294967296;

/**
 * Seedable pseudo-random generator: xoshiro128** (Blackman & Vigna 2018) on four 32-bit words, seeded by
 * hashing the (safe-integer) seed with a bijective mixer. There is deliberately no global instance: every
 * consumer receives an `Rng` (or forks one) so runs are reproducible from the recorded `seed`.
 *
 * - `uniform()` has 53 random bits (two 32-bit outputs), so it can return every double multiple of 2⁻⁵³.
 * - `normal()` is Marsaglia's polar method with the spare value cached.
 * - `fork(label)` derives a child from `(seed, label)` only — it does not consume or depend on the parent's
 *   draws — so `rng.fork('layer.3')` is the same stream whatever was drawn before, and `new Rng(child.seed)`
 *   reproduces the child.
 */
export class Rng {
  /** The seed this generator was constructed from (a safe integer); `new Rng(seed)` replays the stream. */
  readonly seed: number;
  /** Fork path from the root, for traces (e.g. `"root/layer.3/heads"`). */
  readonly path: string;
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare = 0;
  private hasSpare = false;
  /** The last point accepted by {@link polar}. */
  private px = 0;
  private py = 0;
  private readonly seedHi: number;
  private readonly seedLo: number;

  /**
   * @param seed any safe integer (negative allowed); equal seeds give identical streams.
   * @param path label recorded for traces; does not affect the stream.
   */
  constructor(seed: number, path = 'root') {
    const [hi, lo] = seedWords(seed, 'Rng');
    this.seed = seed;
    this.path = path;
    this.seedHi = hi;
    this.seedLo = lo;
    // Expand (hi, lo) into 128 bits of state with distinct streams of the bijective mixer.
    this.s0 = mix32(lo ^ mix32(hi ^ 0x9e3779b9)) | 0;
    this.s1 = mix32(hi ^ mix32(lo ^ 0x7f4a7c15)) | 0;
    this.s2 = mix32((lo + 0x6a09e667) ^ mix32(hi + 0xbb67ae85)) | 0;
    this.s3 = mix32((hi + 0x3c6ef372) ^ mix32(lo + 0xa54ff53a)) | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // all-zero state is a fixed point
  }

  /** Next raw output as an unsigned 32-bit integer. */
  nextUint32(): number {
    const s0 = this.s0;
    const s1 = this.s1;
    const s2 = this.s2;
    const s3 = this.s3;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    this.s1 = s1 ^ n2;
    this.s0 = s0 ^ n3;
    this.s2 = n2 ^ t;
    this.s3 = (n3 << 11) | (n3 >>> 21);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    return (a * 67108864 + b) * TWO_NEG_53;
  }

  /**
   * Unbiased integer in [0, n) by rejection (no modulo bias).
   * @param n integer with 1 ≤ n ≤ 2³².
   */
  uniformInt(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_32) {
      throw new RangeError(`Rng.uniformInt: n must be an integer in [1, 2^32], got ${String(n)}`);
    }
    // Accept x < limit, the largest multiple of n that fits in 32 bits.
    const limit = TWO_32 - (TWO_32 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** Standard normal deviate (Marsaglia polar method; every second call returns the cached spare). */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    const f = this.polar();
    this.spare = this.py * f;
    this.hasSpare = true;
    return this.px * f;
  }

  /**
   * One acceptance of Marsaglia's polar method: a uniform point `(px, py)` of the unit disc (origin
   * excluded), left in the fields; returns `√(−2·ln s / s)` with `s = px² + py²`, so `px·f` and `py·f`
   * are two independent standard normal deviates.
   */
  private polar(): number {
    let x: number;
    let y: number;
    let s: number;
    do {
      x = 2 * this.uniform() - 1;
      y = 2 * this.uniform() - 1;
      s = x * x + y * y;
    } while (s >= 1 || s === 0);
    this.px = x;
    this.py = y;
    return Math.sqrt((-2 * Math.log(s)) / s);
  }

  /**
   * Fills `arr` with independent N(mean, std²) draws, two per polar-method acceptance.
   * @returns `arr`.
   */
  fillNormal<A extends MutableArrayLike<number>>(arr: A, mean = 0, std = 1): A {
    const n = arr.length;
    let i = 0;
    if (this.hasSpare && n > 0) arr[i++] = mean + std * this.normal();
    for (; i + 1 < n; i += 2) {
      const f = std * this.polar();
      arr[i] = mean + this.px * f;
      arr[i + 1] = mean + this.py * f;
    }
    if (i < n) arr[i] = mean + std * this.normal();
    return arr;
  }

  /**
   * Fills `arr` with independent uniform draws in [lo, hi).
   * @returns `arr`.
   */
  fillUniform<A extends MutableArrayLike<number>>(arr: A, lo = 0, hi = 1): A {
    const w = hi - lo;
    for (let i = 0; i < arr.length; i++) arr[i] = lo + w * this.uniform();
    return arr;
  }

  /** Uniformly random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) {
      throw new RangeError(`Rng.permutation: n must be a non-negative int32, got ${String(n)}`);
    }
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }

  /** Shuffles `arr` in place uniformly (Fisher–Yates). @returns `arr`. */
  shuffle<T, A extends MutableArrayLike<T>>(arr: A & MutableArrayLike<T>): A {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.uniformInt(i + 1);
      const t = arr[i];
      arr[i] = arr[j];
      arr[j] = t;
    }
    return arr;
  }

  /**
   * Haar-distributed random orthogonal matrix: Householder QR of an `[n, n]` standard Gaussian matrix, with
   * the columns of Q multiplied by sign(diag R) (without that correction Q is not Haar).
   * @returns row-major `[n, n]` Float64Array with QᵀQ = I (determinant ±1, each with probability ½).
   */
  orthogonal(n: number): Float64Array {
    if (!Number.isInteger(n) || n < 0) {
      throw new RangeError(`Rng.orthogonal: n must be a non-negative integer, got ${String(n)}`);
    }
    const a = this.fillNormal(new Float64Array(n * n));
    return orthogonalFactorPositiveR(a, n); // a's column-major reading is also i.i.d. Gaussian
  }

  /**
   * Independent child stream determined by this generator's seed and `label` only (never by how much the
   * parent has drawn). Equal labels give equal children; use distinct labels for distinct consumers.
   */
  fork(label: string | number): Rng {
    const childSeed = deriveSeed(this.seedHi, this.seedLo, label);
    return new Rng(childSeed, `${this.path}/${String(label)}`);
  }
}
