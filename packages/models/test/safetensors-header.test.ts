import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_HEADER_BYTES, parseSafetensorsHeader } from '../src/io/header.js';
import { readSafetensorsBuffer } from '../src/io/reader.js';
import { SafetensorsError } from '../src/io/safetensors-error.js';
import { serializeSafetensors } from '../src/io/writer.js';

/** Builds a file from raw header text (or bytes) and a data buffer, padding the header with spaces. */
function file(header: string | Uint8Array, dataLength = 0, declaredLength?: number): Uint8Array {
  const json = typeof header === 'string' ? new TextEncoder().encode(header) : header;
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + dataLength).fill(0x20, 8, 8 + padded);
  new DataView(out.buffer).setBigUint64(0, BigInt(declaredLength ?? padded), true);
  out.set(json, 8);
  return out;
}

const entry = (dtype: string, shape: unknown[], begin: unknown, end: unknown) => ({ dtype, shape, data_offsets: [begin, end] });

/** Parses and returns the error message, failing if parsing succeeds or throws something else. */
function errorOf(bytes: Uint8Array): string {
  try {
    parseSafetensorsHeader(bytes, { file: 'test.safetensors' });
  } catch (e) {
    expect(e).toBeInstanceOf(SafetensorsError);
    expect((e as Error).message).toContain('test.safetensors');
    return (e as Error).message;
  }
  throw new Error('expected a SafetensorsError');
}

describe('safetensors header validation', () => {
  it('accepts an empty file ({} and no data) and null metadata', () => {
    expect(parseSafetensorsHeader(file('{}')).tensors.size).toBe(0);
    expect(parseSafetensorsHeader(file('{"__metadata__":null}')).metadata).toEqual({});
  });

  it('rejects a file shorter than the length prefix', () => {
    expect(errorOf(new Uint8Array(5))).toMatch(/file is 5 bytes; at least 8/);
  });

  it('rejects a header length over 100 MB, naming it', () => {
    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(MAX_HEADER_BYTES + 1), true);
    expect(errorOf(bytes)).toMatch(/header length 100000001 exceeds the 100000000-byte limit/);
    new DataView(bytes.buffer).setBigUint64(0, 0xffffffffffffffffn, true);
    expect(errorOf(bytes)).toMatch(/header length 18446744073709551615 exceeds/);
  });

  it('rejects a header length past the end of the file', () => {
    expect(errorOf(file('{}', 0, 64))).toMatch(/header length 64 runs past the end of the 16-byte file/);
  });

  it('rejects invalid UTF-8', () => {
    expect(errorOf(file(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])))).toMatch(/not valid UTF-8/);
    // An overlong encoding of "/" is invalid UTF-8 too, even though lenient decoders accept it.
    expect(errorOf(file(new Uint8Array([0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x3a, 0x31, 0x7d])))).toMatch(/not valid UTF-8/);
  });

  it('rejects invalid JSON, a BOM, and non-object headers', () => {
    expect(errorOf(file('{not json}'))).toMatch(/header is not valid JSON/);
    expect(errorOf(file('\uFEFF{}'))).toMatch(/header starts with "\uFEFF\{\}/);
    expect(errorOf(file('["a"]'))).toMatch(/header starts with "\[\\"a\\"\]/);
    expect(errorOf(file('{"a":1} x'))).toMatch(/not valid JSON/);
  });

  it('rejects duplicate tensor names, which JSON.parse would silently merge', () => {
    const h = `{"w":${JSON.stringify(entry('F32', [1], 0, 4))},"w":${JSON.stringify(entry('F32', [1], 4, 8))}}`;
    expect(errorOf(file(h, 8))).toMatch(/tensor "w": tensor name appears twice/);
    // Escaped spellings of the same name are the same name.
    const escaped = `{"w":${JSON.stringify(entry('F32', [1], 0, 4))},"\\u0077":${JSON.stringify(entry('F32', [1], 4, 8))}}`;
    expect(errorOf(file(escaped, 8))).toMatch(/tensor "w": tensor name appears twice/);
    expect(errorOf(file('{"w":{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 4))).toMatch(/tensor "w": key "dtype" appears twice in the entry/);
    expect(errorOf(file('{"__metadata__":{"k":"a","k":"b"}}'))).toMatch(/key "k" appears twice in __metadata__/);
  });

  it('rejects integers beyond 2^53 in the raw text, before JSON.parse rounds them', () => {
    // 2^53 + 1 would parse to 2^53, silently; it must be caught in the text.
    const h = '{"w":{"dtype":"U8","shape":[9007199254740993],"data_offsets":[0,9007199254740993]}}';
    expect(errorOf(file(h))).toMatch(/tensor "w": integer 9007199254740993 in shape exceeds 2\^53 − 1 = 9007199254740991/);
    const offs = '{"w":{"dtype":"U8","shape":[1],"data_offsets":[18446744073709551615,18446744073709551616]}}';
    expect(errorOf(file(offs, 1))).toMatch(/integer 18446744073709551615 in data_offsets exceeds/);
    expect(errorOf(file('{"w":{"dtype":"U8","shape":[1e300],"data_offsets":[0,1]}}', 1))).toMatch(/number 1e300 in shape is not a plain integer/);
  });

  it('rejects negative and non-integer dims, naming the tensor and the value', () => {
    expect(errorOf(file(JSON.stringify({ w: entry('F32', [2, -1], 0, 4) }), 4))).toMatch(/tensor "w": shape\[1\] is -1; expected a non-negative integer/);
    expect(errorOf(file('{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}', 4))).toMatch(/tensor "w": number 1.5 in shape is not a plain integer/);
    expect(errorOf(file('{"w":{"dtype":"F32","shape":[1.0],"data_offsets":[0,4]}}', 4))).toMatch(/number 1.0 in shape/);
    expect(errorOf(file(JSON.stringify({ w: entry('F32', ['1'], 0, 4) }), 4))).toMatch(/shape\[0\] is "1"/);
    expect(errorOf(file(JSON.stringify({ w: { dtype: 'F32', shape: 4, data_offsets: [0, 4] } }), 4))).toMatch(/shape is 4; expected an array/);
    expect(errorOf(file(JSON.stringify({ w: { dtype: 'F32', shape: [1] } }), 4))).toMatch(/data_offsets is missing; expected \[begin, end\]/);
    expect(errorOf(file(JSON.stringify({ w: 5 }), 0))).toMatch(/tensor "w": entry is 5; expected an object/);
  });

  it('rejects an unknown dtype, naming it and the supported ones', () => {
    expect(errorOf(file(JSON.stringify({ w: entry('Q7', [1], 0, 4) }), 4))).toMatch(/tensor "w": dtype "Q7" is not supported; expected one of BOOL, U8, I8, .*F32, F64, I64, U64/);
    expect(errorOf(file(JSON.stringify({ w: entry('constructor', [1], 0, 4) }), 4))).toMatch(/dtype "constructor" is not supported/);
  });

  it('rejects non-string metadata values and non-object metadata', () => {
    expect(errorOf(file('{"__metadata__":{"k":1}}'))).toMatch(/__metadata__\["k"\] is 1; metadata values must be strings/);
    expect(errorOf(file('{"__metadata__":{"k":null}}'))).toMatch(/__metadata__\["k"\] is null/);
    expect(errorOf(file('{"__metadata__":["a"]}'))).toMatch(/__metadata__ is \["a"\]; expected an object of strings/);
  });

  it('requires shape × dtype size to equal the byte range', () => {
    expect(errorOf(file(JSON.stringify({ w: entry('F32', [3], 0, 8) }), 8))).toMatch(
      /tensor "w": shape \[3\] × F32 \(4 B\) needs 12 bytes but data_offsets \[0, 8\] span 8/,
    );
    // A hostile shape whose product overflows must not wrap into a match; a zero dim makes it empty.
    expect(parseSafetensorsHeader(file(JSON.stringify({ w: entry('U8', [2 ** 26, 0], 0, 0) }))).tensors.get('w')!.shape).toEqual([2 ** 26, 0]);
    expect(errorOf(file(JSON.stringify({ w: entry('U8', [2 ** 26, 2 ** 26, 2 ** 26], 0, 8) }), 8))).toMatch(/span 8/);
  });

  it('requires data_offsets to tile the data buffer exactly', () => {
    const e = (b: number, en: number, n = (en - b) / 4) => entry('F32', [n], b, en);
    expect(errorOf(file(JSON.stringify({ w: e(4, 8) }), 8))).toMatch(/tensor "w": data_offsets begin 4 leaves a gap after the start of the data buffer; expected 0/);
    expect(errorOf(file(JSON.stringify({ a: e(0, 8), b: e(4, 8) }), 8))).toMatch(/tensor "b": data_offsets begin 4 overlaps after tensor "a", which ends at 8; expected 8/);
    expect(errorOf(file(JSON.stringify({ a: e(0, 4), b: e(8, 12) }), 12))).toMatch(/tensor "b": data_offsets begin 8 leaves a gap after tensor "a"/);
    expect(errorOf(file(JSON.stringify({ w: e(0, 4) }), 8))).toMatch(/tensors cover 4 bytes but the data buffer has 8; trailing bytes are not allowed/);
    expect(errorOf(file(JSON.stringify({ w: e(0, 8) }), 4))).toMatch(/data_offsets end 8 is beyond the 4-byte data buffer/);
    expect(errorOf(file(JSON.stringify({ w: entry('F32', [0], 4, 0) }), 4))).toMatch(/has end < begin/);
    // Out-of-order entries that tile are fine; so are zero-size tensors anywhere.
    const ok = parseSafetensorsHeader(file(JSON.stringify({ b: e(4, 8), z: e(4, 4), a: e(0, 4) }), 8));
    expect([...ok.tensors.keys()]).toEqual(['a', 'z', 'b']);
  });
});

describe('fuzzing: garbage is always a SafetensorsError, never another exception or a hang', () => {
  const onlySafetensorsErrors = (bytes: Uint8Array): void => {
    try {
      const r = readSafetensorsBuffer(bytes);
      // When a mutated file is still valid, every tensor must decode.
      for (const k of r.keys()) r.read(k, { int64: 'bigint' });
    } catch (e) {
      if (!(e instanceof SafetensorsError)) throw e;
    }
  };

  const valid = serializeSafetensors(
    {
      'a.weight': { dtype: 'F32', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] },
      'b.ids': { dtype: 'I64', shape: [2], data: [1, 2] },
      'c.half': { dtype: 'BF16', shape: [3], data: [1, 2, 3] },
      scalar: { dtype: 'U8', shape: [], data: [7] },
    },
    { metadata: { format: 'pt' } },
  );

  it('random byte strings', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), onlySafetensorsErrors), { numRuns: 500 });
  });

  it('random bytes after a plausible length prefix', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: 260 }), (body, n) => {
        const bytes = new Uint8Array(8 + body.length);
        new DataView(bytes.buffer).setBigUint64(0, BigInt(n), true);
        bytes.set(body, 8);
        onlySafetensorsErrors(bytes);
      }),
      { numRuns: 500 },
    );
  });

  it('byte mutations, truncations and extensions of a valid file', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.integer({ min: -40, max: 40 }),
        (edits, resize) => {
          const bytes = new Uint8Array(Math.max(0, valid.length + resize));
          bytes.set(valid.subarray(0, Math.min(valid.length, bytes.length)));
          for (const [i, v] of edits) if (i < bytes.length) bytes[i] = v;
          onlySafetensorsErrors(bytes);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('random JSON headers with random entries, offsets and dtypes', () => {
    const dim = fc.oneof(fc.integer({ min: -3, max: 6 }), fc.double(), fc.constant(2 ** 60), fc.string({ maxLength: 2 }), fc.constant(null));
    const entryArb = fc.oneof(
      fc.record({
        dtype: fc.oneof(fc.constantFrom('F32', 'F16', 'BF16', 'F64', 'I64', 'I32', 'U8', 'BOOL', 'F8_E4M3', 'U64'), fc.string({ maxLength: 4 })),
        shape: fc.oneof(fc.array(dim, { maxLength: 3 }), fc.jsonValue()),
        data_offsets: fc.oneof(fc.tuple(fc.integer({ min: -2, max: 40 }), fc.integer({ min: -2, max: 40 })), fc.array(dim, { maxLength: 3 }), fc.jsonValue()),
      }),
      fc.jsonValue(),
    );
    const headerArb = fc.dictionary(fc.oneof(fc.string({ maxLength: 4 }), fc.constant('__metadata__')), entryArb, { maxKeys: 4 });
    fc.assert(
      fc.property(headerArb, fc.integer({ min: 0, max: 48 }), (header, dataLength) => {
        onlySafetensorsErrors(file(JSON.stringify(header), dataLength));
      }),
      { numRuns: 1000 },
    );
  });

  it('deeply nested JSON does not overflow the stack', () => {
    const deep = `{"w":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    expect(errorOf(file(deep))).toMatch(/tensor "w"/);
  });
});
