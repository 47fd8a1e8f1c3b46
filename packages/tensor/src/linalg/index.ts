/**
 * Dense double-precision linear algebra on row-major `Float64Array`s ({@link Matrix64}): SVD (single and
 * batched), symmetric eigendecomposition, Cholesky and SPD solves with an automatic ridge, LU solve, QR,
 * and orthogonal Procrustes. Everything here is CPU f64; see DESIGN.md "Tensor runtime".
 *
 * How to add a routine: one file per job, validate with `checkInput`/`assertSquare` (errors name the op,
 * the shapes seen and what was expected), never write to inputs, route GEMM-shaped work through
 * `gemmAcc`, add a `linalg-*.test.ts` with a fast-check property and a numpy fixture case.
 */
export { type Matrix64, matrix64, fromRows, toRows, identity64, transpose64, clone64 } from './matrix.js';
export { NotPositiveDefiniteError, SingularMatrixError, ConvergenceError } from './errors.js';
export { svd, svdBatch, type SvdResult } from './svd.js';
export { eigh, type EighResult } from './eigh.js';
export {
  cholesky,
  choleskySolve,
  solveSpd,
  solveSpdWithRidge,
  ridgePivotTolerance,
  type SolveSpdOptions,
  type SolveSpdWithRidgeOptions,
  type RidgeSolveResult,
} from './cholesky.js';
export { solve, type SolveOptions } from './lu.js';
export { qr, type QrResult } from './qr.js';
export { procrustes, type ProcrustesResult } from './procrustes.js';
export { matmul64 } from './matmul.js';
