/** Comparisons of arrays and parameter maps for tests, with relative tolerances. */
import type { Tensor } from '@symfuse/tensor';

/** Largest `|a − b| / max(1, |a|)` over the entries; `Infinity` when the lengths differ. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(a[i])));
  return d;
}

/**
 * The largest {@link maxRelDiff} over the parameters of two maps, and the parameter where it occurs;
 * `Infinity` when a parameter is missing from `b` or the maps have different sizes.
 */
export function maxParamDiff(a: ReadonlyMap<string, Tensor>, b: ReadonlyMap<string, Tensor>): { diff: number; name: string } {
  let worst = { diff: 0, name: '' };
  for (const [k, t] of a) {
    const u = b.get(k);
    const d = u ? maxRelDiff(t.dataSync(), u.dataSync()) : Infinity;
    if (d > worst.diff) worst = { diff: d, name: k };
  }
  if (a.size !== b.size) return { diff: Infinity, name: `(${a.size} vs ${b.size} parameters)` };
  return worst;
}
