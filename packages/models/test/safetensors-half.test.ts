import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bf16BitsToF32, f16BitsToF32, f32BitsToF16Bits, f32ToBf16Bits, f32ToF16Bits, f8e4m3BitsToF32, f8e5m2BitsToF32 } from '../src/io/half.js';

const ALL_F16 = Uint16Array.from({ length: 65536 }, (_, i) => i);
const F16_VALUES = f16BitsToF32(ALL_F16, new Float32Array(65536));
const bitsOf = (x: number): number => new Uint32Array(new Float32Array([x]).buffer)[0];

/**
 * Oracle: the nearest F16 by binary search over the sorted positive F16 values (patterns
 * 0..0x7c00 are monotone), ties to the even pattern, overflow to Inf at ≥ 65520 (the halfway point
 * between 65504 and 65536, which rounds to even = Inf).
 */
function nearestF16(x: number): number {
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65520) return sign | 0x7c00;
  let lo = 0;
  let hi = 0x7bff;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (F16_VALUES[mid] <= a) lo = mid;
    else hi = mid;
  }
  const dLo = a - F16_VALUES[lo];
  const dHi = F16_VALUES[hi] - a;
  const pick = dLo < dHi ? lo : dHi < dLo ? hi : lo % 2 === 0 ? lo : hi;
  return sign | pick;
}

describe('F16 conversion', () => {
  it('decodes known patterns', () => {
    const bits = new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001, 0x0400, 0x7c00, 0xfc00, 0x8000, 0x3555]);
    expect(Array.from(f16BitsToF32(bits, new Float32Array(bits.length)))).toEqual([1, -2, 65504, 2 ** -24, 2 ** -14, Infinity, -Infinity, -0, 0.333251953125]);
    expect(Number.isNaN(f16BitsToF32(new Uint16Array([0x7e00]), new Float32Array(1))[0])).toBe(true);
  });

  it('every one of the 65536 patterns survives F16 → F32 → F16 (NaN stays NaN)', () => {
    const back = f32ToF16Bits(F16_VALUES, new Uint16Array(65536));
    for (let h = 0; h < 65536; h++) {
      if ((h & 0x7fff) > 0x7c00) expect((back[h] & 0x7fff) > 0x7c00).toBe(true);
      else if (back[h] !== h) expect.fail(`pattern ${h.toString(16)} came back as ${back[h].toString(16)}`);
    }
  });

  it('rounds random float32 values to the nearest F16, ties to even', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true }), (x) => {
        expect(f32BitsToF16Bits(bitsOf(x))).toBe(nearestF16(x));
      }),
      { numRuns: 20000 },
    );
  });

  it('rounds exact ties and the subnormal range correctly', () => {
    const cases = [1 + 2 ** -11, 1 + 3 * 2 ** -11, 2 ** -25, 3 * 2 ** -25, 2 ** -24 + 2 ** -25, 5 * 2 ** -26, 65504 + 16, 65519.99, 2 ** -14 - 2 ** -25];
    for (const x of cases) {
      expect(f32BitsToF16Bits(bitsOf(x)), String(x)).toBe(nearestF16(x));
      expect(f32BitsToF16Bits(bitsOf(-x)), String(-x)).toBe(nearestF16(-x));
    }
  });
});

describe('BF16 conversion', () => {
  it('rounds to the nearer of the two neighbouring BF16 values, ties to even, NaN stays NaN', () => {
    fc.assert(
      fc.property(fc.float(), (x) => {
        const out = f32ToBf16Bits(new Float32Array([x]), new Uint16Array(1))[0];
        const back = bf16BitsToF32(new Uint16Array([out]), new Float32Array(1))[0];
        if (Number.isNaN(x)) {
          expect(Number.isNaN(back)).toBe(true);
          return;
        }
        const hi = bitsOf(x) >>> 16;
        const lower = bf16BitsToF32(new Uint16Array([hi]), new Float32Array(1))[0];
        const upper = bf16BitsToF32(new Uint16Array([hi + 1]), new Float32Array(1))[0];
        // Distances in float64 are exact for float32 operands.
        const dl = Math.abs(x - lower);
        // Past the largest finite BF16, rounding behaves as if the next value were ±2^128 (→ Inf).
        const du = Math.abs((Number.isFinite(upper) ? upper : Math.sign(upper) * 2 ** 128) - x);
        const expected = dl < du ? hi : du < dl ? hi + 1 : hi % 2 === 0 ? hi : hi + 1;
        expect(out).toBe(expected & 0xffff);
      }),
      { numRuns: 20000 },
    );
  });
});

describe('FP8 decoding', () => {
  it('E4M3 (fn) and E5M2 known values', () => {
    const e4 = f8e4m3BitsToF32(new Uint8Array([0x00, 0x38, 0xfe, 0x01, 0x7f, 0x80]), new Float32Array(6));
    expect(Array.from(e4).slice(0, 4)).toEqual([0, 1, -448, 2 ** -9]);
    expect(Number.isNaN(e4[4])).toBe(true);
    expect(Object.is(e4[5], -0)).toBe(true);
    const e5 = f8e5m2BitsToF32(new Uint8Array([0x3c, 0x3e, 0xfb, 0x7c, 0x01]), new Float32Array(5));
    expect(Array.from(e5)).toEqual([1, 1.5, -57344, Infinity, 2 ** -16]);
  });
});
