/**
 * The Verma–Elbayad aligner (`verma-elbayad`): correlation matching of the FFN neurons, the attention
 * heads (head-perm, monotonic or ignore-heads), the residual stream (identity, first, last, all,
 * separate) and optionally the classifier head, from pairwise `correlation` statistics.
 *
 * Every space is solved from the correlations of the ORIGINAL features of the two models: B's FFN
 * activations and head contexts do not depend on B's residual basis (a residual permutation P_r maps
 * x to P_r x and W_1, W_Q, … to W P_rᵀ, so W x is unchanged), so the spaces are independent and the
 * spec's bindings compose the elements (W_1 ← P_ffn W_1 P_rᵀ, …) when the transform is applied.
 * @see ALGORITHMS.md "Correlation matching"; Verma & Elbayad 2024 §3.
 */
import type { Aligner, AlignRequest, AlignResult, SpaceElement, SpaceSpec, StatNeed } from '@symfuse/symmetry';
import { diagonalSum, maximizeAssignment } from '../assignment/solve.js';
import { CORRELATION_KIND } from '../correlation/bundle.js';
import { siteOfSpace } from '../correlation/sites.js';
import type { SiteCorrelation, SiteCorrelationMatrices } from '../diagnostics.js';
import { alignAttentionGroup, attentionGroups } from './attention.js';
import { AlignContext, type SolveRecord } from './context.js';
import { type VermaElbayadOptions, vermaElbayadOptions } from './options.js';
import { alignResidual } from './residual.js';

export type { SolveRecord } from './context.js';

const NEED: StatNeed = { kind: CORRELATION_KIND, pairwise: true };

/** What `diagnostics` holds. */
export interface VermaElbayadDiagnostics {
  readonly aligner: 'verma-elbayad';
  readonly options: VermaElbayadOptions;
  /** Per aligned site, mean matched correlation before and after (Fig. 4). */
  readonly sites: readonly SiteCorrelation[];
  /** Per site, the matrices (Fig. 5), when `correlationMatrices` asks for them. */
  readonly correlationMatrices?: Readonly<Record<string, SiteCorrelationMatrices>>;
  /** Every assignment solved, with its objective before (identity) and after, and its time. */
  readonly solves: readonly SolveRecord[];
  /** Milliseconds: the whole call, the solves, and the solves per layer (`other`: residual, head). */
  readonly timings: { readonly totalMs: number; readonly solveMs: number; readonly perLayerMs: Readonly<Record<string, number>> };
  readonly preservesFunction: boolean;
  readonly warnings: readonly string[];
}

/** Which parts of the request need work (nothing to do → no statistics needed). */
function plan(options: VermaElbayadOptions, spaces: readonly SpaceSpec[]) {
  const has = (c: SpaceSpec['component']) => spaces.some((s) => s.component === c);
  return {
    ffn: options.ffn && has('ffn'),
    mha: options.mha !== 'none' && (has('attention-qk') || has('attention-vo')),
    head: options.classifierHead && has('head'),
    residual: options.residual !== 'identity' && has('residual'),
  };
}

/** The Verma–Elbayad aligner. */
export function vermaElbayadAligner(): Aligner<VermaElbayadOptions> {
  return {
    id: 'verma-elbayad',
    prettyName: 'Verma–Elbayad correlation matching (FFN, head-perm MHA, residual strategies)',
    reference: 'Verma & Elbayad 2024, "Merging Text Transformer Models from Different Initializations" (TMLR)',
    components: ['residual', 'ffn', 'attention-qk', 'attention-vo', 'head'],
    options: vermaElbayadOptions,
    needs: [NEED],
    needsFor(options, spaces) {
      const p = plan(options, spaces);
      return p.ffn || p.mha || p.head || p.residual ? [NEED] : [];
    },
    align: alignVermaElbayad,
  };
}

/** A plain permutation space (FFN neurons, classifier head) aligned from its own site. */
async function alignPlain(ctx: AlignContext, space: SpaceSpec, step: string): Promise<SpaceElement> {
  const site = siteOfSpace(ctx.spec, space)!;
  const c = ctx.correlation(site, space.size, `space '${space.id}'`);
  const ts = performance.now();
  const a = await maximizeAssignment(ctx.solver, c.data, space.size, `verma-elbayad ${space.id}`);
  ctx.record({ space: space.id, site, step, size: space.size, objectiveBefore: diagonalSum(c.data, space.size), objectiveAfter: a.total, ms: performance.now() - ts }, space.layer);
  ctx.report(c, [space.id], a.perm, true);
  return { kind: 'permutation', perm: a.perm };
}

/** Runs the Verma–Elbayad alignment of `request.model` to `request.anchor` on `request.spaces`. */
export async function alignVermaElbayad(request: AlignRequest<VermaElbayadOptions>): Promise<AlignResult> {
  const t0 = performance.now();
  const { spaces } = request;
  const options = vermaElbayadOptions.parse(request.options);
  const ctx = new AlignContext(request, options);
  const todo = plan(options, spaces);
  const elements = new Map<string, SpaceElement>();
  let paramOverrides: Map<string, Map<string, SpaceElement>> | undefined;
  let preservesFunction = true;
  let done = 0;
  const tick = (count: number, detail: string) => request.progress?.({ stage: 'verma-elbayad', done: (done += count), total: spaces.length, detail });

  if (todo.ffn) {
    for (const space of spaces.filter((s) => s.component === 'ffn')) {
      elements.set(space.id, await alignPlain(ctx, space, 'ffn'));
      tick(1, space.id);
    }
  }
  if (todo.mha) {
    for (const group of attentionGroups(request.spec, spaces)) {
      const r = await alignAttentionGroup(ctx, group, options.mha);
      for (const id of group.given) elements.set(id, r.element);
      if (!r.preservesFunction) preservesFunction = false;
      tick(group.given.length, group.key);
    }
  }
  if (todo.head) {
    for (const space of spaces.filter((s) => s.component === 'head')) {
      elements.set(space.id, await alignPlain(ctx, space, 'head'));
      tick(1, space.id);
    }
  } else if (options.classifierHead && !spaces.some((s) => s.component === 'head')) {
    ctx.warnings.push("classifierHead: true but no head space was given (the model has no classifier head, or the selection excludes 'head')");
  }
  const residual = spaces.filter((s) => s.component === 'residual');
  if (todo.residual) {
    for (const space of residual) {
      const r = await alignResidual(ctx, space);
      if (r.kind === 'element') elements.set(space.id, r.element);
      else {
        paramOverrides = r.overrides;
        preservesFunction = false;
      }
      tick(1, space.id);
    }
  } else if (options.residual !== 'identity' && residual.length === 0) {
    ctx.warnings.push(`residual: '${options.residual}' was asked but no residual space was given (select 'residual' in the step's spaces)`);
  }

  const diagnostics: VermaElbayadDiagnostics = {
    aligner: 'verma-elbayad',
    options,
    sites: ctx.sites,
    ...(Object.keys(ctx.matrices).length ? { correlationMatrices: ctx.matrices } : {}),
    solves: ctx.solves,
    timings: { totalMs: performance.now() - t0, solveMs: ctx.solves.reduce((a, s) => a + s.ms, 0), perLayerMs: ctx.perLayerMs },
    preservesFunction,
    warnings: ctx.warnings,
  };
  return {
    transform: {
      elements,
      preservesFunction,
      ...(paramOverrides ? { paramOverrides } : {}),
      provenance: { aligner: 'verma-elbayad', options: { ...options }, seed: request.seed, solver: request.solver.id },
    },
    trace: ctx.trace,
    diagnostics: diagnostics as unknown as Record<string, unknown>,
  };
}
