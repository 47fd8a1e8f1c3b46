/**
 * `regmean`: Regression Mean (Jin et al. 2023). Every linear weight is merged as the solution of the
 * least-squares problem over the models' inputs, `W = (Σ_i W_i G̃_i)(Σ_i G̃_i)⁻¹` with the α-scaled Grams
 * `G̃_i = α G_i + (1 − α) diag(G_i)` (α per model and per layer pattern); everything that is not a
 * linear weight (embeddings, LayerNorms, biases) is the simple mean; task heads of different tasks
 * are kept per task (see `task-heads.ts` of `@symfuse/symmetry`).
 *
 * A linear weight is a 2-D parameter whose in-axis (axis 1) is bound with role `in` in the spec, or
 * that has a Gram; its Gram is the entry under its own name, for K and V the query's.
 * @see Jin et al. 2023, "Dataless Knowledge Fusion by Merging Weights of Language Models";
 *   ALGORITHMS.md "Merging: RegMean".
 */
import {
  assertStatsFit,
  checkModels,
  describeTasks,
  hostF64,
  indexSpec,
  type Merger,
  mergeByTask,
  type MergeRequest,
  type MergeResult,
  planTasks,
  type StatEntry,
  type StatsBundle,
  type SymmetrySpec,
  tensorLike,
} from '@symfuse/symmetry';
import { gramNameFor } from './gram-sites.js';
import { alphaFor, checkPerModel, type RegmeanParams, regmeanParams } from './params.js';
import { regmeanLinear } from './regmean-solve.js';
import { weightedMean } from './simple-merger.js';

/** True when `name` is a linear weight `[out, in]` by the spec (in-axis bound with role `in`). */
export function isSpecLinear(spec: SymmetrySpec, name: string): boolean {
  return (indexSpec(spec).bindingsByParam.get(name) ?? []).some((b) => b.axis === 1 && b.role === 'in');
}

/**
 * The Gram `gname` of a bundle in the scale the merger wants: per row (`mean`) or raw `XᵀX` (`sum`),
 * converted with the row count `count.<gname>` when the bundle was collected the other way. A bundle
 * without `normalization` meta is used as it is.
 */
export function scaledGram(bundle: StatsBundle, gname: string, entry: StatEntry, scale: 'mean' | 'sum', who: string): Float64Array {
  const norm = bundle.meta.normalization;
  const have = norm === undefined ? scale : norm === 'none' ? 'sum' : 'mean';
  if (have === scale) return entry.data;
  const count = Number(bundle.meta[`count.${gname}`]);
  if (!(count > 0)) throw new Error(`${who}: gramScale '${scale}' needs the row count 'count.${gname}' of a '${norm}'-normalised Gram, but the statistics lack it (got ${bundle.meta[`count.${gname}`]})`);
  const f = scale === 'sum' ? count : 1 / count;
  return entry.data.map((v) => v * f);
}

async function mergeRegmean(request: MergeRequest<RegmeanParams>): Promise<MergeResult> {
  const who = "merger 'regmean'";
  const { models, params, spec } = request;
  checkPerModel(who, models.length, { alpha: Array.isArray(params.alpha) ? params.alpha : undefined, tasks: params.tasks }, params.alphaOverrides.map((o) => o.models));
  const plan = planTasks(models, spec, params.tasks, who);
  checkModels(models, request.stats, plan, who);
  const grams: StatsBundle[] = [];
  for (let k = 0; k < models.length; k++) {
    const g = request.stats[k].get('gram');
    const label = `model ${k}${models[k].id ? ` (${models[k].id})` : ''}`;
    if (!g) throw new Error(`${who}: ${label} has no 'gram' statistics; RegMean needs the Gram of every linear layer's input (collect them with the 'gram' collector)`);
    await assertStatsFit(g, { kind: 'gram', layout: 'linear-input-gram', model: models[k], architecture: spec.architecture, who: `${who}: ${label}` });
    grams.push(g);
  }
  const uniform = models.map(() => 1);
  const ridged: { name: string; ridge: number; attempts: number }[] = [];
  const dead: { name: string; inputs: number }[] = [];
  let linear = 0;
  let done = 0;
  const total = models[0].params.size;
  const merged = await mergeByTask(models, plan, async (name, members) => {
    request.progress?.({ stage: 'merge', done: done++, total, detail: name });
    const like = models[members[0]].params.get(name)!;
    const gname = gramNameFor(name);
    const isLinear = like.rank === 2 && (isSpecLinear(spec, name) || members.every((k) => grams[k].entries.has(gname)));
    if (!isLinear) return weightedMean(models, name, members, uniform, who);
    const weights: Float64Array[] = [];
    const gs: Float64Array[] = [];
    for (const k of members) {
      const entry = grams[k].entries.get(gname);
      if (!entry) {
        throw new Error(`${who}: model ${k}${models[k].id ? ` (${models[k].id})` : ''} has no Gram '${gname}' (the input of linear weight '${name}'); the statistics have ${grams[k].entries.size} entries`);
      }
      gs.push(scaledGram(grams[k], gname, entry, params.gramScale, who));
      weights.push(await hostF64(models[k].params.get(name)!));
    }
    const [out, n] = like.shape;
    const r = regmeanLinear({ weights, grams: gs, alphas: members.map((k) => alphaFor(params, name, k)), out, in: n }, name);
    linear++;
    if (r.ridge > 0) ridged.push({ name, ridge: r.ridge, attempts: r.attempts });
    if (r.deadInputs > 0) dead.push({ name, inputs: r.deadInputs });
    return tensorLike(r.weight, like);
  });
  return {
    params: merged,
    diagnostics: {
      alpha: params.alpha,
      alphaOverrides: params.alphaOverrides,
      gramScale: params.gramScale,
      linearWeights: linear,
      ridged,
      maxRidge: ridged.reduce((a, r) => Math.max(a, r.ridge), 0),
      deadInputs: dead,
      tasks: describeTasks(plan),
    },
  };
}

/** The `regmean` merger (params: `alpha`, `alphaOverrides`, `gramScale`, `tasks`); needs `gram` statistics. */
export function regmeanMerger(): Merger<RegmeanParams> {
  return {
    id: 'regmean',
    prettyName: 'RegMean (regression mean)',
    reference: 'Jin et al. 2023, "Dataless Knowledge Fusion by Merging Weights of Language Models"',
    params: regmeanParams,
    needs: [{ kind: 'gram', pairwise: false }],
    merge: mergeRegmean,
  };
}
