/**
 * Errors of the dense linear-algebra routines. They extend the tensor runtime's error classes so that
 * callers can catch every bad-input error of `@symfuse/tensor` with one `instanceof TensorError`.
 */
import { TensorError } from '../errors.js';

/**
 * Cholesky met a pivot that is not strictly positive (or not finite): the matrix is not (numerically)
 * positive definite. `pivot` is the 0-based row/column where the factorisation stopped and `value` the
 * diagonal entry it would have had to take the square root of.
 */
export class NotPositiveDefiniteError extends TensorError {
  constructor(
    op: string,
    /** 0-based index of the failing pivot. */
    readonly pivot: number,
    /** The pivot value `a_jj − Σ_k l_jk²` that was not > 0. */
    readonly value: number,
    size: number,
    /** The pivot had to exceed this (0 unless a relative pivot tolerance was requested). */
    readonly threshold = 0,
  ) {
    super(
      op,
      `matrix [${size}, ${size}] is not positive definite: pivot ${pivot} is ${value}; expected a value > ${threshold} ` +
        `(add a ridge, e.g. solveSpdWithRidge, or check that the matrix is symmetric positive definite)`,
    );
  }
}

/**
 * LU with partial pivoting found no usable pivot: the matrix is singular to working precision.
 * `pivot` is the 0-based column and `value` the largest remaining entry in it.
 */
export class SingularMatrixError extends TensorError {
  constructor(
    op: string,
    /** 0-based column where elimination found no pivot above the tolerance. */
    readonly pivot: number,
    /** Largest absolute value available for that pivot. */
    readonly value: number,
    /** The threshold the pivot had to exceed. */
    readonly tolerance: number,
    size: number,
  ) {
    super(
      op,
      `matrix [${size}, ${size}] is singular to working precision: pivot ${pivot} is ${value} ` +
        `(|pivot| <= tolerance ${tolerance}); expected a non-singular matrix`,
    );
  }
}

/** An iterative eigen/singular value solver did not converge within its iteration budget. */
export class ConvergenceError extends TensorError {}
