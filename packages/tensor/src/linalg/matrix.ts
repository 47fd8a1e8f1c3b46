/**
 * A minimal dense matrix for the linear-algebra routines: row-major `Float64Array` with explicit
 * dimensions. The routines in `linalg/` never keep references to their inputs and never write to them.
 */
import { ShapeError, ValueError } from '../errors.js';

/** A dense row-major double-precision matrix: entry `(i, j)` is `data[i * cols + j]`, shape `[rows, cols]`. */
export interface Matrix64 {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
}

/** Formats a matrix shape as `[rows, cols]` for messages. */
export function fmtDims(a: { rows: number; cols: number }): string {
  return `[${a.rows}, ${a.cols}]`;
}

/**
 * Wraps (does not copy) `data` as a `[rows, cols]` matrix; without `data`, allocates zeros.
 * @throws ShapeError when `data.length !== rows * cols` or a dimension is not a non-negative integer.
 */
export function matrix64(rows: number, cols: number, data?: Float64Array | readonly number[]): Matrix64 {
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
    throw new ShapeError('matrix64', `dimensions [${rows}, ${cols}] must be non-negative integers`);
  }
  const buf = data === undefined ? new Float64Array(rows * cols) : data instanceof Float64Array ? data : Float64Array.from(data);
  if (buf.length !== rows * cols) {
    throw new ShapeError('matrix64', `data has ${buf.length} elements; expected rows*cols = ${rows}*${cols} = ${rows * cols}`);
  }
  return { data: buf, rows, cols };
}

/** Builds a matrix from nested rows (`[[1, 2], [3, 4]]` is `[2, 2]`). All rows must have equal length. */
export function fromRows(rowsArr: readonly (readonly number[])[]): Matrix64 {
  const rows = rowsArr.length;
  const cols = rows === 0 ? 0 : rowsArr[0].length;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const r = rowsArr[i];
    if (r.length !== cols) throw new ShapeError('fromRows', `row ${i} has ${r.length} entries; expected ${cols} like row 0`);
    for (let j = 0; j < cols; j++) data[i * cols + j] = r[j];
  }
  return { data, rows, cols };
}

/** Nested-array view of a matrix (for tests and messages). */
export function toRows(a: Matrix64): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < a.rows; i++) out.push(Array.from(a.data.subarray(i * a.cols, (i + 1) * a.cols)));
  return out;
}

/** The `[n, n]` identity. */
export function identity64(n: number): Matrix64 {
  const m = matrix64(n, n);
  for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
  return m;
}

/** `Aᵀ` as a new matrix, `[cols, rows]`. Blocked so that both sides stay in cache for large inputs. */
export function transpose64(a: Matrix64): Matrix64 {
  const { rows: m, cols: n, data: src } = a;
  const dst = new Float64Array(m * n);
  transposeInto(src, m, n, dst);
  return { data: dst, rows: n, cols: m };
}

/** Writes the transpose of row-major `src` (`[m, n]`) into `dst` (`[n, m]`). */
export function transposeInto(src: Float64Array, m: number, n: number, dst: Float64Array): void {
  const B = 32;
  for (let i0 = 0; i0 < m; i0 += B) {
    const i1 = Math.min(m, i0 + B);
    for (let j0 = 0; j0 < n; j0 += B) {
      const j1 = Math.min(n, j0 + B);
      for (let i = i0; i < i1; i++) {
        const row = i * n;
        for (let j = j0; j < j1; j++) dst[j * m + i] = src[row + j];
      }
    }
  }
}

/** Copies a matrix (new buffer). */
export function clone64(a: Matrix64): Matrix64 {
  return { data: a.data.slice(), rows: a.rows, cols: a.cols };
}

/**
 * Throws unless `a` is a well-formed matrix: integer dimensions, a `Float64Array` of `rows*cols` entries.
 * `what` names the argument in the message (e.g. `A`).
 */
export function assertMatrix(op: string, what: string, a: Matrix64): void {
  if (a === null || typeof a !== 'object' || !(a.data instanceof Float64Array)) {
    throw new ShapeError(op, `${what} must be a Matrix64 { data: Float64Array, rows, cols }; got ${describe(a)}`);
  }
  const { rows, cols } = a;
  if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
    throw new ShapeError(op, `${what} has dimensions [${rows}, ${cols}]; expected non-negative integers`);
  }
  if (a.data.length !== rows * cols) {
    throw new ShapeError(op, `${what} is ${fmtDims(a)} but its data has ${a.data.length} elements; expected ${rows * cols}`);
  }
}

/** Throws a ShapeError unless `a` is square. */
export function assertSquare(op: string, what: string, a: Matrix64): void {
  if (a.rows !== a.cols) throw new ShapeError(op, `${what} is ${fmtDims(a)}; expected a square matrix [n, n]`);
}

/** Throws unless `a` is non-empty (the routines define no result for a `[0, n]` or `[n, 0]` input). */
export function assertNonEmpty(op: string, what: string, a: Matrix64): void {
  if (a.rows === 0 || a.cols === 0) throw new ShapeError(op, `${what} is ${fmtDims(a)}; expected at least one row and one column`);
}

/** Throws a ValueError naming the first entry of `a` that is NaN or ±Infinity. */
export function assertFinite(op: string, what: string, a: Matrix64): void {
  const d = a.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    // `v - v` is NaN exactly for NaN and ±Infinity, and is cheaper than Number.isFinite in a hot scan.
    if (v - v !== 0) {
      const r = Math.floor(i / a.cols);
      throw new ValueError(op, `${what}[${r}, ${i - r * a.cols}] is ${v}; expected finite entries`);
    }
  }
}

/** The checks every routine runs on a matrix argument: well-formed, non-empty, finite. */
export function checkInput(op: string, what: string, a: Matrix64): void {
  assertMatrix(op, what, a);
  assertNonEmpty(op, what, a);
  assertFinite(op, what, a);
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x !== 'object') return typeof x;
  const d = (x as { data?: unknown }).data;
  return `an object whose data is ${d === undefined ? 'missing' : ((d as object)?.constructor?.name ?? typeof d)}`;
}

/** Largest absolute entry (0 for an empty matrix). */
export function maxAbs(d: Float64Array): number {
  let m = 0;
  for (let i = 0; i < d.length; i++) {
    const v = Math.abs(d[i]);
    if (v > m) m = v;
  }
  return m;
}
