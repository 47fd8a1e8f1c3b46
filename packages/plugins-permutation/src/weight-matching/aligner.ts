/**
 * Weight matching (`weight-matching`, dataless; Ainsworth et al. 2023 "Git Re-Basin", Algorithm 1):
 * coordinate descent over the permutation spaces in a seeded random order; each step solves one
 * space's assignment with the other spaces' current permutations fixed (`similarity.ts`), and the
 * descent stops after a full pass in which no space improves its objective.
 *
 * Head-blocked attention spaces are solved as head-perm (ALGORITHMS.md "Correlation matching",
 * Algorithm 1 applied to weight similarities): one layer's QK and VO spaces form ONE coordinate with a
 * shared head permutation σ (pair costs summed over both) and their own within-head permutations —
 * both are symmetries (Q gets M, K gets M⁻ᵀ = M; V gets N, W_O's columns Nᵀ). `attention: 'skip'`
 * leaves them alone.
 * @see ALGORITHMS.md "Weight matching".
 */
import {
  type Aligner,
  type AlignRequest,
  type AlignResult,
  createRng,
  indexSpec,
  type SpaceElement,
  type SpaceSpec,
  type TraceEvent,
  zodOptions,
} from '@symfuse/symmetry';
import { z } from 'zod';
import { flatPermOf, headAssignment, headElementOf } from '../assignment/heads.js';
import { assignedSum, identityPerm, maximizeAssignment } from '../assignment/solve.js';
import { type HostParams, matchingObjective, spaceSimilarity } from './similarity.js';

const schema = z
  .object({
    attention: z.enum(['head-perm', 'skip']).default('head-perm'),
    maxIterations: z.number().int().min(1).default(100),
    tolerance: z.number().min(0).default(1e-12),
  })
  .strict();

/** Parsed options of weight matching. */
export type WeightMatchingOptions = z.output<typeof schema>;

/** The options schema of weight matching. */
export const weightMatchingOptions = zodOptions(schema, {
  attention: "Head-blocked attention spaces: 'head-perm' (shared head permutation per layer, within-head permutations per space) or 'skip' (default head-perm).",
  maxIterations: 'Most passes over the spaces (default 100); the descent normally stops earlier, when a pass improves no space.',
  tolerance: 'Relative improvement a step must make to count (default 1e-12).',
});

/** One coordinate of the descent: a permutation space, or one layer's attention spaces. */
interface Unit {
  readonly id: string;
  readonly spaces: readonly SpaceSpec[];
  readonly heads?: { readonly count: number; readonly dim: number; readonly headPerm: boolean; readonly within: boolean };
}

function units(spec: AlignRequest<unknown>['spec'], spaces: readonly SpaceSpec[], options: WeightMatchingOptions, warnings: string[]): Unit[] {
  const out: Unit[] = [];
  const groups = new Map<string, SpaceSpec[]>();
  for (const s of spaces) {
    if (s.heads) {
      if (options.attention === 'skip') continue;
      const key = s.headGroup ?? s.id;
      groups.set(key, [...(groups.get(key) ?? []), s]);
    } else if (s.kinds.includes('permutation')) out.push({ id: s.id, spaces: [s] });
    else warnings.push(`space '${s.id}' admits no permutation (kinds ${s.kinds.join(', ')}); left unchanged`);
  }
  const index = indexSpec(spec);
  for (const [key, list] of groups) {
    const all = list[0].headGroup !== undefined ? (index.headGroups.get(list[0].headGroup) ?? []) : [list[0].id];
    const complete = all.every((id) => list.some((s) => s.id === id));
    const headPerm = complete && list.every((s) => s.kinds.includes('head-permutation'));
    const within = list.every((s) => s.kinds.includes('permutation'));
    if (!complete) warnings.push(`head group '${key}': only ${list.map((s) => s.id).join(', ')} of ${all.join(', ')} given; the head permutation stays the identity`);
    if (!headPerm && !within) {
      warnings.push(`head group '${key}' admits neither head nor within-head permutations here; left unchanged`);
      continue;
    }
    const { count, dim } = list[0].heads!;
    if (list.some((s) => s.heads!.count !== count || s.heads!.dim !== dim)) throw new Error(`weight-matching: spaces of head group '${key}' have different head blockings`);
    out.push({ id: list.map((s) => s.id).join('+'), spaces: list, heads: { count, dim, headPerm, within } });
  }
  return out;
}

async function hostParams(request: AlignRequest<unknown>, names: ReadonlySet<string>): Promise<HostParams> {
  const read = async (m: AlignRequest<unknown>['anchor'], who: string) => {
    const out = new Map<string, Float64Array>();
    for (const name of names) {
      const t = m.params.get(name);
      if (!t) throw new Error(`weight-matching: the ${who} has no parameter '${name}'`);
      out.set(name, Float64Array.from(await t.data()));
    }
    return out;
  };
  return { anchor: await read(request.anchor, 'anchor'), model: await read(request.model, 'model') };
}

/** What `diagnostics` holds. */
export interface WeightMatchingDiagnostics {
  readonly aligner: 'weight-matching';
  readonly options: WeightMatchingOptions;
  /** Full passes made; `converged` is false when `maxIterations` stopped the descent. */
  readonly iterations: number;
  readonly converged: boolean;
  /** `Σ_W ⟨W_A, T(W_B)⟩` over the parameters the spaces touch, before and after. */
  readonly objectiveBefore: number;
  readonly objectiveAfter: number;
  /** Per coordinate, the solves it took and its time. */
  readonly units: readonly { readonly id: string; readonly solves: number; readonly improvements: number; readonly ms: number }[];
  /** Milliseconds: the whole call, and the coordinate steps (similarity + assignment). */
  readonly timings: { readonly totalMs: number; readonly solveMs: number };
  readonly warnings: readonly string[];
}

/** The weight-matching aligner. */
export function weightMatchingAligner(): Aligner<WeightMatchingOptions> {
  return {
    id: 'weight-matching',
    prettyName: 'Weight matching (git re-basin coordinate descent, dataless)',
    reference: 'Ainsworth, Hayase & Srinivasa 2023, "Git Re-Basin: Merging Models modulo Permutation Symmetries" (ICLR)',
    components: ['residual', 'ffn', 'attention-qk', 'attention-vo', 'head'],
    options: weightMatchingOptions,
    needs: [],
    align: alignWeightMatching,
  };
}

/** Runs weight matching of `request.model` to `request.anchor` on `request.spaces`. */
export async function alignWeightMatching(request: AlignRequest<WeightMatchingOptions>): Promise<AlignResult> {
  const t0 = performance.now();
  const options = weightMatchingOptions.parse(request.options);
  const { spec, solver } = request;
  const warnings: string[] = [];
  const coords = units(spec, request.spaces, options, warnings);
  const index = indexSpec(spec);
  const touched = new Set<string>();
  for (const u of coords) for (const s of u.spaces) for (const b of index.bindingsBySpace.get(s.id) ?? []) touched.add(b.param);
  // Parameters that share an axis-bound parameter with a unit's space are all in `touched` (a
  // parameter's other bindings only transform it; they need no data of their own).
  const host = await hostParams(request, touched);
  const current = new Map<string, Int32Array>();
  const elements = new Map<string, SpaceElement>();
  for (const u of coords) for (const s of u.spaces) current.set(s.id, identityPerm(s.size));
  const objectiveBefore = matchingObjective(spec, touched, host, current);

  const trace: TraceEvent[] = [];
  const stats = new Map(coords.map((u) => [u.id, { id: u.id, solves: 0, improvements: 0, ms: 0 }]));
  const rng = createRng(request.seed);
  let iterations = 0;
  let converged = false;
  let solveMs = 0;
  while (iterations < options.maxIterations) {
    iterations++;
    let improved = false;
    const order = rng.permutation(coords.length);
    for (let k = 0; k < order.length; k++) {
      const u = coords[order[k]];
      const ts = performance.now();
      const sims = u.spaces.map((s) => spaceSimilarity(spec, s.id, host, current));
      const before = u.spaces.reduce((acc, s, m) => acc + assignedSum(sims[m], s.size, current.get(s.id)!), 0);
      let after: number;
      let next: { id: string; perm: Int32Array; element: SpaceElement }[];
      if (u.heads) {
        const { count, dim } = u.heads;
        const ha = await headAssignment(solver, sims, count, dim, { monotonic: !u.heads.headPerm, withinHead: u.heads.within, what: `weight-matching ${u.id}` });
        after = ha.total;
        next = u.spaces.map((s, m) => ({ id: s.id, perm: flatPermOf(ha, dim, m), element: headElementOf(ha, dim, m) }));
      } else {
        const s = u.spaces[0];
        const a = await maximizeAssignment(solver, sims[0], s.size, `weight-matching ${s.id}`);
        after = a.total;
        next = [{ id: s.id, perm: a.perm, element: { kind: 'permutation', perm: a.perm } }];
      }
      const ms = performance.now() - ts;
      solveMs += ms;
      const better = after > before + options.tolerance * Math.max(1, Math.abs(before));
      if (better) {
        for (const x of next) {
          current.set(x.id, x.perm);
          elements.set(x.id, x.element);
        }
        improved = true;
      }
      const st = stats.get(u.id)!;
      st.solves++;
      st.ms += ms;
      if (better) st.improvements++;
      trace.push({ space: u.id, step: 'weight-matching', objectiveBefore: before, objectiveAfter: better ? after : before, ms, detail: { iteration: iterations, improved: better } });
      request.progress?.({ stage: 'weight-matching', done: k + 1, total: order.length, detail: `pass ${iterations}: ${u.id}` });
    }
    if (!improved) {
      converged = true;
      break;
    }
  }
  if (!converged) warnings.push(`stopped after maxIterations = ${options.maxIterations} passes while spaces still improved`);
  const diagnostics: WeightMatchingDiagnostics = {
    aligner: 'weight-matching',
    options,
    iterations,
    converged,
    objectiveBefore,
    objectiveAfter: matchingObjective(spec, touched, host, current),
    units: [...stats.values()],
    timings: { totalMs: performance.now() - t0, solveMs },
    warnings,
  };
  return {
    transform: { elements, preservesFunction: true, provenance: { aligner: 'weight-matching', options: { ...options }, seed: request.seed, solver: solver.id } },
    trace,
    diagnostics: diagnostics as unknown as Record<string, unknown>,
  };
}
