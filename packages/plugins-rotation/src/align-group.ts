/**
 * The per-layer solve of the rotation aligner: for the spaces of one head group (a layer's QK and VO),
 * optionally pair heads (one σ shared by the group), then per head and space the Procrustes rotation
 * and the rescaling (ALGORITHMS.md "Rotation / Procrustes matching").
 *
 * Head `j` of the anchor (Y) is matched with head `k = σ(j)` of the model (X). With `X = [X_out | X_in]`
 * (see `head-layout.ts`), `M_out = Y_out X_outᵀ`, `M_in = Y_in X_inᵀ`:
 * - rotation: `R = polar(M_out + M_in)` minimises `‖R X − Y‖²`;
 * - rescaling: `p = ‖X_out‖²`, `q = ⟨R, M_out⟩`, `r = ⟨R, M_in⟩`, `s = ‖X_in‖²` are the statistics of
 *   `f(a) = ‖a R X_out − Y_out‖² + ‖R X_in / a − Y_in‖²` (R preserves norms), minimised by `bestScale`;
 * - the block is `a·R`: role-`out` axes receive `a·R`, role-`in` axes `(a·R)⁻ᵀ = R/a`.
 */
import type { HeadBlockKind, HeadElement, Solver } from '@symfuse/symmetry';
import { linalg } from '@symfuse/tensor';
import type { HeadLayout, HeadMatrices } from './head-layout.js';
import { polarFactor } from './procrustes.js';
import { bestScale } from './rescale.js';

/** One space of a head group, with both models' head matrices. */
export interface SpaceProblem {
  readonly layout: HeadLayout;
  /** Anchor (A, Y). */
  readonly anchor: HeadMatrices;
  /** Model (B, X). */
  readonly model: HeadMatrices;
  /** Rotate within heads (else the blocks stay identity; the space may still take σ). */
  readonly rotate: boolean;
  /** Rescale after rotation (only where `rotate`). */
  readonly rescale: boolean;
}

/** What happened to one head of one space (squared Frobenius distances to the anchor's head j). */
export interface HeadReport {
  /** The anchor head j. */
  readonly head: number;
  /** The model head k = σ(j) mapped onto it. */
  readonly pairedWith: number;
  /** `‖X_j − Y_j‖²` (the model as given, identity pairing). */
  readonly before: number;
  /** `‖R X_k − Y_j‖²`. */
  readonly afterRotation: number;
  /** After rotation and rescaling (equal to `afterRotation` without rescaling). */
  readonly after: number;
  /** The scale a (1 without rescaling). */
  readonly scale: number;
}

/** The result on one space. */
export interface SpaceOutcome {
  readonly spaceId: string;
  /** Undefined when the space stays the identity. */
  readonly element?: HeadElement;
  readonly heads: readonly HeadReport[];
  /** Per bound parameter: squared distances before and after (over this space's slices). */
  readonly perParam: ReadonlyMap<string, { before: number; after: number }>;
  readonly before: number;
  readonly after: number;
  readonly ms: number;
}

/** The result on a head group. */
export interface GroupOutcome {
  /** `σ`: new head j = old head `sigma[j]`. */
  readonly sigma: Int32Array;
  readonly spaces: readonly SpaceOutcome[];
  /** With pairing: the assignment objective of the identity pairing and of σ. */
  readonly pairing?: { readonly costIdentity: number; readonly cost: number; readonly ms: number };
}

interface PairSolution {
  readonly R: Float64Array | undefined;
  readonly a: number;
  readonly cost: number;
}

/**
 * `A Bᵀ` for row-major `A` `[m, k]` and `B` `[n, k]` (exact-length arrays or views): cross-Grams of
 * head matrices, in f64 through `@symfuse/tensor`'s blocked GEMM. @returns `[m, n]`.
 */
function mulABt(a: Float64Array, b: Float64Array, m: number, n: number, k: number): Float64Array {
  return linalg.matmul64({ data: a, rows: m, cols: k }, { data: b, rows: n, cols: k }, false, true).data;
}

/** `Σ a_i²`. */
function sumSquares(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return s;
}

/** Rotation and scale for anchor head j vs model head k given the cross-Grams, and the objective. */
function solvePair(
  mOut: Float64Array,
  mIn: Float64Array,
  dk: number,
  norms: { xOut: number; xIn: number; yOut: number; yIn: number },
  rotate: boolean,
  rescale: boolean,
): PairSolution {
  let q = 0;
  let r = 0;
  let R: Float64Array | undefined;
  if (rotate) {
    const m = new Float64Array(dk * dk);
    for (let i = 0; i < m.length; i++) m[i] = mOut[i] + mIn[i];
    R = polarFactor(m, dk).R;
    for (let i = 0; i < m.length; i++) {
      q += R[i] * mOut[i];
      r += R[i] * mIn[i];
    }
  } else {
    for (let i = 0; i < dk; i++) {
      q += mOut[i * dk + i];
      r += mIn[i * dk + i];
    }
  }
  const stats = { p: norms.xOut, q, r, s: norms.xIn, anchorNorm2: norms.yOut + norms.yIn };
  if (rotate && rescale) {
    const c = bestScale(stats);
    return { R, a: c.a, cost: Math.max(0, c.objective) };
  }
  return { R, a: 1, cost: Math.max(0, stats.p - 2 * q + stats.s - 2 * r + stats.anchorNorm2) };
}

/** Row-norm² of head j in a `[h·dk, width]` matrix. */
function headNorm(m: Float64Array, j: number, dk: number, width: number): number {
  return sumSquares(m.subarray(j * dk * width, (j + 1) * dk * width));
}

function headRows(m: Float64Array, j: number, dk: number, width: number): Float64Array {
  return m.subarray(j * dk * width, (j + 1) * dk * width);
}

/** Block (j, k) of an `[n, n]` matrix into `[dk, dk]`. */
function blockOf(g: Float64Array, n: number, j: number, k: number, dk: number, out: Float64Array): Float64Array {
  for (let r = 0; r < dk; r++) {
    const src = (j * dk + r) * n + k * dk;
    out.set(g.subarray(src, src + dk), r * dk);
  }
  return out;
}

/**
 * The h×h pairing cost `C[j, k]` = Σ over the group's spaces of the best objective of anchor head j
 * against model head k: the Procrustes residual² `‖X_k‖² + ‖Y_j‖² − 2Σσ(Y_j X_kᵀ)` (then, with
 * rescaling, the rescaled objective — a refinement: a planted scale would otherwise blur the
 * correct pair's cost); `‖X_k − Y_j‖²` for spaces that are not rotated.
 */
function pairingCost(problems: readonly SpaceProblem[], h: number, dk: number): Float64Array {
  const cost = new Float64Array(h * h);
  const mOut = new Float64Array(dk * dk);
  const mIn = new Float64Array(dk * dk);
  for (const pb of problems) {
    const { layout, anchor: Y, model: X } = pb;
    const n = layout.space.size;
    // All h² cross-Grams at once: one [n, n] product per role.
    const gOut = layout.outWidth ? mulABt(Y.out, X.out, n, n, layout.outWidth) : new Float64Array(n * n);
    const gIn = layout.inWidth ? mulABt(Y.in, X.in, n, n, layout.inWidth) : new Float64Array(n * n);
    const yOut = Array.from({ length: h }, (_, j) => headNorm(Y.out, j, dk, layout.outWidth));
    const yIn = Array.from({ length: h }, (_, j) => headNorm(Y.in, j, dk, layout.inWidth));
    const xOut = Array.from({ length: h }, (_, k) => headNorm(X.out, k, dk, layout.outWidth));
    const xIn = Array.from({ length: h }, (_, k) => headNorm(X.in, k, dk, layout.inWidth));
    for (let j = 0; j < h; j++) {
      for (let k = 0; k < h; k++) {
        blockOf(gOut, n, j, k, dk, mOut);
        blockOf(gIn, n, j, k, dk, mIn);
        const norms = { xOut: xOut[k], xIn: xIn[k], yOut: yOut[j], yIn: yIn[j] };
        cost[j * h + k] += solvePair(mOut, mIn, dk, norms, pb.rotate, pb.rescale).cost;
      }
    }
  }
  return cost;
}

/**
 * Solves one head group.
 * @param problems the group's spaces (same head count and size), each with anchor and model matrices.
 * @param pairing find σ by an h×h assignment (minimising the summed pairing cost) with `solver`.
 */
export async function alignHeadGroup(problems: readonly SpaceProblem[], pairing: boolean, solver: Solver): Promise<GroupOutcome> {
  if (problems.length === 0) throw new Error('alignHeadGroup: no spaces');
  const { heads: h, dk } = problems[0].layout;
  for (const pb of problems) {
    if (pb.layout.heads !== h || pb.layout.dk !== dk) {
      throw new Error(`rotation: spaces of one head group must have the same heads; '${problems[0].layout.space.id}' has ${h}×${dk}, '${pb.layout.space.id}' has ${pb.layout.heads}×${pb.layout.dk}`);
    }
  }
  let sigma = new Int32Array(h).map((_, i) => i);
  let pairingReport: GroupOutcome['pairing'];
  if (pairing && h > 1) {
    const t0 = performance.now();
    const cost = pairingCost(problems, h, dk);
    const { cols, total } = await solver.solve(cost, h, h, { maximize: false });
    let costIdentity = 0;
    for (let j = 0; j < h; j++) costIdentity += cost[j * h + j];
    // Keep the identity on ties (an assignment no better than leaving heads in place).
    if (total < costIdentity) sigma = Int32Array.from(cols);
    pairingReport = { costIdentity, cost: Math.min(total, costIdentity), ms: performance.now() - t0 };
  }
  const spaces = problems.map((pb) => solveSpace(pb, sigma));
  return { sigma, spaces, ...(pairingReport ? { pairing: pairingReport } : {}) };
}

function isIdentity(p: Int32Array): boolean {
  for (let i = 0; i < p.length; i++) if (p[i] !== i) return false;
  return true;
}

/** Rotation (and scale) per head for a fixed σ, with exact distances from explicit differences. */
function solveSpace(pb: SpaceProblem, sigma: Int32Array): SpaceOutcome {
  const t0 = performance.now();
  const { layout, anchor: Y, model: X } = pb;
  const { heads: h, dk, outWidth, inWidth } = layout;
  const perParam = new Map<string, { before: number; after: number }>();
  for (const seg of [...layout.out, ...layout.in]) perParam.set(seg.param, { before: 0, after: 0 });
  const heads: HeadReport[] = [];
  const blocks: Float64Array[] = [];
  let anyScale = false;
  const rxOut = new Float64Array(dk * outWidth);
  const rxIn = new Float64Array(dk * inWidth);
  for (let j = 0; j < h; j++) {
    const k = sigma[j];
    const yOut = headRows(Y.out, j, dk, outWidth);
    const yIn = headRows(Y.in, j, dk, inWidth);
    const xOut = headRows(X.out, k, dk, outWidth);
    const xIn = headRows(X.in, k, dk, inWidth);
    let R: Float64Array | undefined;
    let a = 1;
    if (pb.rotate) {
      const mOut = outWidth ? mulABt(yOut, xOut, dk, dk, outWidth) : new Float64Array(dk * dk);
      const mIn = inWidth ? mulABt(yIn, xIn, dk, dk, inWidth) : new Float64Array(dk * dk);
      const norms = { xOut: sumSquares(xOut), xIn: sumSquares(xIn), yOut: sumSquares(yOut), yIn: sumSquares(yIn) };
      ({ R, a } = solvePair(mOut, mIn, dk, norms, true, pb.rescale));
      // R X per role ([dk, dk] · [dk, width]); an empty role (width 0) stays empty.
      if (outWidth) rxOut.set(linalg.matmul64({ data: R!, rows: dk, cols: dk }, { data: xOut, rows: dk, cols: outWidth }).data);
      if (inWidth) rxIn.set(linalg.matmul64({ data: R!, rows: dk, cols: dk }, { data: xIn, rows: dk, cols: inWidth }).data);
    } else {
      rxOut.set(xOut);
      rxIn.set(xIn);
    }
    // Explicit differences: no cancellation when the match is (nearly) exact.
    const identityOut = headRows(X.out, j, dk, outWidth);
    const identityIn = headRows(X.in, j, dk, inWidth);
    let before = 0;
    let afterRotation = 0;
    let after = 0;
    for (const [segs, width, rx, y, x0, f] of [
      [layout.out, outWidth, rxOut, yOut, identityOut, a],
      [layout.in, inWidth, rxIn, yIn, identityIn, 1 / a],
    ] as const) {
      for (const seg of segs) {
        let b = 0;
        let r1 = 0;
        let r2 = 0;
        for (let r = 0; r < dk; r++) {
          const base = r * width + seg.offset;
          for (let c = 0; c < seg.cols; c++) {
            const yv = y[base + c];
            const rv = rx[base + c];
            const d0 = x0[base + c] - yv;
            const d1 = rv - yv;
            const d2 = f * rv - yv;
            b += d0 * d0;
            r1 += d1 * d1;
            r2 += d2 * d2;
          }
        }
        const acc = perParam.get(seg.param)!;
        acc.before += b;
        acc.after += r2;
        before += b;
        afterRotation += r1;
        after += r2;
      }
    }
    if (a !== 1) anyScale = true;
    heads.push({ head: j, pairedWith: k, before, afterRotation, after, scale: a });
    if (R) {
      if (a !== 1) for (let i = 0; i < R.length; i++) R[i] *= a;
      blocks.push(R);
    }
  }
  let element: HeadElement | undefined;
  if (pb.rotate) {
    const blockKind: HeadBlockKind = anyScale ? 'general' : 'orthogonal';
    element = { kind: 'head', headPerm: sigma, headDim: dk, blockKind, blocks };
  } else if (!isIdentity(sigma)) {
    element = { kind: 'head', headPerm: sigma, headDim: dk, blockKind: 'identity' };
  }
  let before = 0;
  let after = 0;
  for (const hr of heads) {
    before += hr.before;
    after += hr.after;
  }
  return { spaceId: layout.space.id, ...(element ? { element } : {}), heads, perParam, before, after, ms: performance.now() - t0 };
}
