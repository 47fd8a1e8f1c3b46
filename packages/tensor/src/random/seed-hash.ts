/**
 * 32-bit integer mixing used to expand seeds and derive child streams.
 *
 * `mix32` is a bijective finaliser (the "lowbias32" constants of Chris Wellons' hash-prospector), so
 * distinct inputs never collide and single-bit input changes flip about half of the output bits — which is
 * what makes neighbouring seeds (0, 1, 2, …) give unrelated xoshiro states.
 */

/** Bijective 32-bit avalanche mix; returns an unsigned 32-bit integer. */
export function mix32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d);
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b);
  x = (x ^ (x >>> 16)) >>> 0;
  return x;
}

/** Largest seed magnitude accepted: every safe integer maps to a distinct (hi, lo) pair. */
const TWO_32 = 4294967296;

/**
 * Splits a safe integer seed into its two's-complement (hi, lo) 32-bit words.
 * @throws if `seed` is not a safe integer.
 */
export function seedWords(seed: number, what: string): [hi: number, lo: number] {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`${what}: seed must be a safe integer (|seed| < 2^53), got ${String(seed)}`);
  }
  const lo = seed >>> 0;
  const hi = Math.floor(seed / TWO_32) >>> 0;
  return [hi, lo];
}

/**
 * Hashes a fork label (string or integer) together with the parent's seed words into a new safe-integer
 * seed in [0, 2^53). Strings and numbers are tagged differently so `fork('1')` ≠ `fork(1)`.
 */
export function deriveSeed(parentHi: number, parentLo: number, label: string | number): number {
  let h1 = mix32(parentHi ^ 0x243f6a88);
  let h2 = mix32(parentLo ^ 0x85a308d3);
  if (typeof label === 'number') {
    const [hi, lo] = seedWords(label, 'Rng.fork');
    h1 = mix32(h1 ^ mix32(hi ^ 0x13198a2e));
    h2 = mix32(h2 ^ mix32(lo ^ 0x03707344) ^ h1);
  } else {
    h1 = mix32(h1 ^ 0xa4093822);
    for (let k = 0; k < label.length; k++) {
      const c = label.charCodeAt(k);
      h1 = mix32(h1 ^ c);
      h2 = mix32((h2 + Math.imul(c, 0x9e3779b9) + k) >>> 0);
    }
    h1 = mix32(h1 ^ label.length);
    h2 = mix32(h2 ^ h1);
  }
  // 21 high bits + 32 low bits = a 53-bit non-negative safe integer.
  return (h1 & 0x1fffff) * TWO_32 + h2;
}
