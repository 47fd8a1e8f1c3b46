/**
 * Argument checks of `gemmF32` / `gemmF64`: sizes, leading dimensions and offsets are validated so that
 * every element the product touches lies inside its array. A bad call throws before C is written.
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

/** Throws unless the call `gemm*(transA, transB, m, n, k, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc)` is well formed. */
export function validateGemm(
  op: string,
  ctor: typeof Float32Array | typeof Float64Array,
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  A: FloatArray,
  aOff: number,
  lda: number,
  B: FloatArray,
  bOff: number,
  ldb: number,
  beta: number,
  C: FloatArray,
  cOff: number,
  ldc: number,
): void {
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
}
