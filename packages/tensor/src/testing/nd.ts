/**
 * A deliberately plain n-d array for the oracles: f64 data plus a shape, indexed through explicit
 * coordinate vectors (one `unravel`/`ravel` per element). Slow by design; it shares no code with
 * the kernels it checks.
 */

/** Row-major f64 array with a shape. */
export interface NdArray {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/** Number of elements of `shape`. */
export function numel(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** An NdArray of `shape` with a copy of `data` (zeros when omitted). */
export function nd(shape: readonly number[], data?: ArrayLike<number>): NdArray {
  const n = numel(shape);
  const out = new Float64Array(n);
  if (data) {
    if (data.length !== n) throw new Error(`nd: ${data.length} values for shape [${shape.join(', ')}]`);
    for (let i = 0; i < n; i++) out[i] = data[i];
  }
  return { shape: [...shape], data: out };
}

/** Coordinates of flat index `i` in `shape` (row-major). */
export function unravel(i: number, shape: readonly number[]): number[] {
  const coords = new Array<number>(shape.length);
  let rem = i;
  for (let d = shape.length - 1; d >= 0; d--) {
    coords[d] = rem % shape[d];
    rem = Math.floor(rem / shape[d]);
  }
  return coords;
}

/** Flat index of `coords` in `shape` (row-major). */
export function ravel(coords: readonly number[], shape: readonly number[]): number {
  let i = 0;
  for (let d = 0; d < shape.length; d++) i = i * shape[d] + coords[d];
  return i;
}

/** Element of `a` at `coords`. */
export function at(a: NdArray, coords: readonly number[]): number {
  return a.data[ravel(coords, a.shape)];
}
