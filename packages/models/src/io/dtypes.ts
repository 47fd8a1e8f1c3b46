/**
 * The element types of the safetensors format, with their sizes in bytes. The names and sizes are those
 * of the reference implementation (`safetensors` crate `Dtype`); sub-byte types (F4, F6) and complex
 * types are not supported.
 */

/** Every dtype this reader and writer understand, in the reference's order (smallest first). */
export const SAFETENSORS_DTYPES = [
  'BOOL',
  'U8',
  'I8',
  'F8_E5M2',
  'F8_E4M3',
  'I16',
  'U16',
  'F16',
  'BF16',
  'I32',
  'U32',
  'F32',
  'F64',
  'I64',
  'U64',
] as const;

/** A safetensors element type name, e.g. `'F32'`. */
export type SafetensorsDtype = (typeof SAFETENSORS_DTYPES)[number];

const SIZES: Readonly<Record<SafetensorsDtype, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};

/** Type guard; uses an own-property check so names like `constructor` are not mistaken for dtypes. */
export function isSafetensorsDtype(name: unknown): name is SafetensorsDtype {
  return typeof name === 'string' && Object.hasOwn(SIZES, name);
}

/** Size of one element of `dtype` in bytes. */
export function dtypeByteSize(dtype: SafetensorsDtype): number {
  return SIZES[dtype];
}

/** True when the host stores multi-byte numbers little-endian, as the format does. */
export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
