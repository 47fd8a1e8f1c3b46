/**
 * `(A + λI) X = B` for a symmetric positive semi-definite `A` (a sum of Gram matrices) by
 * `@symfuse/tensor`'s blocked double-precision Cholesky (`linalg.solveSpdWithRidge`) — never an
 * explicit inverse — with the smallest ridge λ of the sequence `0, 1e-10·mean(diag A), ×10, …` for
 * which the factorisation succeeds, reported to the caller (ALGORITHMS.md "Merging": "add the smallest
 * ridge that succeeds and report it"). "Succeeds" means every pivot exceeds `100·n·ε` times its
 * diagonal entry (`linalg.ridgePivotTolerance`), so a singular Gram is not let through on rounding noise.
 */
import { linalg } from '@symfuse/tensor';

/** Result of {@link solveSpdRidge}. */
export interface SpdSolution {
  /** `[n, r]` row-major. */
  readonly X: Float64Array;
  /** The ridge that made the factorisation succeed (0 when `A` was positive definite). */
  readonly ridge: number;
  /** Factorisations attempted (1 when `A` itself was positive definite). */
  readonly attempts: number;
}

/**
 * Solves `(A + λI) X = B` (see the module comment).
 * @param A `[n, n]` symmetric (lower triangle read), not modified. @param B `[n, r]`, not modified.
 * @param what the weight being merged, for error messages.
 * @throws Error prefixed `RegMean solve for <what>` when an entry is not finite or no ridge up to
 *   `1e19·mean(diag A)` makes `A` positive definite.
 */
export function solveSpdRidge(A: Float64Array, n: number, B: Float64Array, r: number, what: string): SpdSolution {
  try {
    const res = linalg.solveSpdWithRidge({ data: A, rows: n, cols: n }, { data: B, rows: n, cols: r });
    return { X: res.X.data, ridge: res.ridge, attempts: res.attempts };
  } catch (e) {
    throw new Error(`RegMean solve for ${what}: ${(e as Error).message}`, { cause: e });
  }
}
