/**
 * Cholesky factorisation `A = L Lᵀ` and the solves built on it. Recursive blocked algorithm (factor the
 * leading half, solve the panel below it, update the trailing half with a SYRK, recurse), so nearly all
 * of the `n³/3` flops run in large calls of the register-blocked GEMM (`gemm.ts`).
 */
import { ShapeError, ValueError } from '../errors.js';
import { NotPositiveDefiniteError } from './errors.js';
import { type Matrix64, assertSquare, checkInput, fmtDims } from './matrix.js';
import { solveLowerInPlace, solveLowerTransInPlace, solveRightLowerTransInPlace, syrkLowerSub } from './triangular.js';

/** Diagonal blocks up to this size are factored directly (dot-product form, rows contiguous). */
const NB = 64;

/** Options shared by the Cholesky-based routines. */
export interface CholeskyOptions {
  /**
   * Pivot `j` must exceed `relativePivotTolerance · a_jj` (its original diagonal entry), not just 0.
   * With rounding, a singular PSD matrix often factors with tiny positive pivots; a tolerance such as
   * {@link ridgePivotTolerance} reports it as not positive definite instead. Default 0 (LAPACK's `potrf`
   * semantics), except in {@link solveSpdWithRidge} where it is `ridgePivotTolerance(n)`.
   */
  relativePivotTolerance?: number;
}

/**
 * Lower Cholesky factor `L` (`[n, n]`, zeros above the diagonal) with `A = L Lᵀ`.
 * Reads only the lower triangle of `A` (the caller vouches for symmetry).
 * @param A `[n, n]` symmetric positive definite.
 * @throws NotPositiveDefiniteError naming the 0-based pivot and its value when a pivot is `<= 0`
 * (or below the relative tolerance).
 * @throws ShapeError if `A` is not square; ValueError on a non-finite entry.
 */
export function cholesky(A: Matrix64, options: CholeskyOptions = {}): Matrix64 {
  checkInput('cholesky', 'A', A);
  assertSquare('cholesky', 'A', A);
  const n = A.rows;
  const L = A.data.slice();
  choleskyInPlace(L, n, 'cholesky', checkTolerance('cholesky', options.relativePivotTolerance ?? 0));
  return { data: L, rows: n, cols: n };
}

function checkTolerance(op: string, tol: number): number {
  if (!(tol >= 0) || !Number.isFinite(tol)) throw new ValueError(op, `relativePivotTolerance is ${tol}; expected a finite number >= 0`);
  return tol;
}

/**
 * Factors the `[n, n]` row-major buffer `a` in place: on return its lower triangle holds `L` and its
 * upper triangle is zeroed. Throws {@link NotPositiveDefiniteError} (with `op` in the message) on failure,
 * leaving `a` partially overwritten.
 */
export function choleskyInPlace(a: Float64Array, n: number, op: string, relTol = 0): void {
  let thresholds: Float64Array | undefined;
  if (relTol > 0) {
    thresholds = new Float64Array(n);
    for (let i = 0; i < n; i++) thresholds[i] = relTol * Math.abs(a[i * n + i]);
  }
  factorRecursive(a, n, 0, n, op, thresholds);
  for (let i = 0; i < n; i++) a.fill(0, i * n + i + 1, (i + 1) * n);
}

/**
 * Recursive Cholesky of the `size × size` diagonal block starting at row/column `k0` of the `[n, n]`
 * buffer: `L11 = chol(A11)`, `L21 = A21 L11⁻ᵀ`, `A22 −= L21 L21ᵀ`, `L22 = chol(A22)`. The last two
 * steps are GEMM-shaped at every level, so the `n³/3` flops run in the packed kernel.
 */
function factorRecursive(a: Float64Array, n: number, k0: number, size: number, op: string, thresholds: Float64Array | undefined): void {
  if (size <= NB) {
    factorDiagonalBlock(a, n, k0, size, op, thresholds);
    return;
  }
  const h = Math.max(4, (size >> 1) & ~3);
  factorRecursive(a, n, k0, h, op, thresholds);
  const t0 = k0 + h;
  const rest = size - h;
  solveRightLowerTransInPlace(a, k0 * n + k0, n, h, a, t0 * n + k0, n, rest);
  syrkLowerSub(rest, h, a, t0 * n + k0, n, a, t0 * n + t0, n);
  factorRecursive(a, n, t0, rest, op, thresholds);
}

/** Unblocked dot-product Cholesky of the `kb × kb` diagonal block at `(k0, k0)`; rows are contiguous. */
function factorDiagonalBlock(a: Float64Array, n: number, k0: number, kb: number, op: string, thresholds: Float64Array | undefined): void {
  for (let j = k0; j < k0 + kb; j++) {
    const rj = j * n;
    let s = a[rj + j];
    for (let p = k0; p < j; p++) s -= a[rj + p] * a[rj + p];
    const min = thresholds === undefined ? 0 : thresholds[j];
    // `!(s > min)` also catches NaN.
    if (!(s > min)) throw new NotPositiveDefiniteError(op, j, s, n, min);
    const d = Math.sqrt(s);
    a[rj + j] = d;
    const inv = 1 / d;
    for (let i = j + 1; i < k0 + kb; i++) {
      const ri = i * n;
      let t = a[ri + j];
      for (let p = k0; p < j; p++) t -= a[ri + p] * a[rj + p];
      a[ri + j] = t * inv;
    }
  }
}

/**
 * Solves `L Lᵀ X = B` given the Cholesky factor: forward then back substitution, never an inverse.
 * @param L `[n, n]` lower triangular (only the lower triangle is read), e.g. from {@link cholesky}.
 * @param B `[n, r]` right-hand sides (any r ≥ 1).
 * @returns X `[n, r]`.
 */
export function choleskySolve(L: Matrix64, B: Matrix64): Matrix64 {
  checkInput('choleskySolve', 'L', L);
  assertSquare('choleskySolve', 'L', L);
  checkInput('choleskySolve', 'B', B);
  if (B.rows !== L.rows) {
    throw new ShapeError('choleskySolve', `L is ${fmtDims(L)} and B is ${fmtDims(B)}; expected B to have ${L.rows} rows`);
  }
  for (let i = 0; i < L.rows; i++) {
    const d = L.data[i * L.cols + i];
    if (!(d > 0)) throw new NotPositiveDefiniteError('choleskySolve', i, d, L.rows);
  }
  const X = B.data.slice();
  choleskySolveInPlace(L.data, L.rows, X, B.cols);
  return { data: X, rows: B.rows, cols: B.cols };
}

/** `X ← (L Lᵀ)⁻¹ X` in place; `L` `[n, n]`, `X` `[n, r]`, both row-major and unchecked. */
export function choleskySolveInPlace(L: Float64Array, n: number, X: Float64Array, r: number): void {
  solveLowerInPlace(L, 0, n, n, X, 0, r, r);
  solveLowerTransInPlace(L, 0, n, n, X, 0, r, r);
}

/** Options of {@link solveSpd}. */
export interface SolveSpdOptions extends CholeskyOptions {
  /** Adds `ridge · I` to `A` before factoring (Tikhonov). Default 0. Must be finite and ≥ 0. */
  ridge?: number;
}

/**
 * Solves `(A + ridge·I) X = B` for symmetric positive definite `A` by Cholesky.
 * @param A `[n, n]` SPD (lower triangle read). @param B `[n, r]`. @returns X `[n, r]`.
 * @throws NotPositiveDefiniteError when `A + ridge·I` is not positive definite.
 */
export function solveSpd(A: Matrix64, B: Matrix64, options: SolveSpdOptions = {}): Matrix64 {
  const op = 'solveSpd';
  checkSpdArgs(op, A, B);
  const ridge = options.ridge ?? 0;
  if (!(ridge >= 0) || !Number.isFinite(ridge)) {
    throw new ValueError(op, `ridge is ${ridge}; expected a finite number >= 0`);
  }
  const n = A.rows;
  const L = factorWithRidge(A, ridge, op, checkTolerance(op, options.relativePivotTolerance ?? 0));
  const X = B.data.slice();
  choleskySolveInPlace(L, n, X, B.cols);
  return { data: X, rows: n, cols: B.cols };
}

/**
 * Default relative pivot tolerance of {@link solveSpdWithRidge} for an `[n, n]` matrix: `100·n·ε`.
 * Measured: the rounding-noise pivots of exactly singular PSD Gram matrices (n ≤ 64) reached
 * `50·n·ε·a_jj`; the backward error of Cholesky is `O(n·ε)`, so anything below that is indistinguishable
 * from singular.
 */
export function ridgePivotTolerance(n: number): number {
  return 100 * n * 2.220446049250313e-16;
}

/** Options of {@link solveSpdWithRidge}. */
export interface SolveSpdWithRidgeOptions extends CholeskyOptions {
  /** First non-zero ridge tried, relative to `mean(diag(A))`. Default 1e-10. */
  startRelative?: number;
  /** Factor between successive ridges. Default 10. */
  growth?: number;
  /** Give up after this many non-zero ridges. Default 30 (reaches 1e19 · mean diag with the defaults). */
  maxTries?: number;
}

/** Result of {@link solveSpdWithRidge}: the solution and the ridge that made the factorisation succeed. */
export interface RidgeSolveResult {
  /** `[n, r]` solution of `(A + ridge·I) X = B`. */
  X: Matrix64;
  /** The smallest ridge of the search sequence `0, s, s·g, s·g², …` that worked (`s = startRelative·mean(diag A)`). */
  ridge: number;
  /** Number of factorisations attempted (1 when A itself was positive definite). */
  attempts: number;
}

/**
 * Solves `(A + λI) X = B` with the smallest λ of the sequence `0, 1e-10·mean(diag A), ×10, …` for which
 * Cholesky succeeds, and reports λ. Use for Gram matrices that may be singular (RegMean).
 * "Succeeds" means every pivot exceeds `relativePivotTolerance` (default {@link ridgePivotTolerance}(n)
 * `= 100·n·ε`) times its diagonal entry of `A + λI`, so a singular PSD matrix gets a ridge even when
 * rounding would let a plain Cholesky through with meaningless tiny pivots. (For n ≳ 4500 that test
 * cannot resolve the first ridge `1e-10·mean(diag)`, and the search effectively starts at `1e-9·mean`.)
 * When `mean(diag A) <= 0` the scale falls back to `max|A|`, then to 1.
 * @param A `[n, n]` symmetric (lower triangle read). @param B `[n, r]`.
 * @throws NotPositiveDefiniteError (the last attempt's) if no ridge in `maxTries` steps works.
 */
export function solveSpdWithRidge(A: Matrix64, B: Matrix64, options: SolveSpdWithRidgeOptions = {}): RidgeSolveResult {
  const op = 'solveSpdWithRidge';
  checkSpdArgs(op, A, B);
  const start = options.startRelative ?? 1e-10;
  const growth = options.growth ?? 10;
  const maxTries = options.maxTries ?? 30;
  if (!(start > 0) || !(growth > 1) || !(maxTries >= 0) || !Number.isInteger(maxTries)) {
    throw new ValueError(op, `options {startRelative: ${start}, growth: ${growth}, maxTries: ${maxTries}}; expected startRelative > 0, growth > 1, integer maxTries >= 0`);
  }
  const n = A.rows;
  const relTol = checkTolerance(op, options.relativePivotTolerance ?? ridgePivotTolerance(n));
  let scale = 0;
  for (let i = 0; i < n; i++) scale += A.data[i * n + i];
  scale /= n;
  if (!(scale > 0)) {
    scale = 0;
    for (let i = 0; i < A.data.length; i++) scale = Math.max(scale, Math.abs(A.data[i]));
    if (!(scale > 0)) scale = 1;
  }
  let ridge = 0;
  let lastError: NotPositiveDefiniteError | undefined;
  for (let attempt = 0; attempt <= maxTries; attempt++) {
    if (attempt > 0) ridge = attempt === 1 ? start * scale : ridge * growth;
    let L: Float64Array;
    try {
      L = factorWithRidge(A, ridge, op, relTol);
    } catch (e) {
      if (e instanceof NotPositiveDefiniteError) {
        lastError = e;
        continue;
      }
      throw e;
    }
    const X = B.data.slice();
    choleskySolveInPlace(L, n, X, B.cols);
    return { X: { data: X, rows: n, cols: B.cols }, ridge, attempts: attempt + 1 };
  }
  throw lastError ?? new NotPositiveDefiniteError(op, 0, Number.NaN, n);
}

function checkSpdArgs(op: string, A: Matrix64, B: Matrix64): void {
  checkInput(op, 'A', A);
  assertSquare(op, 'A', A);
  checkInput(op, 'B', B);
  if (B.rows !== A.rows) throw new ShapeError(op, `A is ${fmtDims(A)} and B is ${fmtDims(B)}; expected B to have ${A.rows} rows`);
}

function factorWithRidge(A: Matrix64, ridge: number, op: string, relTol: number): Float64Array {
  const n = A.rows;
  const L = A.data.slice();
  if (ridge !== 0) for (let i = 0; i < n; i++) L[i * n + i] += ridge;
  choleskyInPlace(L, n, op, relTol);
  return L;
}
