/**
 * Moving parameters to and from host f64 arrays. Merging and statistics run in double precision on the
 * host (DESIGN.md "Tensor runtime": accuracy-critical linear algebra in f64 on the CPU), whatever
 * backend or dtype the parameters have. Used by the mergers and statistics collectors of every plugin.
 */
import { type Tensor, tensor } from '@symfuse/tensor';

/**
 * The elements of `t` (any shape) as f64: a copy when the dtype is not f64, possibly the storage
 * itself otherwise — treat the result as read-only.
 */
export async function hostF64(t: Tensor): Promise<Float64Array> {
  // On the CPU read the storage without a copy; elsewhere download.
  const d = t.backend.name === 'cpu' ? t.dataSync() : await t.data();
  return d instanceof Float64Array ? d : Float64Array.from(d);
}

/**
 * A tensor of `like`'s shape, dtype and backend holding `data` (converted from f64).
 * @param data `like.size` values, row-major.
 */
export function tensorLike(data: Float64Array, like: Tensor): Tensor {
  return tensor(data, like.shape, { dtype: like.dtype, backend: like.backend });
}
