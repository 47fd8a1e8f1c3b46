/**
 * Small helpers around the request's assignment solver (exact LAPJV on the CPU by default, or the GPU
 * auction: the aligners never choose it themselves).
 */
import type { Solver } from '@symfuse/symmetry';

/** An optimal permutation of a square similarity matrix. */
export interface Assignment {
  /** `[n]`: row i (anchor feature) takes column `perm[i]` (model feature); new i = old `perm[i]`. */
  readonly perm: Int32Array;
  /** `Σ_i S[i, perm[i]]`. */
  readonly total: number;
}

/**
 * `argmax_π Σ_i S[i, π(i)]` for a row-major `[n, n]` similarity `S`, with `solver`.
 * @throws Error naming `what` when the solver returns something that is not a permutation.
 */
export async function maximizeAssignment(solver: Solver, similarity: Float64Array, n: number, what: string): Promise<Assignment> {
  if (similarity.length !== n * n) throw new Error(`${what}: similarity has ${similarity.length} entries; expected ${n}×${n}`);
  const r = await solver.solve(similarity, n, n, { maximize: true });
  const perm = Int32Array.from(r.cols);
  const seen = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const j = perm[i];
    if (!(j >= 0 && j < n) || seen[j]) throw new Error(`${what}: solver '${solver.id}' returned column ${j} for row ${i}, which is not a permutation of 0..${n - 1}`);
    seen[j] = 1;
  }
  // Recompute the total from the matrix: solvers may return it in another precision (auction).
  return { perm, total: assignedSum(similarity, n, perm) };
}

/** `Σ_i S[i, i]` (the objective of the identity). */
export function diagonalSum(s: Float64Array, n: number): number {
  let t = 0;
  for (let i = 0; i < n; i++) t += s[i * n + i];
  return t;
}

/** `Σ_i S[i, perm[i]]`. */
export function assignedSum(s: Float64Array, n: number, perm: Int32Array): number {
  let t = 0;
  for (let i = 0; i < n; i++) t += s[i * n + perm[i]];
  return t;
}

/** The identity permutation of size n. */
export function identityPerm(n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return p;
}

/** True when `p[i] = i` for every i. */
export function isIdentity(p: Int32Array): boolean {
  for (let i = 0; i < p.length; i++) if (p[i] !== i) return false;
  return true;
}
