/**
 * Writes sample files with symfuse's safetensors writer plus `expected.json` describing what a reader
 * must find in them, for `safetensors_reference.py verify DIR` to check with the reference reader.
 *
 *   node --import tsx packages/models/scripts/write-safetensors-samples.ts /tmp/symfuse-st
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeSafetensors, type TensorToWrite } from '../src/io/writer.js';
import type { SafetensorsDtype } from '../src/io/dtypes.js';
import { bf16BitsToF32, f16BitsToF32 } from '../src/io/half.js';

const out = process.argv[2];
if (!out) {
  console.error('usage: write-safetensors-samples.ts OUT_DIR');
  process.exit(2);
}
fs.mkdirSync(out, { recursive: true });

/** Small deterministic generator (mulberry32) so the samples are reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Expected = { dtype: SafetensorsDtype; shape: number[]; values: (number | string)[]; rounded_from?: 'F32' };
const files: Record<string, { metadata?: Record<string, string>; byte_exact?: boolean; tensors: Record<string, Expected> }> = {};

const jsonValue = (v: number | bigint | boolean): number | string =>
  typeof v === 'bigint' ? v.toString() : typeof v === 'boolean' ? Number(v) : Number.isNaN(v) ? 'nan' : v === Infinity ? 'inf' : v === -Infinity ? '-inf' : v;

/** What a reader must decode: raw F16/BF16 bit patterns decoded, 64-bit integers as decimal strings. */
function valuesOf(t: TensorToWrite): (number | string)[] {
  if (t.data instanceof Uint16Array && (t.dtype === 'F16' || t.dtype === 'BF16')) {
    const f = new Float32Array(t.data.length);
    return Array.from(t.dtype === 'F16' ? f16BitsToF32(t.data, f) : bf16BitsToF32(t.data, f), jsonValue);
  }
  if (t.dtype === 'I64' || t.dtype === 'U64') return Array.from(t.data as ArrayLike<number | bigint>, (v) => BigInt(v).toString());
  return Array.from(t.data as ArrayLike<number | bigint | boolean>, jsonValue);
}

function sample(
  name: string,
  tensors: Record<string, TensorToWrite>,
  options: { metadata?: Record<string, string>; storeF32As?: 'F16' | 'BF16'; byteExact?: boolean } = {},
): void {
  writeSafetensors(path.join(out, name), tensors, options);
  const expected: Record<string, Expected> = {};
  for (const [k, t] of Object.entries(tensors)) {
    const narrowed = t.dtype === 'F32' && options.storeF32As !== undefined;
    expected[k] = {
      dtype: narrowed ? options.storeF32As! : t.dtype,
      shape: [...t.shape],
      values: valuesOf(t),
      ...(narrowed || ((t.dtype === 'F16' || t.dtype === 'BF16') && !(t.data instanceof Uint16Array)) ? { rounded_from: 'F32' as const } : {}),
    };
  }
  files[name] = { ...(options.metadata ? { metadata: options.metadata } : {}), ...(options.byteExact ? { byte_exact: true } : {}), tensors: expected };
}

const r = rng(7);
const normal = (n: number): Float32Array => Float32Array.from({ length: n }, () => (r() - 0.5) * 8);
const f32Specials = new Float32Array([0, -0, 1, -1, 65504, 65520, 1e-8, 6.0e-8, 2 ** -25, 3 * 2 ** -26, 1e30, -1e-40, Infinity, -Infinity, NaN, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 1 + 2 ** -8, 1 + 3 * 2 ** -8]);

sample('all-dtypes.safetensors', {
  'f32.w': { dtype: 'F32', shape: [3, 5], data: normal(15) },
  'f64.w': { dtype: 'F64', shape: [2, 2], data: new Float64Array([1 / 3, -1e300, 5e-324, Math.PI]) },
  'f16.from-f32': { dtype: 'F16', shape: [f32Specials.length], data: f32Specials },
  'bf16.from-f32': { dtype: 'BF16', shape: [f32Specials.length], data: f32Specials },
  'i64.ids': { dtype: 'I64', shape: [5], data: new BigInt64Array([0n, -1n, 1n << 40n, -(1n << 62n), (1n << 63n) - 1n]) },
  'i64.from-numbers': { dtype: 'I64', shape: [3], data: [-(2 ** 53) + 1, 2 ** 53 - 1, -7] },
  'u64.v': { dtype: 'U64', shape: [2], data: new BigUint64Array([0n, (1n << 64n) - 1n]) },
  'i32.v': { dtype: 'I32', shape: [1, 3], data: new Int32Array([-(2 ** 31), 2 ** 31 - 1, 0]) },
  'u32.v': { dtype: 'U32', shape: [2], data: [0, 2 ** 32 - 1] },
  'i16.v': { dtype: 'I16', shape: [2], data: [-32768, 32767] },
  'u16.v': { dtype: 'U16', shape: [2], data: new Uint16Array([0, 65535]) },
  'i8.v': { dtype: 'I8', shape: [3], data: [-128, 127, 0] },
  'u8.v': { dtype: 'U8', shape: [3], data: new Uint8Array([0, 255, 7]) },
  'bool.mask': { dtype: 'BOOL', shape: [2, 2], data: [true, false, false, true] },
  scalar: { dtype: 'F32', shape: [], data: [3.5] },
  empty: { dtype: 'F32', shape: [0, 3], data: [] },
  'ünïcödé/层.weight ✓': { dtype: 'F32', shape: [2], data: [1, 2] },
}, { metadata: { format: 'pt', 'ключ': 'значение ✓', empty: '' } });

sample('stored-as-f16.safetensors', {
  'dense.weight': { dtype: 'F32', shape: [8, 16], data: normal(128) },
  'dense.bias': { dtype: 'F32', shape: [8], data: f32Specials.subarray(0, 8) },
  ids: { dtype: 'I64', shape: [4], data: [1, 2, 3, 4] },
}, { storeF32As: 'F16' });

sample('stored-as-bf16.safetensors', {
  'dense.weight': { dtype: 'F32', shape: [8, 16], data: normal(128) },
  specials: { dtype: 'F32', shape: [f32Specials.length], data: f32Specials },
}, { storeF32As: 'BF16' });

sample('byte-exact.safetensors', {
  'b.weight': { dtype: 'F32', shape: [2, 3], data: normal(6) },
  'a.ids': { dtype: 'I64', shape: [3], data: [1, 2, 3] },
  'c.half': { dtype: 'F16', shape: [3], data: new Uint16Array([0x3800, 0xbc00, 0x4000]) },
  'd.mask': { dtype: 'U8', shape: [3], data: [1, 0, 1] },
  'e.scalar': { dtype: 'I32', shape: [], data: [42] },
}, { metadata: { source: 'symfuse' }, byteExact: true });

sample('no-tensors.safetensors', {}, { byteExact: true });

// Random shapes and dtypes, including zero-size dims.
const dtypes: SafetensorsDtype[] = ['F32', 'F64', 'I32', 'I64', 'I16', 'U8', 'I8', 'U16'];
for (let f = 0; f < 5; f++) {
  const tensors: Record<string, TensorToWrite> = {};
  const nt = 1 + Math.floor(r() * 6);
  for (let t = 0; t < nt; t++) {
    const rank = Math.floor(r() * 4);
    const shape = Array.from({ length: rank }, () => Math.floor(r() * 5));
    const n = shape.reduce((a, b) => a * b, 1);
    const dtype = dtypes[Math.floor(r() * dtypes.length)];
    const data = dtype.startsWith('F') ? normal(n) : Array.from({ length: n }, () => Math.floor(r() * 100) - (dtype.startsWith('U') ? 0 : 50));
    tensors[`layer.${t}.${dtype.toLowerCase()}`] = { dtype, shape, data };
  }
  sample(`random-${f}.safetensors`, tensors, { byteExact: true });
}

fs.writeFileSync(path.join(out, 'expected.json'), `${JSON.stringify({ files }, null, 1)}\n`);
console.log(`wrote ${Object.keys(files).length} files to ${out}`);
