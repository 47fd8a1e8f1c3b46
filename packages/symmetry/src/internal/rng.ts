/**
 * The seeded random source of this package. `@symfuse/tensor`'s `Rng` is used when the tensor package
 * exports it; until then a small local generator with the same surface stands in (TEMPORARY: see the
 * report — replace `createRng` by `new Rng(seed)` once `Rng` is exported).
 */
import * as tensorPkg from '@symfuse/tensor';

/** What the symmetry package draws: the subset of `@symfuse/tensor`'s `Rng` it uses. */
export interface SymRng {
  readonly seed: number;
  uniform(): number;
  normal(): number;
  permutation(n: number): Int32Array;
  /** Haar-distributed orthogonal `[n, n]` row-major matrix. */
  orthogonal(n: number): Float64Array;
  fork(label: string | number): SymRng;
}

type RngCtor = new (seed: number) => SymRng;

/** A seeded generator (`@symfuse/tensor`'s `Rng` when exported). */
export function createRng(seed: number): SymRng {
  const Ctor = (tensorPkg as unknown as { Rng?: RngCtor }).Rng;
  return typeof Ctor === 'function' ? new Ctor(seed) : new LocalRng(seed);
}

function hash32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** sfc32 generator seeded by hashing; Gaussian by Box–Muller; Haar orthogonal by twice-MGS QR. */
class LocalRng implements SymRng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(readonly seed: number) {
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    this.a = hash32(lo ^ 0x9e3779b9);
    this.b = hash32(hi ^ 0x85ebca6b);
    this.c = hash32(lo + 0xc2b2ae35);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.next();
  }
  private next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
  uniform(): number {
    return ((this.next() >>> 5) * 67108864 + (this.next() >>> 6)) / 9007199254740992;
  }
  normal(): number {
    let u = this.uniform();
    while (u === 0) u = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.uniform() * (i + 1));
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
  orthogonal(n: number): Float64Array {
    // Columns of a Gaussian matrix, orthonormalised by modified Gram–Schmidt (twice, for accuracy).
    // MGS gives the QR factor with positive diag(R), which makes Q Haar-distributed.
    const q = new Float64Array(n * n);
    for (let i = 0; i < q.length; i++) q[i] = this.normal();
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < n; j++) {
        for (let k = 0; k < j; k++) {
          let dot = 0;
          for (let i = 0; i < n; i++) dot += q[i * n + k] * q[i * n + j];
          for (let i = 0; i < n; i++) q[i * n + j] -= dot * q[i * n + k];
        }
        let norm = 0;
        for (let i = 0; i < n; i++) norm += q[i * n + j] ** 2;
        norm = Math.sqrt(norm);
        for (let i = 0; i < n; i++) q[i * n + j] /= norm;
      }
    }
    return q;
  }
  fork(label: string | number): SymRng {
    let h = hash32(this.seed >>> 0) ^ 0x811c9dc5;
    const s = String(label);
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
    return new LocalRng(hash32(h));
  }
}
