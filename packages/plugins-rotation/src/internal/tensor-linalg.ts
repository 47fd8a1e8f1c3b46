/**
 * The f64 linear algebra this plugin needs from `@symfuse/tensor` (`svd`, `matmul64`), looked up on
 * the package's public surface. TEMPORARY: `@symfuse/tensor`'s index does not export `linalg/` yet
 * (and its `exports` map forbids deep imports); until it does, the small local routines in
 * `jacobi-svd.ts` and `dense.ts` stand in. Once exported, replace the lookup with a plain import.
 */
import * as tensorPkg from '@symfuse/tensor';

/** `@symfuse/tensor`'s `Matrix64`: row-major f64 with explicit dimensions. */
export interface Mat64 {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
}

/** Signature of `@symfuse/tensor`'s `svd` (thin SVD, `A = U diag(S) Vᵀ`). */
export type TensorSvd = (A: Mat64) => { U: Mat64; S: Float64Array; V: Mat64 };
/** Signature of `@symfuse/tensor`'s `matmul64` (`op(A) · op(B)`). */
export type TensorMatmul64 = (A: Mat64, B: Mat64, transA?: boolean, transB?: boolean) => Mat64;

const lib = tensorPkg as unknown as { svd?: TensorSvd; matmul64?: TensorMatmul64 };

/** `@symfuse/tensor`'s `svd` when its index exports it, else undefined. */
export const tensorSvd: TensorSvd | undefined = typeof lib.svd === 'function' ? lib.svd : undefined;
/** `@symfuse/tensor`'s `matmul64` when its index exports it, else undefined. */
export const tensorMatmul64: TensorMatmul64 | undefined = typeof lib.matmul64 === 'function' ? lib.matmul64 : undefined;
