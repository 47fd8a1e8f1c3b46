/**
 * Attention alignment (Verma & Elbayad 2024 §3.2) from the correlations of the concatenated head
 * contexts (the input of W_O) of one layer:
 * - `head-perm`: all h² head pairs, an inner `d_k×d_k` assignment per pair, an outer `h×h` assignment
 *   on their optimal totals; slot `j·d_k+i` ← `σ(j)·d_k + π_{jσ(j)}(i)`;
 * - `monotonic`: σ = identity, within-head assignments on the diagonal blocks;
 * - `ignore-heads`: one `d×d` assignment across heads (NOT a symmetry).
 * The result is ONE element shared by the layer's QK and VO spaces (P_MHA applies to W_Q, W_K, W_V and,
 * transposed, to W_O): a head element with permutation blocks, or a plain permutation for ignore-heads.
 */
import { indexSpec, type SpaceElement, type SpaceSpec, type SymmetrySpec } from '@symfuse/symmetry';
import { flatPermOf, headAssignment, headElementOf } from '../assignment/heads.js';
import { diagonalSum, maximizeAssignment } from '../assignment/solve.js';
import { siteOfSpace } from '../correlation/sites.js';
import type { AlignContext } from './context.js';
import type { MhaStrategy } from './options.js';

/** The attention spaces of one layer (one head group) that the request gives. */
export interface AttentionGroup {
  readonly key: string;
  readonly layer: number | undefined;
  /** Given space ids of the group, in spec order. */
  readonly given: readonly string[];
  /** Every space id of the group in the spec. */
  readonly all: readonly string[];
  /** A representative space (all given spaces have its size and head blocking). */
  readonly space: SpaceSpec;
}

/** Groups the given attention spaces by head group. */
export function attentionGroups(spec: SymmetrySpec, spaces: readonly SpaceSpec[]): AttentionGroup[] {
  const groups = new Map<string, SpaceSpec[]>();
  for (const s of spaces) {
    if (s.component !== 'attention-qk' && s.component !== 'attention-vo') continue;
    const key = s.headGroup ?? s.id;
    const list = groups.get(key);
    if (list) list.push(s);
    else groups.set(key, [s]);
  }
  const index = indexSpec(spec);
  return [...groups].map(([key, list]) => {
    const shapes = new Set(list.map((s) => `${s.size}/${s.heads?.count}/${s.heads?.dim}`));
    if (shapes.size > 1) throw new Error(`verma-elbayad: attention spaces ${list.map((s) => s.id).join(', ')} of head group '${key}' have different sizes or head blockings`);
    const group = list[0].headGroup;
    return {
      key,
      layer: list[0].layer,
      given: list.map((s) => s.id),
      all: group !== undefined ? (index.headGroups.get(group) ?? list.map((s) => s.id)) : list.map((s) => s.id),
      space: list[0],
    };
  });
}

/** The element of one layer's attention, its flat permutation, and whether it is a symmetry. */
export interface AttentionResult {
  readonly element: SpaceElement;
  readonly flat: Int32Array;
  readonly preservesFunction: boolean;
}

/** Solves one head group with strategy `asked`, recording trace and diagnostics in `ctx`. */
export async function alignAttentionGroup(ctx: AlignContext, group: AttentionGroup, asked: MhaStrategy): Promise<AttentionResult> {
  const space = group.space;
  const n = space.size;
  const site = siteOfSpace(ctx.spec, space)!;
  const c = ctx.correlation(site, n, `attention space '${space.id}'`);
  const label = group.given.join('+');
  let strategy = asked;
  if (strategy !== 'ignore-heads' && !space.heads) {
    throw new Error(`verma-elbayad: attention space '${space.id}' has no head blocking; mha '${asked}' needs heads (use 'ignore-heads')`);
  }
  if (strategy === 'head-perm' && group.given.length < group.all.length) {
    // QK and VO of a layer must share σ; with one of them left untouched σ has to be the identity.
    strategy = 'monotonic';
    const missing = group.all.filter((id) => !group.given.includes(id));
    ctx.warnings.push(`${label}: head-perm needs every space of head group '${group.key}' (missing ${missing.join(', ')}); used monotonic (σ = identity) instead`);
  }
  const before = diagonalSum(c.data, n);
  const ts = performance.now();
  let result: AttentionResult;
  let total: number;
  let detail: Record<string, unknown> = {};
  if (strategy === 'ignore-heads') {
    const a = await maximizeAssignment(ctx.solver, c.data, n, `verma-elbayad ${label} (ignore-heads)`);
    result = { element: { kind: 'permutation', perm: a.perm }, flat: a.perm, preservesFunction: false };
    total = a.total;
  } else {
    const { count: h, dim: dk } = space.heads!;
    const ha = await headAssignment(ctx.solver, [c.data], h, dk, { monotonic: strategy === 'monotonic', what: `verma-elbayad ${label}` });
    result = { element: headElementOf(ha, dk), flat: flatPermOf(ha, dk), preservesFunction: true };
    total = ha.total;
    detail = { heads: h, headDim: dk, headPerm: Array.from(ha.headPerm), innerSolves: ha.innerSolves };
  }
  ctx.record({ space: label, site, step: `mha-${strategy}`, size: n, objectiveBefore: before, objectiveAfter: total, ms: performance.now() - ts }, group.layer, detail);
  ctx.report(c, group.given, result.flat, result.preservesFunction);
  return result;
}
