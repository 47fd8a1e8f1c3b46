/**
 * The Verma–Elbayad aligner (`verma-elbayad`): correlation matching of the FFN neurons, the attention
 * heads (head-perm, monotonic or ignore-heads), the residual stream (identity, first, last, all,
 * separate) and optionally the classifier head, from pairwise `correlation` statistics.
 *
 * Every space is solved from the correlations of the ORIGINAL features of the two models: B's FFN
 * activations and head contexts do not depend on B's residual basis (a residual permutation P_r moves
 * x into P_r x and W_1, W_Q, … into W P_rᵀ, so W x is unchanged), so the spaces are independent and
 * the spec's bindings compose the elements (W_1 ← P_ffn W_1 P_rᵀ, …) when the transform is applied.
 * @see ALGORITHMS.md "Correlation matching"; Verma & Elbayad 2024 §3.
 */
import type { EncoderConfig } from '@symfuse/models';
import {
  type Aligner,
  type AlignRequest,
  type AlignResult,
  indexSpec,
  type SpaceElement,
  type SpaceSpec,
  type StatNeed,
  type StatsBundle,
  type TraceEvent,
} from '@symfuse/symmetry';
import { flatPermOf, headAssignment, headElementOf } from '../assignment/heads.js';
import { diagonalSum, maximizeAssignment } from '../assignment/solve.js';
import { CORRELATION_KIND, type CorrelationMatrix, correlationMatrix } from '../correlation/bundle.js';
import { layerCount, residualSites, siteOfSpace } from '../correlation/sites.js';
import { meanMatchedCorrelation, permuteColumns, type SiteCorrelation, type SiteCorrelationMatrices } from '../diagnostics.js';
import { type MhaStrategy, type VermaElbayadOptions, vermaElbayadOptions } from './options.js';
import { separateResidualSites } from './separate.js';

const NEED: StatNeed = { kind: CORRELATION_KIND, pairwise: true };

/** One assignment the aligner solved, for reports. */
export interface SolveRecord {
  readonly space: string;
  readonly site: string;
  /** `ffn`, `mha-head-perm`, `mha-monotonic`, `mha-ignore-heads`, `residual-<strategy>`, `head`. */
  readonly step: string;
  /** Features n of the `n×n` problem (for head-perm: h² inner `d_k×d_k` problems and one `h×h`). */
  readonly size: number;
  /** Σ of the correlations of the identity / of the solution. */
  readonly objectiveBefore: number;
  readonly objectiveAfter: number;
  readonly ms: number;
}

/** What `diagnostics` holds. */
export interface VermaElbayadDiagnostics {
  readonly aligner: 'verma-elbayad';
  readonly options: VermaElbayadOptions;
  /** Per site, mean diagonal correlation before and after (Fig. 4). */
  readonly sites: readonly SiteCorrelation[];
  /** Per site, the matrices (Fig. 5), when `correlationMatrices` asks for them. */
  readonly correlationMatrices?: Readonly<Record<string, SiteCorrelationMatrices>>;
  readonly solves: readonly SolveRecord[];
  /** Milliseconds: total, in solvers, and per layer (solves of that layer's spaces). */
  readonly timings: { readonly totalMs: number; readonly solveMs: number; readonly perLayerMs: Readonly<Record<string, number>> };
  readonly preservesFunction: boolean;
  readonly warnings: readonly string[];
}

/** Which parts of the request need data (nothing to do → no statistics needed). */
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

/** Runs the Verma–Elbayad alignment of `request.model` to `request.anchor`. */
export async function alignVermaElbayad(request: AlignRequest<VermaElbayadOptions>): Promise<AlignResult> {
  const t0 = performance.now();
  const { spec, spaces, solver } = request;
  const options = vermaElbayadOptions.parse(request.options);
  const todo = plan(options, spaces);
  const elements = new Map<string, SpaceElement>();
  let paramOverrides: Map<string, Map<string, SpaceElement>> | undefined;
  const trace: TraceEvent[] = [];
  const solves: SolveRecord[] = [];
  const sites: SiteCorrelation[] = [];
  const matrices: Record<string, SiteCorrelationMatrices> = {};
  const warnings: string[] = [];
  const perLayerMs: Record<string, number> = {};
  let preservesFunction = true;

  const bundle: StatsBundle | undefined = request.stats.get(CORRELATION_KIND);
  if ((todo.ffn || todo.mha || todo.head || todo.residual) && !bundle) {
    throw new Error(`verma-elbayad: needs pairwise '${CORRELATION_KIND}' statistics (anchor × model) but the request has ${request.stats.size ? [...request.stats.keys()].join(', ') : 'none'}`);
  }
  const cache = new Map<string, CorrelationMatrix>();
  const corr = (site: string, size: number, what: string): CorrelationMatrix => {
    let c = cache.get(site);
    if (!c) cache.set(site, (c = correlationMatrix(bundle!, site)));
    if (c.rows !== size || c.cols !== size) {
      throw new Error(`verma-elbayad: site '${site}' has ${c.rows}×${c.cols} correlations but ${what} has size ${size}; were the statistics collected for these models?`);
    }
    return c;
  };
  const wantMatrices = (site: string) => options.correlationMatrices === true || (Array.isArray(options.correlationMatrices) && options.correlationMatrices.includes(site));
  const report = (c: CorrelationMatrix, spaceIds: readonly string[], perm: Int32Array, exact: boolean) => {
    sites.push({
      site: c.site,
      spaces: spaceIds,
      features: c.rows,
      count: c.count,
      meanDiagBefore: meanMatchedCorrelation(c.data, c.rows, c.cols),
      meanDiagAfter: meanMatchedCorrelation(c.data, c.rows, c.cols, perm),
      exact,
    });
    if (wantMatrices(c.site)) matrices[c.site] = { rows: c.rows, cols: c.cols, before: c.data.slice(), after: permuteColumns(c.data, c.rows, c.cols, perm) };
  };
  const record = (r: SolveRecord, layer: number | undefined, detail: Record<string, unknown> = {}) => {
    solves.push(r);
    trace.push({ space: r.space, step: r.step, objectiveBefore: r.objectiveBefore, objectiveAfter: r.objectiveAfter, ms: r.ms, detail: { site: r.site, size: r.size, ...detail } });
    const key = layer === undefined ? 'other' : String(layer);
    perLayerMs[key] = (perLayerMs[key] ?? 0) + r.ms;
  };
  const total = spaces.length;
  let done = 0;
  const tick = (detail: string) => request.progress?.({ stage: 'verma-elbayad', done: ++done, total, detail });

  /** A plain permutation space (FFN, classifier head) from its own site. */
  const alignPlain = async (space: SpaceSpec, step: string) => {
    const site = siteOfSpace(spec, space)!;
    const c = corr(site, space.size, `space '${space.id}'`);
    const ts = performance.now();
    const a = await maximizeAssignment(solver, c.data, space.size, `verma-elbayad ${space.id}`);
    record({ space: space.id, site, step, size: space.size, objectiveBefore: diagonalSum(c.data, space.size), objectiveAfter: a.total, ms: performance.now() - ts }, space.layer);
    elements.set(space.id, { kind: 'permutation', perm: a.perm });
    report(c, [space.id], a.perm, true);
    tick(space.id);
  };

  if (todo.ffn) for (const space of spaces.filter((s) => s.component === 'ffn')) await alignPlain(space, 'ffn');

  if (todo.mha) {
    for (const group of attentionGroups(spec, spaces)) {
      const r = await alignAttention(request, group, options.mha, corr, warnings);
      for (const id of group.given) elements.set(id, r.element);
      if (!r.preservesFunction) preservesFunction = false;
      record(r.solve, group.layer, r.detail);
      report(r.c, group.given, r.flat, r.preservesFunction);
      tick(r.solve.space);
      if (group.given.length > 1) done += group.given.length - 1;
    }
  }

  if (todo.head) for (const space of spaces.filter((s) => s.component === 'head')) await alignPlain(space, 'head');
  else if (options.classifierHead && !spaces.some((s) => s.component === 'head')) warnings.push("classifierHead: true but no head space was given (the model has no classifier head, or the selection excludes 'head')");

  const residual = spaces.filter((s) => s.component === 'residual');
  if (todo.residual) {
    const L = layerCount(spec);
    const rs = residualSites(L);
    for (const space of residual) {
      if (options.residual === 'separate') {
        const perms = new Map<string, Int32Array>();
        for (const site of rs.all) {
          const c = corr(site, space.size, `residual space '${space.id}'`);
          const ts = performance.now();
          const a = await maximizeAssignment(solver, c.data, space.size, `verma-elbayad ${space.id} (${site})`);
          record({ space: space.id, site, step: 'residual-separate', size: space.size, objectiveBefore: diagonalSum(c.data, space.size), objectiveAfter: a.total, ms: performance.now() - ts }, undefined);
          perms.set(site, a.perm);
          report(c, [space.id], a.perm, false);
        }
        const siteOf = separateResidualSites(request.model.config as EncoderConfig);
        paramOverrides = new Map();
        for (const b of indexSpec(spec).bindingsBySpace.get(space.id) ?? []) {
          const site = siteOf.get(b.param);
          if (!site) throw new Error(`verma-elbayad: residual strategy 'separate' does not know which residual state parameter '${b.param}' lives in (spec '${spec.architecture}')`);
          paramOverrides.set(b.param, new Map([[space.id, { kind: 'permutation', perm: perms.get(site)! }]]));
        }
        preservesFunction = false;
      } else {
        const used = options.residual === 'first' ? [rs.first] : options.residual === 'last' ? [rs.last] : rs.all;
        const n = space.size;
        const cs = used.map((site) => corr(site, n, `residual space '${space.id}'`));
        // 'all' (ALGORITHMS.md Decision): the sum of the sites' correlation matrices, one assignment.
        const sum = cs.length === 1 ? cs[0].data : new Float64Array(n * n);
        if (cs.length > 1) for (const c of cs) for (let i = 0; i < sum.length; i++) sum[i] += c.data[i];
        const ts = performance.now();
        const a = await maximizeAssignment(solver, sum, n, `verma-elbayad ${space.id}`);
        record({ space: space.id, site: used.join('+'), step: `residual-${options.residual}`, size: n, objectiveBefore: diagonalSum(sum, n), objectiveAfter: a.total, ms: performance.now() - ts }, undefined, { sites: used });
        elements.set(space.id, { kind: 'permutation', perm: a.perm });
        for (const c of cs) report(c, [space.id], a.perm, true);
      }
      tick(space.id);
    }
  } else if (options.residual !== 'identity' && residual.length === 0) {
    warnings.push(`residual: '${options.residual}' was asked but no residual space was given (select 'residual' in the step's spaces)`);
  }

  const solveMs = solves.reduce((a, s) => a + s.ms, 0);
  const diagnostics: VermaElbayadDiagnostics = {
    aligner: 'verma-elbayad',
    options,
    sites,
    ...(Object.keys(matrices).length ? { correlationMatrices: matrices } : {}),
    solves,
    timings: { totalMs: performance.now() - t0, solveMs, perLayerMs },
    preservesFunction,
    warnings,
  };
  return {
    transform: {
      elements,
      preservesFunction,
      ...(paramOverrides ? { paramOverrides } : {}),
      provenance: { aligner: 'verma-elbayad', options: { ...options }, seed: request.seed, solver: solver.id },
    },
    trace,
    diagnostics: diagnostics as unknown as Record<string, unknown>,
  };
}

/** The attention spaces of one layer (one head group) that the request gives. */
interface AttentionGroup {
  readonly key: string;
  readonly layer: number | undefined;
  /** Given space ids of the group. */
  readonly given: readonly string[];
  /** Every space id of the group in the spec. */
  readonly all: readonly string[];
  readonly space: SpaceSpec;
}

function attentionGroups(spec: AlignRequest<unknown>['spec'], spaces: readonly SpaceSpec[]): AttentionGroup[] {
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
    const sizes = new Set(list.map((s) => `${s.size}/${s.heads?.count}/${s.heads?.dim}`));
    if (sizes.size > 1) throw new Error(`verma-elbayad: attention spaces ${list.map((s) => s.id).join(', ')} of head group '${key}' have different sizes or head blockings`);
    return {
      key,
      layer: list[0].layer,
      given: list.map((s) => s.id),
      all: list[0].headGroup !== undefined ? (index.headGroups.get(list[0].headGroup) ?? list.map((s) => s.id)) : list.map((s) => s.id),
      space: list[0],
    };
  });
}

/** Solves one layer's attention from its context correlations. */
async function alignAttention(
  request: AlignRequest<VermaElbayadOptions>,
  group: AttentionGroup,
  asked: MhaStrategy,
  corr: (site: string, size: number, what: string) => CorrelationMatrix,
  warnings: string[],
): Promise<{ element: SpaceElement; flat: Int32Array; c: CorrelationMatrix; solve: SolveRecord; preservesFunction: boolean; detail: Record<string, unknown> }> {
  const { spec, solver } = request;
  const space = group.space;
  const n = space.size;
  const site = siteOfSpace(spec, space)!;
  const c = corr(site, n, `attention space '${space.id}'`);
  const label = group.given.join('+');
  let strategy = asked;
  if (strategy !== 'ignore-heads' && !space.heads) {
    throw new Error(`verma-elbayad: attention space '${space.id}' has no head blocking; mha '${asked}' needs heads (use 'ignore-heads')`);
  }
  if (strategy === 'head-perm' && group.given.length < group.all.length) {
    // QK and VO of a layer must share σ; with one of them left untouched σ has to be the identity.
    strategy = 'monotonic';
    const missing = group.all.filter((id) => !group.given.includes(id));
    warnings.push(`${label}: head-perm needs every space of head group '${group.key}' (missing ${missing.join(', ')}); used monotonic (σ = identity) instead`);
  }
  const before = diagonalSum(c.data, n);
  const ts = performance.now();
  if (strategy === 'ignore-heads') {
    const a = await maximizeAssignment(solver, c.data, n, `verma-elbayad ${label} (ignore-heads)`);
    const ms = performance.now() - ts;
    return {
      element: { kind: 'permutation', perm: a.perm },
      flat: a.perm,
      c,
      solve: { space: label, site, step: 'mha-ignore-heads', size: n, objectiveBefore: before, objectiveAfter: a.total, ms },
      preservesFunction: false,
      detail: {},
    };
  }
  const { count: h, dim: dk } = space.heads!;
  const ha = await headAssignment(solver, [c.data], h, dk, { monotonic: strategy === 'monotonic', what: `verma-elbayad ${label}` });
  const ms = performance.now() - ts;
  return {
    element: headElementOf(ha, dk),
    flat: flatPermOf(ha, dk),
    c,
    solve: { space: label, site, step: `mha-${strategy}`, size: n, objectiveBefore: before, objectiveAfter: ha.total, ms },
    preservesFunction: true,
    detail: { heads: h, headDim: dk, headPerm: Array.from(ha.headPerm), innerSolves: ha.innerSolves },
  };
}
