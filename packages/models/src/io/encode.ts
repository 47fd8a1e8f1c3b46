/**
 * Turning the values of a tensor into the little-endian bytes of a safetensors dtype. Values are
 * converted when the array type differs from the dtype: floats are rounded (F16/BF16 ties to even),
 * integers are range-checked, so nothing is silently wrapped or truncated.
 */
import { HOST_IS_LITTLE_ENDIAN, type SafetensorsDtype } from './dtypes.js';
import { f32ToBf16Bits, f32ToF16Bits } from './half.js';
import { SafetensorsError } from './safetensors-error.js';

/**
 * Values accepted by the writer. For F16 and BF16 a Uint16Array is taken as raw bit patterns, and for
 * F8 types a Uint8Array is; every other combination converts values.
 */
export type TensorValues =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | readonly number[]
  | readonly boolean[];

type IntRange = readonly [number, number];
const INT_RANGES: Partial<Record<SafetensorsDtype, IntRange>> = {
  BOOL: [0, 1],
  U8: [0, 255],
  I8: [-128, 127],
  I16: [-32768, 32767],
  U16: [0, 65535],
  I32: [-2147483648, 2147483647],
  U32: [0, 4294967295],
  I64: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  U64: [0, Number.MAX_SAFE_INTEGER],
};

const NATIVE: Partial<Record<SafetensorsDtype, new (n: number) => Exclude<TensorValues, readonly unknown[]>>> = {
  F32: Float32Array,
  F64: Float64Array,
  I8: Int8Array,
  U8: Uint8Array,
  BOOL: Uint8Array,
  I16: Int16Array,
  U16: Uint16Array,
  I32: Int32Array,
  U32: Uint32Array,
  I64: BigInt64Array,
  U64: BigUint64Array,
};

const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function toFloat32(values: TensorValues): Float32Array {
  if (values instanceof Float32Array) return values;
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Number(values[i]);
  return out;
}

/**
 * Encodes `values` as `dtype` bytes. Same-type typed arrays are returned as a byte view (no copy).
 * @throws SafetensorsError naming the tensor and the offending element
 */
export function encodeTensorValues(values: TensorValues, dtype: SafetensorsDtype, file: string, name: string): Uint8Array {
  if (!HOST_IS_LITTLE_ENDIAN) throw new Error('safetensors: this writer needs a little-endian host');
  const count = values.length;
  const fail = (i: number, v: unknown, expected: string): never => {
    throw new SafetensorsError(file, name, `element ${i} is ${String(v)}; ${dtype} needs ${expected}`);
  };
  switch (dtype) {
    case 'F16':
    case 'BF16': {
      if (values instanceof Uint16Array) return bytesOf(values);
      const bits = new Uint16Array(count);
      const f32 = toFloat32(values);
      return bytesOf(dtype === 'F16' ? f32ToF16Bits(f32, bits) : f32ToBf16Bits(f32, bits));
    }
    case 'F8_E4M3':
    case 'F8_E5M2':
      if (values instanceof Uint8Array) return bytesOf(values);
      throw new SafetensorsError(file, name, `${dtype} data must be given as a Uint8Array of raw bit patterns, got ${values.constructor.name}`);
    case 'F32':
    case 'F64': {
      const Ctor = NATIVE[dtype]!;
      if (values instanceof Ctor) return bytesOf(values);
      const out = dtype === 'F32' ? new Float32Array(count) : new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = Number(values[i]);
      return bytesOf(out);
    }
    default: {
      const Ctor = NATIVE[dtype]!;
      if (values instanceof Ctor && dtype !== 'BOOL') return bytesOf(values);
      const [lo, hi] = INT_RANGES[dtype]!;
      const expected = `integers in [${lo}, ${hi}]`;
      if (dtype === 'I64' || dtype === 'U64') {
        // Write the two 32-bit words directly: no per-element BigInt allocation for number input.
        const words = new Int32Array(2 * count);
        for (let i = 0; i < count; i++) {
          const raw = values[i];
          if (typeof raw === 'bigint') {
            if (dtype === 'U64' ? raw < 0n || raw > 0xffffffffffffffffn : raw < -(1n << 63n) || raw >= 1n << 63n) fail(i, raw, `a ${dtype} value`);
            words[2 * i] = Number(BigInt.asIntN(32, raw));
            words[2 * i + 1] = Number(BigInt.asIntN(32, raw >> 32n));
            continue;
          }
          const v = Number(raw);
          if (!Number.isInteger(v) || v < lo || v > hi) fail(i, raw, expected);
          const high = Math.floor(v / 4294967296);
          words[2 * i] = v - high * 4294967296;
          words[2 * i + 1] = high;
        }
        return bytesOf(words);
      }
      const out = new Ctor(count) as Exclude<TensorValues, readonly unknown[] | BigInt64Array | BigUint64Array>;
      for (let i = 0; i < count; i++) {
        const raw = values[i];
        const v = Number(raw);
        if (!Number.isInteger(v) || v < lo || v > hi) fail(i, raw, expected);
        out[i] = v;
      }
      return bytesOf(out);
    }
  }
}
