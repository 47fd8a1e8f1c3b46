/**
 * Head-structured assignment (Verma & Elbayad 2024, Algorithm 1, with the typo fixed as in
 * ALGORITHMS.md: EVERY pair (j of A, k of B), since head pairs are not symmetric):
 * 1. for all h² pairs, the `d_k×d_k` assignment on block `S^{jk}` gives `π_jk` and
 *    `cost(j, k) = Σ_i S^{jk}_{i, π_jk(i)}`;
 * 2. the outer `h×h` assignment `σ = argmax Σ_j cost(j, σ(j))`;
 * 3. slot `j·d_k + i` takes the model's index `σ(j)·d_k + π_{jσ(j)}(i)`.
 * *Monotonic* fixes σ = identity and solves only the diagonal blocks.
 *
 * With `withinHead: false` only whole heads move (pair cost = the block's trace).
 * Several similarity matrices can share one head permutation while keeping their own within-head
 * permutations (weight matching of a layer's QK and VO spaces): pair costs are summed over them.
 */
import type { HeadElement, Solver } from '@symfuse/symmetry';
import { diagonalSum, identityPerm, maximizeAssignment } from './solve.js';

/** The result of a head-structured assignment. */
export interface HeadAssignment {
  /** `[h]`: new head j = old head `headPerm[j]` (σ). */
  readonly headPerm: Int32Array;
  /** Per similarity matrix, per new head j, the within-head permutation `π_{jσ(j)}` (`[d_k]`). */
  readonly within: readonly (readonly Int32Array[])[];
  /** `Σ_j cost(j, σ(j))` summed over the matrices. */
  readonly total: number;
  /** `[h, h]` pair costs (summed over the matrices); the diagonal only for monotonic. */
  readonly pairCosts: Float64Array;
  /** Number of inner (`d_k×d_k`) assignments solved. */
  readonly innerSolves: number;
}

function block(s: Float64Array, n: number, dk: number, j: number, k: number, out: Float64Array): Float64Array {
  for (let r = 0; r < dk; r++) {
    const src = (j * dk + r) * n + k * dk;
    out.set(s.subarray(src, src + dk), r * dk);
  }
  return out;
}

/**
 * Head-perm (or, with `monotonic`, σ = identity) assignment of `[n, n]` similarities, n = h·d_k.
 * @param similarities one or more row-major `[n, n]` matrices (rows: anchor, columns: model).
 */
export async function headAssignment(
  solver: Solver,
  similarities: readonly Float64Array[],
  heads: number,
  headDim: number,
  options: { monotonic: boolean; what: string; withinHead?: boolean },
): Promise<HeadAssignment> {
  const h = heads;
  const dk = headDim;
  const n = h * dk;
  for (const s of similarities) {
    if (s.length !== n * n) throw new Error(`${options.what}: similarity has ${s.length} entries; expected ${n}×${n} (${h} heads of ${dk})`);
  }
  const pairCosts = new Float64Array(h * h);
  // inner[m][j*h + k] = π_jk of matrix m
  const inner: Int32Array[][] = similarities.map(() => new Array<Int32Array>(h * h));
  const buf = new Float64Array(dk * dk);
  let innerSolves = 0;
  for (let j = 0; j < h; j++) {
    for (let k = 0; k < h; k++) {
      if (options.monotonic && j !== k) {
        pairCosts[j * h + k] = -Infinity;
        continue;
      }
      for (let m = 0; m < similarities.length; m++) {
        if (options.withinHead === false) {
          // Whole heads move but stay unpermuted inside: the pair's cost is its block's trace.
          const b = block(similarities[m], n, dk, j, k, buf);
          inner[m][j * h + k] = identityPerm(dk);
          pairCosts[j * h + k] += diagonalSum(b, dk);
          continue;
        }
        const a = await maximizeAssignment(solver, block(similarities[m], n, dk, j, k, buf), dk, `${options.what} (head pair ${j}↔${k})`);
        inner[m][j * h + k] = a.perm;
        pairCosts[j * h + k] += a.total;
        innerSolves++;
      }
    }
  }
  let headPerm: Int32Array;
  if (options.monotonic) headPerm = identityPerm(h);
  else headPerm = (await maximizeAssignment(solver, pairCosts, h, `${options.what} (head correspondence)`)).perm;
  let total = 0;
  for (let j = 0; j < h; j++) total += pairCosts[j * h + headPerm[j]];
  const within = inner.map((per) => Array.from({ length: h }, (_, j) => per[j * h + headPerm[j]]));
  return { headPerm, within, total, pairCosts, innerSolves };
}

/** The head element of matrix `m` of an assignment (`blockKind: 'permutation'`). */
export function headElementOf(a: HeadAssignment, headDim: number, m = 0): HeadElement {
  const dk = headDim;
  const blocks = a.within[m].map((pi) => {
    const b = new Float64Array(dk * dk);
    for (let i = 0; i < dk; i++) b[i * dk + pi[i]] = 1;
    return b;
  });
  return { kind: 'head', headPerm: Int32Array.from(a.headPerm), headDim: dk, blockKind: 'permutation', blocks };
}

/** The flat permutation `[h·d_k]` of matrix `m`: slot `j·d_k + i` → `σ(j)·d_k + π_j(i)`. */
export function flatPermOf(a: HeadAssignment, headDim: number, m = 0): Int32Array {
  const dk = headDim;
  const h = a.headPerm.length;
  const perm = new Int32Array(h * dk);
  for (let j = 0; j < h; j++) {
    const pi = a.within[m][j];
    for (let i = 0; i < dk; i++) perm[j * dk + i] = a.headPerm[j] * dk + pi[i];
  }
  return perm;
}
