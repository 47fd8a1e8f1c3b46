/**
 * Residual-stream alignment (Verma & Elbayad 2024 §3.3). One permutation for the whole stream from:
 * `first` (the embedding output), `last` (the last layer's output x_f) or `all` (ALGORITHMS.md
 * Decision: the SUM of the correlation matrices of the embedding output and of every x_a and x_f,
 * then one assignment). `separate` (NOT a symmetry) gives every residual site its own permutation,
 * applied per parameter through `paramOverrides` (see `separate.ts`).
 */
import type { EncoderConfig } from '@symfuse/models';
import { indexSpec, type SpaceElement, type SpaceSpec } from '@symfuse/symmetry';
import { diagonalSum, maximizeAssignment } from '../assignment/solve.js';
import { layerCount, residualSites } from '../correlation/sites.js';
import type { AlignContext } from './context.js';
import { separateResidualSites } from './separate.js';

/** What the residual strategy produced for one residual space. */
export type ResidualResult =
  | { readonly kind: 'element'; readonly element: SpaceElement }
  | { readonly kind: 'overrides'; readonly overrides: Map<string, Map<string, SpaceElement>> };

/** Aligns residual space `space` with `ctx.options.residual` (not `identity`). */
export async function alignResidual(ctx: AlignContext, space: SpaceSpec): Promise<ResidualResult> {
  const strategy = ctx.options.residual;
  const sites = residualSites(layerCount(ctx.spec));
  const n = space.size;
  const what = `residual space '${space.id}'`;
  if (strategy === 'separate') {
    const perms = new Map<string, Int32Array>();
    for (const site of sites.all) {
      const c = ctx.correlation(site, n, what);
      const ts = performance.now();
      const a = await maximizeAssignment(ctx.solver, c.data, n, `verma-elbayad ${space.id} (${site})`);
      ctx.record({ space: space.id, site, step: 'residual-separate', size: n, objectiveBefore: diagonalSum(c.data, n), objectiveAfter: a.total, ms: performance.now() - ts }, undefined);
      ctx.report(c, [space.id], a.perm, false);
      perms.set(site, a.perm);
    }
    const siteOf = separateResidualSites(ctx.request.model.config as EncoderConfig);
    const overrides = new Map<string, Map<string, SpaceElement>>();
    for (const b of indexSpec(ctx.spec).bindingsBySpace.get(space.id) ?? []) {
      const site = siteOf.get(b.param);
      if (!site) throw new Error(`verma-elbayad: residual strategy 'separate' does not know which residual state parameter '${b.param}' lives in (spec '${ctx.spec.architecture}')`);
      overrides.set(b.param, new Map([[space.id, { kind: 'permutation', perm: perms.get(site)! }]]));
    }
    return { kind: 'overrides', overrides };
  }
  const used = strategy === 'first' ? [sites.first] : strategy === 'last' ? [sites.last] : sites.all;
  const cs = used.map((site) => ctx.correlation(site, n, what));
  let sum = cs[0].data;
  if (cs.length > 1) {
    sum = new Float64Array(n * n);
    for (const c of cs) for (let i = 0; i < sum.length; i++) sum[i] += c.data[i];
  }
  const ts = performance.now();
  const a = await maximizeAssignment(ctx.solver, sum, n, `verma-elbayad ${space.id}`);
  ctx.record({ space: space.id, site: used.join('+'), step: `residual-${strategy}`, size: n, objectiveBefore: diagonalSum(sum, n), objectiveAfter: a.total, ms: performance.now() - ts }, undefined, { sites: used });
  for (const c of cs) ctx.report(c, [space.id], a.perm, true);
  return { kind: 'element', element: { kind: 'permutation', perm: a.perm } };
}
