import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type DecodedArray } from '../src/io/decode.js';
import { dtypeByteSize, type SafetensorsDtype } from '../src/io/dtypes.js';
import { f32BitsToF16Bits } from '../src/io/half.js';
import { parseSafetensorsHeader } from '../src/io/header.js';
import { openSafetensors, readSafetensorsBuffer } from '../src/io/reader.js';
import { SafetensorsError } from '../src/io/safetensors-error.js';
import { serializeSafetensors, writeSafetensors, type TensorToWrite } from '../src/io/writer.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'symfuse-st-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Bit-exact equality of two typed arrays (so NaN payloads and -0 count). */
function sameBits(a: ArrayBufferView, b: ArrayBufferView): boolean {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

const shapeArb = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 });
const count = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** A tensor of a random dtype whose values survive a round trip exactly, with the expected decoded array. */
const tensorArb: fc.Arbitrary<{ t: TensorToWrite; expected: DecodedArray }> = shapeArb.chain((shape) => {
  const n = count(shape);
  const len = { minLength: n, maxLength: n };
  const same = (dtype: SafetensorsDtype) => (data: DecodedArray) => ({ t: { dtype, shape, data }, expected: data });
  return fc.oneof(
    fc.float32Array(len).map(same('F32')),
    fc.float64Array(len).map(same('F64')),
    fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), len).map((v) => same('I32')(Int32Array.from(v))),
    fc.array(fc.bigInt(-(1n << 63n), (1n << 63n) - 1n), len).map((v) => same('I64')(BigInt64Array.from(v))),
    fc.array(fc.bigInt(0n, (1n << 64n) - 1n), len).map((v) => same('U64')(BigUint64Array.from(v))),
    fc.array(fc.integer({ min: -128, max: 127 }), len).map((v) => same('I8')(Int8Array.from(v))),
    fc.array(fc.integer({ min: 0, max: 255 }), len).map((v) => same('U8')(Uint8Array.from(v))),
    fc.array(fc.integer({ min: -32768, max: 32767 }), len).map((v) => same('I16')(Int16Array.from(v))),
    fc.array(fc.integer({ min: 0, max: 65535 }), len).map((v) => same('U16')(Uint16Array.from(v))),
    fc.array(fc.integer({ min: 0, max: 2 ** 32 - 1 }), len).map((v) => same('U32')(Uint32Array.from(v))),
    fc.array(fc.boolean(), len).map((v) => ({ t: { dtype: 'BOOL' as const, shape, data: v }, expected: Uint8Array.from(v, Number) })),
    // F16/BF16 from raw bit patterns: the decoded float32 must round back to the same pattern.
    fc.array(fc.integer({ min: 0, max: 65535 }), len).map((v) => {
      const bits = Uint16Array.from(v);
      return { t: { dtype: 'F16' as const, shape, data: bits }, expected: bits };
    }),
    fc.array(fc.integer({ min: 0, max: 65535 }), len).map((v) => {
      const bits = Uint16Array.from(v);
      return { t: { dtype: 'BF16' as const, shape, data: bits }, expected: bits };
    }),
  );
});

const nameArb = fc.string({ unit: 'binary', maxLength: 12 }).filter((s) => s !== '__metadata__');
const fileArb = fc.record({
  names: fc.uniqueArray(nameArb, { maxLength: 6 }),
  tensors: fc.array(tensorArb, { minLength: 6, maxLength: 6 }),
  metadata: fc.option(fc.dictionary(fc.string({ unit: 'binary', maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 8 }), { maxKeys: 4 }), { nil: undefined }),
});

function checkDecoded(dtype: SafetensorsDtype, got: DecodedArray, expected: DecodedArray): void {
  if (dtype === 'F16' || dtype === 'BF16') {
    expect(got).toBeInstanceOf(Float32Array);
    const u32 = new Uint32Array(got.buffer, got.byteOffset, got.length);
    const bits = expected as Uint16Array;
    for (let i = 0; i < bits.length; i++) {
      const nan = (bits[i] & 0x7fff) > (dtype === 'F16' ? 0x7c00 : 0x7f80);
      if (nan) expect(Number.isNaN(got[i] as number)).toBe(true);
      else expect(dtype === 'F16' ? f32BitsToF16Bits(u32[i]) : u32[i] >>> 16).toBe(bits[i]);
    }
    return;
  }
  expect(got.constructor).toBe(expected.constructor);
  expect(sameBits(got, expected)).toBe(true);
}

describe('safetensors round trips', () => {
  it('in memory: names (unicode), 0-d and zero-size shapes, every dtype, metadata', () => {
    fc.assert(
      fc.property(fileArb, ({ names, tensors, metadata }) => {
        const map = new Map(names.map((n, i) => [n, tensors[i].t]));
        const bytes = serializeSafetensors(map, metadata ? { metadata } : {});
        // Reference layout: data starts at a multiple of 8 and each tensor at a multiple of its size.
        const header = parseSafetensorsHeader(bytes);
        expect(header.dataStart % 8).toBe(0);
        for (const info of header.tensors.values()) expect(info.dataOffsets[0] % dtypeByteSize(info.dtype)).toBe(0);
        const r = readSafetensorsBuffer(bytes);
        expect(new Set(r.keys())).toEqual(new Set(names));
        expect(Object.entries(r.metadata).sort()).toEqual(Object.entries(metadata ?? {}).sort());
        names.forEach((name, i) => {
          const { t, expected } = tensors[i];
          expect(r.info(name)).toEqual({ dtype: t.dtype, shape: t.shape, byteLength: count(t.shape) * dtypeByteSize(t.dtype) });
          const got = r.read(name);
          expect(got.dtype).toBe(t.dtype);
          expect(got.shape).toEqual(t.shape);
          checkDecoded(t.dtype, got.data, expected);
        });
      }),
      { numRuns: 150 },
    );
  });

  it('through a file with positioned reads gives the same tensors as the in-memory reader', () => {
    let k = 0;
    fc.assert(
      fc.property(fileArb, ({ names, tensors, metadata }) => {
        const file = path.join(tmp, `rt-${k++}.safetensors`);
        const map = new Map(names.map((n, i) => [n, tensors[i].t]));
        writeSafetensors(file, map, { metadata });
        const bytes = fs.readFileSync(file);
        expect(sameBits(bytes, serializeSafetensors(map, { metadata }))).toBe(true);
        const r = openSafetensors(file);
        try {
          const mem = readSafetensorsBuffer(bytes);
          for (const name of names) expect(sameBits(r.read(name).data, mem.read(name).data)).toBe(true);
          for (const name of names) expect(sameBits(r.readBytes(name), mem.readBytes(name))).toBe(true);
        } finally {
          r.close();
          fs.rmSync(file);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('a Node Buffer at an odd offset decodes correctly (copies instead of misaligned views)', () => {
    const bytes = serializeSafetensors({ w: { dtype: 'F32', shape: [3], data: [1.5, -2, 3] }, d: { dtype: 'F64', shape: [1], data: [Math.PI] } });
    const shifted = Buffer.alloc(bytes.length + 3);
    shifted.set(bytes, 3);
    const r = readSafetensorsBuffer(shifted.subarray(3));
    expect(Array.from(r.read('w').data as Float32Array)).toEqual([1.5, -2, 3]);
    expect(Array.from(r.read('d').data as Float64Array)).toEqual([Math.PI]);
    // The decoded array must not alias the input.
    (r.read('w').data as Float32Array)[0] = 99;
    expect(Array.from(r.read('w').data as Float32Array)).toEqual([1.5, -2, 3]);
  });
});

describe('conversions on write and read', () => {
  it('storeF32As narrows F32 tensors only, rounding to nearest even', () => {
    const data = new Float32Array([1, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 65520, -1e-8, 0.1]);
    const tensors = { w: { dtype: 'F32' as const, shape: [6], data }, ids: { dtype: 'I64' as const, shape: [2], data: [1, 2] } };
    const f16 = readSafetensorsBuffer(serializeSafetensors(tensors, { storeF32As: 'F16' }));
    expect(f16.info('w').dtype).toBe('F16');
    expect(f16.info('ids').dtype).toBe('I64');
    expect(Array.from(f16.read('w').data as Float32Array)).toEqual([1, 1, 1 + 2 ** -9, Infinity, -0, 0.0999755859375]);
    const bf16 = readSafetensorsBuffer(serializeSafetensors(tensors, { storeF32As: 'BF16' }));
    expect(bf16.info('w').dtype).toBe('BF16');
    expect(Array.from(bf16.read('w').data as Float32Array)).toEqual([1, 1, 1, 65536, -1.0011717677116394e-8, 0.10009765625]);
  });

  it('storeF32As treats a Uint16Array given as F32 as values, not bit patterns', () => {
    const r = readSafetensorsBuffer(serializeSafetensors({ w: { dtype: 'F32', shape: [2], data: new Uint16Array([3, 1000]) } }, { storeF32As: 'F16' }));
    expect(Array.from(r.read('w').data as Float32Array)).toEqual([3, 1000]);
  });

  it('I64 reads as BigInt64Array, or checked Int32Array / Float64Array', () => {
    const bytes = serializeSafetensors({
      small: { dtype: 'I64', shape: [3], data: [-(2 ** 31), 2 ** 31 - 1, 5] },
      big: { dtype: 'I64', shape: [2], data: [1, 2 ** 40] },
      huge: { dtype: 'I64', shape: [1], data: new BigInt64Array([1n << 60n]) },
      u: { dtype: 'U64', shape: [1], data: new BigUint64Array([(1n << 64n) - 1n]) },
    });
    const r = readSafetensorsBuffer(bytes);
    expect(r.read('small').data).toEqual(new BigInt64Array([-(2n ** 31n), 2n ** 31n - 1n, 5n]));
    expect(r.read('small', { int64: 'int32' }).data).toEqual(new Int32Array([-(2 ** 31), 2 ** 31 - 1, 5]));
    expect(r.read('big', { int64: 'float64' }).data).toEqual(new Float64Array([1, 2 ** 40]));
    expect(() => r.read('big', { int64: 'int32' })).toThrow(/element 1 is 1099511627776, outside the int32 range/);
    expect(() => r.read('huge', { int64: 'float64' })).toThrow(/element 0 is 1152921504606846976, beyond 2\^53/);
    expect(() => r.read('u', { int64: 'int32' })).toThrow(SafetensorsError);
    expect(() => r.read('u', { int64: 'float64' })).toThrow(/18446744073709551615/);
  });

  it('checked int64 conversions agree with BigInt on random values', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt(-(1n << 63n), (1n << 63n) - 1n), { maxLength: 20 }), (values) => {
        const r = readSafetensorsBuffer(serializeSafetensors({ v: { dtype: 'I64', shape: [values.length], data: BigInt64Array.from(values) } }));
        const fitsI32 = values.every((v) => v >= -(2n ** 31n) && v < 2n ** 31n);
        const fitsF64 = values.every((v) => v > -(2n ** 53n) && v < 2n ** 53n);
        if (fitsI32) expect(Array.from(r.read('v', { int64: 'int32' }).data as Int32Array)).toEqual(values.map(Number));
        else expect(() => r.read('v', { int64: 'int32' })).toThrow(SafetensorsError);
        if (fitsF64) expect(Array.from(r.read('v', { int64: 'float64' }).data as Float64Array)).toEqual(values.map(Number));
        else expect(() => r.read('v', { int64: 'float64' })).toThrow(SafetensorsError);
      }),
    );
  });

  it("float: 'float32' narrows F64", () => {
    const r = readSafetensorsBuffer(serializeSafetensors({ d: { dtype: 'F64', shape: [2], data: [1 / 3, 2] } }));
    const got = r.read('d', { float: 'float32' }).data;
    expect(got).toBeInstanceOf(Float32Array);
    expect(Array.from(got as Float32Array)).toEqual([Math.fround(1 / 3), 2]);
  });
});

describe('writer validation (nothing is written on bad input)', () => {
  const target = () => path.join(tmp, 'validation.safetensors');
  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['unknown dtype', { w: { dtype: 'F128', shape: [1], data: [1] } }, /dtype "F128" is not supported; expected one of BOOL/],
    ['negative dim', { w: { dtype: 'F32', shape: [-1], data: [] } }, /shape\[0\] is -1; expected a non-negative integer/],
    ['fractional dim', { w: { dtype: 'F32', shape: [1.5], data: [1] } }, /shape\[0\] is 1.5/],
    ['length mismatch', { w: { dtype: 'F32', shape: [2, 2], data: [1, 2, 3] } }, /data has 3 elements; shape \[2, 2\] needs 4/],
    ['reserved name', { __metadata__: { dtype: 'F32', shape: [], data: [1] } }, /reserved/],
    ['I8 out of range', { w: { dtype: 'I8', shape: [2], data: [1, 300] } }, /tensor "w": element 1 is 300; I8 needs integers in \[-128, 127\]/],
    ['I32 non-integer', { w: { dtype: 'I32', shape: [1], data: [0.5] } }, /element 0 is 0.5; I32 needs integers/],
    ['I64 unsafe number', { w: { dtype: 'I64', shape: [1], data: [2 ** 60] } }, /element 0 is 1152921504606847000; I64 needs integers/],
    ['U64 negative bigint', { w: { dtype: 'U64', shape: [1], data: new BigInt64Array([-1n]) } }, /element 0 is -1/],
    ['BOOL not 0/1', { w: { dtype: 'BOOL', shape: [1], data: [2] } }, /BOOL needs integers in \[0, 1\]/],
    ['F8 from floats', { w: { dtype: 'F8_E4M3', shape: [1], data: [1] } }, /must be given as a Uint8Array of raw bit patterns/],
  ];
  for (const [what, tensors, message] of bad) {
    it(`rejects ${what} with a SafetensorsError and leaves the target untouched`, () => {
      fs.writeFileSync(target(), 'previous content');
      let err: unknown;
      try {
        writeSafetensors(target(), tensors as Record<string, TensorToWrite>);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SafetensorsError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).toContain(target());
      expect(fs.readFileSync(target(), 'utf8')).toBe('previous content');
      expect(fs.readdirSync(tmp).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    });
  }

  it('rejects non-string metadata values', () => {
    expect(() => serializeSafetensors({}, { metadata: { n: 1 } as unknown as Record<string, string> })).toThrow(/metadata\["n"\] is 1; metadata values must be strings/);
  });

  it('a tensor named __proto__ or constructor is an ordinary name', () => {
    const map = new Map<string, TensorToWrite>([
      ['__proto__', { dtype: 'F32', shape: [1], data: [1] }],
      ['constructor', { dtype: 'F32', shape: [1], data: [2] }],
    ]);
    const r = readSafetensorsBuffer(serializeSafetensors(map, { metadata: JSON.parse('{"__proto__":"x"}') }));
    expect(r.keys().sort()).toEqual(['__proto__', 'constructor']);
    expect(Array.from(r.read('__proto__').data as Float32Array)).toEqual([1]);
    expect(r.metadata.__proto__).toBe('x');
  });
});

describe('lazy reader', () => {
  it('names unknown tensors and refuses reads after close', () => {
    const file = path.join(tmp, 'lazy.safetensors');
    writeSafetensors(file, { a: { dtype: 'F32', shape: [1], data: [1] }, b: { dtype: 'F32', shape: [1], data: [2] } });
    const r = openSafetensors(file);
    expect(() => r.read('c')).toThrow(/tensor "c": no such tensor; the file has 2: "a", "b"/);
    r.close();
    r.close();
    expect(() => r.read('a')).toThrow(/reader is closed/);
  });

  it('reads one tensor of a 4.3 GB (sparse) file without reading the rest', () => {
    const file = path.join(tmp, 'huge.safetensors');
    const hugeBytes = 2 ** 32 + 8; // more than readFileSync could ever load into one buffer
    const json = JSON.stringify({ small: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, huge: { dtype: 'U8', shape: [hugeBytes], data_offsets: [8, 8 + hugeBytes] } });
    const header = Buffer.alloc(8 + Math.ceil(json.length / 8) * 8, 0x20);
    header.writeBigUInt64LE(BigInt(header.length - 8));
    header.write(json, 8);
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, header);
    fs.writeSync(fd, new Uint8Array(new Float32Array([0.25, -4]).buffer));
    fs.ftruncateSync(fd, header.length + 8 + hugeBytes); // sparse: no disk blocks
    fs.closeSync(fd);
    const r = openSafetensors(file);
    try {
      expect(r.info('huge')).toEqual({ dtype: 'U8', shape: [hugeBytes], byteLength: hugeBytes });
      expect(Array.from(r.read('small').data as Float32Array)).toEqual([0.25, -4]);
    } finally {
      r.close();
      fs.rmSync(file);
    }
  });

  it('reports a file truncated after opening', () => {
    const file = path.join(tmp, 'trunc.safetensors');
    writeSafetensors(file, { a: { dtype: 'F32', shape: [4], data: [1, 2, 3, 4] } });
    const r = openSafetensors(file);
    fs.truncateSync(file, fs.statSync(file).size - 4);
    expect(() => r.read('a')).toThrow(/file ended after .* bytes; 4 more expected/);
    r.close();
  });

  it('writes atomically: an existing file is replaced whole and no temporary file remains', () => {
    const file = path.join(tmp, 'atomic.safetensors');
    writeSafetensors(file, { a: { dtype: 'F32', shape: [1], data: [1] } });
    writeSafetensors(file, { b: { dtype: 'F64', shape: [2], data: [1, 2] } });
    expect(readSafetensorsBuffer(fs.readFileSync(file)).keys()).toEqual(['b']);
    expect(fs.readdirSync(tmp).filter((f) => f.includes('atomic') && f !== 'atomic.safetensors')).toEqual([]);
  });
});
