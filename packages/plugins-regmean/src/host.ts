/**
 * Moving tensors to and from host f64 arrays. Merging and statistics run in double precision on the
 * host (DESIGN.md "Tensor runtime": accuracy-critical linear algebra in f64 on the CPU), whatever
 * backend or dtype the parameters have.
 *
 * Identical copies in `@symfuse/plugins-regmean` and `@symfuse/plugins-fisher` (plugins never import each other); to move to
 * `@symfuse/tensor` or `@symfuse/symmetry` (see the report).
 */
import { type Tensor, tensor } from '@symfuse/tensor';

/**
 * The elements of `t` as f64 (a copy when the dtype is not f64; possibly the storage itself
 * otherwise: treat the result as read-only).
 */
export async function hostF64(t: Tensor): Promise<Float64Array> {
  // On the CPU read the storage without a copy; elsewhere download.
  const d = t.backend.name === 'cpu' ? t.dataSync() : await t.data();
  return d instanceof Float64Array ? d : Float64Array.from(d);
}

/** A tensor of `like`'s shape, dtype and backend holding `data` (converted from f64). */
export function tensorLike(data: Float64Array, like: Tensor): Tensor {
  return tensor(data, like.shape, { dtype: like.dtype, backend: like.backend });
}

/** `[a, b, c]` for messages. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** True when two shapes are equal. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
