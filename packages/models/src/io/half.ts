/**
 * Conversions between float32 and the 16- and 8-bit float formats stored in checkpoints:
 * IEEE binary16 (F16), bfloat16 (BF16), and the OCP FP8 formats E5M2 and E4M3 (the `fn` variant: no
 * infinities, one NaN pattern per sign). Narrowing rounds to nearest, ties to even, like PyTorch and
 * numpy; NaN stays NaN, F16 overflow becomes ±Inf.
 *
 * The loops work on 32-bit views of the float32 buffers, so there is no per-element allocation.
 */

let f16Table: Float32Array | undefined;

/** The 65 536 float32 values of every F16 bit pattern, built on first use (256 KiB). */
function f16ToF32Table(): Float32Array {
  if (f16Table) return f16Table;
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    let v: number;
    if (exp === 0) v = mant * 2 ** -24; // zero and subnormals
    else if (exp === 0x1f) v = mant === 0 ? Infinity : NaN;
    else v = (1 + mant / 1024) * 2 ** (exp - 15);
    table[h] = sign * v;
  }
  f16Table = table;
  return table;
}

/** Decodes `bits.length` F16 values into `out` (which must be at least as long). */
export function f16BitsToF32(bits: Uint16Array, out: Float32Array): Float32Array {
  const table = f16ToF32Table();
  const n = bits.length;
  for (let i = 0; i < n; i++) out[i] = table[bits[i]];
  return out;
}

/** Decodes BF16 values: a bfloat16 is the upper half of a float32, so this is a 16-bit shift. */
export function bf16BitsToF32(bits: Uint16Array, out: Float32Array): Float32Array {
  const o = new Uint32Array(out.buffer, out.byteOffset, out.length);
  const n = bits.length;
  for (let i = 0; i < n; i++) o[i] = bits[i] << 16;
  return out;
}

/** Rounds one float32 bit pattern (as an unsigned 32-bit number) to the nearest F16 bit pattern. */
export function f32BitsToF16Bits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) {
    // Inf stays Inf; NaN keeps its top payload bits and is forced quiet so it cannot become Inf.
    return mant === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mant >>> 13);
  }
  const e = exp - 112; // rebias 127 → 15
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Result is subnormal (or zero): value = mant24 · 2^(e-14) units of 2^-24.
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (h & 1) === 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to Inf).
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1) === 1)) h++;
  return sign | h;
}

/** Rounds float32 values to F16 bit patterns, ties to even. */
export function f32ToF16Bits(src: Float32Array, out: Uint16Array): Uint16Array {
  const s = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const n = src.length;
  for (let i = 0; i < n; i++) out[i] = f32BitsToF16Bits(s[i]);
  return out;
}

/** Rounds float32 values to BF16 bit patterns, ties to even; NaN stays a quiet NaN. */
export function f32ToBf16Bits(src: Float32Array, out: Uint16Array): Uint16Array {
  const s = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const n = src.length;
  for (let i = 0; i < n; i++) {
    const x = s[i];
    if ((x & 0x7fffffff) > 0x7f800000) out[i] = (x >>> 16) | 0x40;
    // Non-NaN patterns are ≤ 0xff800000, so the sum stays below 2^32 and `>>> 16` is exact.
    else out[i] = (x + 0x7fff + ((x >>> 16) & 1)) >>> 16;
  }
  return out;
}

let e4m3Table: Float32Array | undefined;

/** Decodes FP8 E4M3 (`fn`: bias 7, no Inf, S.1111.111 is NaN). */
export function f8e4m3BitsToF32(bits: Uint8Array, out: Float32Array): Float32Array {
  if (!e4m3Table) {
    const t = new Float32Array(256);
    for (let b = 0; b < 256; b++) {
      const sign = b & 0x80 ? -1 : 1;
      const exp = (b >>> 3) & 0xf;
      const mant = b & 7;
      let v: number;
      if (exp === 0xf && mant === 7) v = NaN;
      else if (exp === 0) v = mant * 2 ** -9;
      else v = (1 + mant / 8) * 2 ** (exp - 7);
      t[b] = sign * v;
    }
    e4m3Table = t;
  }
  const table = e4m3Table;
  const n = bits.length;
  for (let i = 0; i < n; i++) out[i] = table[bits[i]];
  return out;
}

/** Decodes FP8 E5M2, which is exactly the upper byte of an F16. */
export function f8e5m2BitsToF32(bits: Uint8Array, out: Float32Array): Float32Array {
  const table = f16ToF32Table();
  const n = bits.length;
  for (let i = 0; i < n; i++) out[i] = table[bits[i] << 8];
  return out;
}
