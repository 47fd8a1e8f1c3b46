/**
 * Names kept only for packages that have not switched yet (TEMPORARY): the seeded generator is
 * `@symfuse/tensor`'s `Rng`. Remove once `@symfuse/plugins-permutation` (weight-matching aligner)
 * calls `new Rng(seed)` itself.
 */
import { Rng } from '@symfuse/tensor';

/** @deprecated Use `Rng` from `@symfuse/tensor`. */
export type SymRng = Rng;

/**
 * A seeded generator: exactly `new Rng(seed)` of `@symfuse/tensor` (same stream).
 * @deprecated Use `new Rng(seed)` from `@symfuse/tensor`.
 */
export function createRng(seed: number): Rng {
  return new Rng(seed);
}
