/**
 * `(A + λI) X = B` for a symmetric positive semi-definite `A` by a double-precision Cholesky
 * factorisation — never an explicit inverse — with the smallest ridge λ of the sequence
 * `0, 1e-10·mean(diag A), ×10, …` for which the factorisation succeeds (every pivot above `n·ε` times
 * its diagonal entry, so a singular matrix is not let through on rounding noise).
 *
 * Uses `@symfuse/tensor`'s `solveSpdWithRidge` (blocked, GEMM-backed) when the package exports it.
 * TEMPORARY: `@symfuse/tensor` does not export its `linalg/` yet, so an unblocked Cholesky with the
 * same ridge search stands in (see the report); delete `localSolve` once it is exported.
 */
import * as tensorPkg from '@symfuse/tensor';

/** Result of {@link solveSpdRidge}. */
export interface SpdSolution {
  /** `[n, r]` row-major. */
  readonly X: Float64Array;
  /** The ridge that made the factorisation succeed (0 when `A` was positive definite). */
  readonly ridge: number;
  readonly attempts: number;
}

interface Matrix64 {
  data: Float64Array;
  rows: number;
  cols: number;
}
type TensorRidgeSolve = (A: Matrix64, B: Matrix64) => { X: Matrix64; ridge: number; attempts: number };

const START_RELATIVE = 1e-10;
const GROWTH = 10;
const MAX_TRIES = 30;

/**
 * Solves `(A + λI) X = B` (see the module comment).
 * @param A `[n, n]` symmetric (lower triangle read), not modified. @param B `[n, r]`, not modified.
 * @throws Error naming `what` when no ridge up to `1e19·mean(diag A)` makes `A` positive definite
 *   (non-finite entries).
 */
export function solveSpdRidge(A: Float64Array, n: number, B: Float64Array, r: number, what: string): SpdSolution {
  const external = (tensorPkg as unknown as { solveSpdWithRidge?: TensorRidgeSolve }).solveSpdWithRidge;
  try {
    if (typeof external === 'function') {
      const res = external({ data: A, rows: n, cols: n }, { data: B, rows: n, cols: r });
      return { X: res.X.data, ridge: res.ridge, attempts: res.attempts };
    }
    return localSolve(A, n, B, r);
  } catch (e) {
    throw new Error(`RegMean solve for ${what}: ${(e as Error).message}`);
  }
}

function localSolve(A: Float64Array, n: number, B: Float64Array, r: number): SpdSolution {
  let scale = 0;
  for (let i = 0; i < n; i++) scale += A[i * n + i];
  scale /= n;
  if (!(scale > 0)) scale = 1;
  const relTol = n * 2.220446049250313e-16;
  let ridge = 0;
  const L = new Float64Array(n * n);
  for (let attempt = 0; attempt <= MAX_TRIES; attempt++) {
    if (attempt > 0) ridge = attempt === 1 ? START_RELATIVE * scale : ridge * GROWTH;
    if (!factor(A, n, ridge, relTol, L)) continue;
    const X = B.slice();
    substitute(L, n, X, r);
    return { X, ridge, attempts: attempt + 1 };
  }
  throw new Error(`the ${n}×${n} matrix is not positive definite even with a ridge of ${ridge.toExponential(2)} (non-finite entries?)`);
}

/** Lower Cholesky factor of `A + ridge·I` into `L` (dot-product form, rows contiguous); false on a bad pivot. */
function factor(A: Float64Array, n: number, ridge: number, relTol: number, L: Float64Array): boolean {
  L.fill(0);
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    const ajj = A[rj + j] + ridge;
    let s = ajj;
    for (let p = 0; p < j; p++) s -= L[rj + p] * L[rj + p];
    if (!(s > relTol * Math.abs(ajj))) return false;
    const d = Math.sqrt(s);
    L[rj + j] = d;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let t = A[ri + j];
      for (let p = 0; p < j; p++) t -= L[ri + p] * L[rj + p];
      L[ri + j] = t / d;
    }
  }
  return true;
}

/** `X ← (L Lᵀ)⁻¹ X` in place, `X` `[n, r]`: forward then back substitution on whole rows. */
function substitute(L: Float64Array, n: number, X: Float64Array, r: number): void {
  for (let i = 0; i < n; i++) {
    const xi = i * r;
    for (let k = 0; k < i; k++) {
      const l = L[i * n + k];
      if (l === 0) continue;
      const xk = k * r;
      for (let c = 0; c < r; c++) X[xi + c] -= l * X[xk + c];
    }
    const inv = 1 / L[i * n + i];
    for (let c = 0; c < r; c++) X[xi + c] *= inv;
  }
  for (let i = n - 1; i >= 0; i--) {
    const xi = i * r;
    for (let k = i + 1; k < n; k++) {
      const l = L[k * n + i];
      if (l === 0) continue;
      const xk = k * r;
      for (let c = 0; c < r; c++) X[xi + c] -= l * X[xk + c];
    }
    const inv = 1 / L[i * n + i];
    for (let c = 0; c < r; c++) X[xi + c] *= inv;
  }
}
