/**
 * Turning a tensor's little-endian bytes into a JavaScript typed array. Floats narrower than 32 bits are
 * widened to Float32Array; 64-bit integers become BigInt64Array, or, on request, a range-checked
 * Int32Array or Float64Array (the usual need: token ids and position ids).
 */
import { dtypeByteSize, HOST_IS_LITTLE_ENDIAN, type SafetensorsDtype } from './dtypes.js';
import { bf16BitsToF32, f16BitsToF32, f8e4m3BitsToF32, f8e5m2BitsToF32 } from './half.js';
import { SafetensorsError } from './safetensors-error.js';

/** Every typed array a decoded tensor can be held in. */
export type DecodedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** A tensor read from a file: its stored dtype, its shape, and its values in row-major order. */
export interface DecodedTensor {
  /** The dtype stored in the file (the array type may differ, see {@link DecodeOptions}). */
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly data: DecodedArray;
}

/** How to decode types that have more than one sensible JavaScript representation. */
export interface DecodeOptions {
  /**
   * I64/U64 as `'bigint'` (BigInt64Array/BigUint64Array, lossless; default), `'int32'` (Int32Array,
   * throws if a value is outside the int32 range) or `'float64'` (Float64Array, throws beyond 2^53 − 1).
   */
  readonly int64?: 'bigint' | 'int32' | 'float64';
  /** `'float32'` narrows F64 to Float32Array too, so every float tensor arrives as Float32Array. */
  readonly float?: 'native' | 'float32';
}

/** Number of elements of a shape (1 for a scalar). */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function assertLittleEndianHost(): void {
  if (!HOST_IS_LITTLE_ENDIAN) throw new Error('safetensors: this reader needs a little-endian host');
}

function int64ToInt32(words: Int32Array, count: number, unsigned: boolean, file: string, name: string): Int32Array {
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const lo = words[2 * i];
    const hi = words[2 * i + 1];
    // In range iff the high word is the sign extension of the low word (for U64: both non-negative).
    if (hi !== lo >> 31 || (unsigned && hi !== 0)) {
      const v = unsigned ? new BigUint64Array(words.buffer, words.byteOffset + 8 * i, 1)[0] : new BigInt64Array(words.buffer, words.byteOffset + 8 * i, 1)[0];
      throw new SafetensorsError(file, name, `element ${i} is ${v}, outside the int32 range requested by { int64: 'int32' }`);
    }
    out[i] = lo;
  }
  return out;
}

function int64ToFloat64(words: Int32Array, count: number, unsigned: boolean, file: string, name: string): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const lo = words[2 * i] >>> 0;
    const hi = unsigned ? words[2 * i + 1] >>> 0 : words[2 * i + 1];
    // Both terms are exact; the sum rounds only when |v| ≥ 2^53, which the check rejects.
    const v = hi * 4294967296 + lo;
    if (!Number.isSafeInteger(v)) {
      const exact = unsigned ? new BigUint64Array(words.buffer, words.byteOffset + 8 * i, 1)[0] : new BigInt64Array(words.buffer, words.byteOffset + 8 * i, 1)[0];
      throw new SafetensorsError(file, name, `element ${i} is ${exact}, beyond 2^53 − 1 and so not exact in { int64: 'float64' }`);
    }
    out[i] = v;
  }
  return out;
}

/**
 * Decodes the bytes of one tensor.
 * @param bytes exactly `size(shape) × dtypeByteSize(dtype)` bytes
 * @param owned true when `bytes` is a fresh buffer nobody else holds, so it may be viewed instead of copied
 */
export function decodeTensorBytes(
  bytes: Uint8Array,
  dtype: SafetensorsDtype,
  shape: readonly number[],
  options: DecodeOptions = {},
  owned = false,
  file = '<buffer>',
  name = '',
): DecodedTensor {
  assertLittleEndianHost();
  const size = dtypeByteSize(dtype);
  const count = shapeSize(shape);
  if (bytes.length !== count * size) {
    throw new SafetensorsError(file, name, `got ${bytes.length} bytes; shape [${shape.join(', ')}] of ${dtype} needs ${count * size}`);
  }
  // Typed-array views need offsets aligned to the element size; a private copy always is.
  // (Not `bytes.slice()`: on a Node Buffer that is a view, not a copy.)
  let own = bytes;
  if (!owned || bytes.byteOffset % 8 !== 0) {
    own = new Uint8Array(bytes.length);
    own.set(bytes);
  }
  const buf = own.buffer;
  const off = own.byteOffset;
  const out = (data: DecodedArray): DecodedTensor => ({ dtype, shape: shape.slice(), data });
  switch (dtype) {
    case 'F32':
      return out(new Float32Array(buf, off, count));
    case 'F64': {
      const f64 = new Float64Array(buf, off, count);
      return out(options.float === 'float32' ? Float32Array.from(f64) : f64);
    }
    case 'F16':
      return out(f16BitsToF32(new Uint16Array(buf, off, count), new Float32Array(count)));
    case 'BF16':
      return out(bf16BitsToF32(new Uint16Array(buf, off, count), new Float32Array(count)));
    case 'F8_E4M3':
      return out(f8e4m3BitsToF32(own, new Float32Array(count)));
    case 'F8_E5M2':
      return out(f8e5m2BitsToF32(own, new Float32Array(count)));
    case 'BOOL':
    case 'U8':
      return out(own);
    case 'I8':
      return out(new Int8Array(buf, off, count));
    case 'I16':
      return out(new Int16Array(buf, off, count));
    case 'U16':
      return out(new Uint16Array(buf, off, count));
    case 'I32':
      return out(new Int32Array(buf, off, count));
    case 'U32':
      return out(new Uint32Array(buf, off, count));
    case 'I64':
    case 'U64': {
      const unsigned = dtype === 'U64';
      const mode = options.int64 ?? 'bigint';
      if (mode === 'int32') return out(int64ToInt32(new Int32Array(buf, off, 2 * count), count, unsigned, file, name));
      if (mode === 'float64') return out(int64ToFloat64(new Int32Array(buf, off, 2 * count), count, unsigned, file, name));
      return out(unsigned ? new BigUint64Array(buf, off, count) : new BigInt64Array(buf, off, count));
    }
  }
}
