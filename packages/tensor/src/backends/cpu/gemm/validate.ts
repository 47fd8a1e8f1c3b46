/**
 * The argument list of `gemmF32` / `gemmF64` ({@link GemmOperands}, positional as in BLAS) and its
 * checks, which turn it into the named {@link GemmCall} the rest of the GEMM passes around: sizes,
 * leading dimensions and offsets are validated so that every element the product touches lies inside
 * its array. A bad call throws before C is written.
 */
import { DTypeError, ShapeError, ValueError } from '../../../errors.js';
import type { FloatArray } from './pack.js';

function checkCount(op: string, what: string, v: number): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new ValueError(op, `${what} must be a non-negative integer, got ${v}`);
}

/**
 * Checks one stored matrix: `rows × cols` read or written at `off + r*ld + c`. `ld ≥ max(1, cols)` as in
 * BLAS (any `ld ≥ 0` for an empty matrix), and the last touched element must be inside `arr`.
 */
function checkMatrix(op: string, label: string, arr: FloatArray, off: number, ld: number, rows: number, cols: number, transposed: boolean): void {
  const how = transposed ? ', read transposed' : '';
  checkCount(op, `${label} offset`, off);
  const empty = rows === 0 || cols === 0;
  if (!Number.isSafeInteger(ld) || ld < (empty ? 0 : Math.max(1, cols))) {
    throw new ShapeError(op, `leading dimension of ${label} must be an integer ≥ max(1, ${cols}) (the stored ${label} is [${rows}, ${cols}]${how}), got ${ld}`);
  }
  if (empty) return;
  const last = off + (rows - 1) * ld + cols - 1;
  if (last >= arr.length) {
    throw new ShapeError(op, `${label}: stored [${rows}, ${cols}]${how} at offset ${off} with leading dimension ${ld} reaches element ${last}, but ${label} has length ${arr.length}`);
  }
}

/**
 * The positional operands of `gemmF32` / `gemmF64` over operand type `T`, in BLAS order: op(A) is
 * `[m, k]`, op(B) `[k, n]`, C `[m, n]`, each stored row-major at its offset with its leading dimension.
 */
export type GemmOperands<T extends FloatArray> = [
  transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number,
  A: T, aOffset: number, lda: number, B: T, bOffset: number, ldb: number, beta: number, C: T, cOffset: number, ldc: number,
];

/** A validated product `C = alpha·op(A)·op(B) + beta·C`: the {@link GemmOperands} by name. */
export interface GemmCall {
  readonly transA: boolean;
  readonly transB: boolean;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly alpha: number;
  readonly A: FloatArray;
  readonly aOff: number;
  readonly lda: number;
  readonly B: FloatArray;
  readonly bOff: number;
  readonly ldb: number;
  readonly beta: number;
  readonly C: FloatArray;
  readonly cOff: number;
  readonly ldc: number;
}

/**
 * The leading {@link GemmOperands} of `args` (anything after them is ignored) as a {@link GemmCall};
 * throws, naming `op`, unless they are well formed.
 */
export function validateGemm(op: string, ctor: typeof Float32Array | typeof Float64Array, args: readonly [...operands: GemmOperands<FloatArray>, ...rest: unknown[]]): GemmCall {
  const [transA, transB, m, n, k, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc] = args;
  for (const [label, arr] of [['A', A], ['B', B], ['C', C]] as const) {
    if (!(arr instanceof ctor)) {
      const seen = (arr as object | null)?.constructor?.name ?? String(arr);
      throw new DTypeError(op, `${label} must be a ${ctor.name}, got ${seen}`);
    }
  }
  checkCount(op, 'm', m);
  checkCount(op, 'n', n);
  checkCount(op, 'k', k);
  if (typeof alpha !== 'number' || typeof beta !== 'number') throw new ValueError(op, `alpha and beta must be numbers, got ${alpha} and ${beta}`);
  checkMatrix(op, 'A', A, aOff, lda, transA ? k : m, transA ? m : k, transA);
  checkMatrix(op, 'B', B, bOff, ldb, transB ? n : k, transB ? k : n, transB);
  checkMatrix(op, 'C', C, cOff, ldc, m, n, false);
  return { transA, transB, m, n, k, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc };
}
