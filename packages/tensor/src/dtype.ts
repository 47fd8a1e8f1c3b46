/** Element types a {@link Tensor} can hold. */
export type DType = 'f32' | 'f64' | 'i32';

/** The typed array that backs each dtype on the host. */
export interface DTypeArrayMap {
  f32: Float32Array;
  f64: Float64Array;
  i32: Int32Array;
}

/** Any host array a tensor of some dtype can be read into. */
export type TypedArray = Float32Array | Float64Array | Int32Array;

/** Bytes per element of each dtype. */
export const BYTES_PER_ELEMENT: Readonly<Record<DType, number>> = { f32: 4, f64: 8, i32: 4 };

/** All supported dtypes, for error messages and schema checks. */
export const DTYPES: readonly DType[] = ['f32', 'f64', 'i32'];

/** Allocates a zero-filled host array of `size` elements of `dtype`. */
export function allocHost<D extends DType>(dtype: D, size: number): DTypeArrayMap[D] {
  switch (dtype) {
    case 'f32':
      return new Float32Array(size) as DTypeArrayMap[D];
    case 'f64':
      return new Float64Array(size) as DTypeArrayMap[D];
    case 'i32':
      return new Int32Array(size) as DTypeArrayMap[D];
    default:
      throw new TypeError(`unknown dtype '${String(dtype)}'; expected one of ${DTYPES.join(', ')}`);
  }
}

/** The dtype that a host typed array naturally has. */
export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Float64Array) return 'f64';
  if (a instanceof Int32Array) return 'i32';
  throw new TypeError(`unsupported array type ${(a as object).constructor?.name}; expected Float32Array, Float64Array or Int32Array`);
}

/** True for floating-point dtypes. */
export function isFloat(dtype: DType): boolean {
  return dtype === 'f32' || dtype === 'f64';
}
