/**
 * `fisher`: Fisher-weighted averaging (Matena & Raffel 2022), elementwise
 * `θ = Σ_i λ_i F̂_i ⊙ θ_i / Σ_i λ_i F̂_i` with `F̂_i = max(F_i / s_i, ε)`, `s_i` = 1 or the global L2
 * norm of model i's Fisher (`normalize: 'l2'`). The floor ε makes parameters that no model informs
 * fall back to the λ-weighted mean. Task heads of different tasks are kept per task (see
 * `task-heads.ts` of `@symfuse/symmetry`).
 * @see Matena & Raffel 2022, "Merging Models with Fisher-Weighted Averaging"; ALGORITHMS.md "Merging".
 */
import {
  assertStatsFit,
  checkModels,
  describeTasks,
  hostF64,
  type Merger,
  mergeByTask,
  type MergeRequest,
  type MergeResult,
  planTasks,
  type StatsBundle,
  tensorLike,
} from '@symfuse/symmetry';
import { type FisherParams, fisherParams } from './params.js';

/** Global L2 norm of every entry of a bundle. */
function globalNorm(b: StatsBundle): number {
  let s = 0;
  for (const e of b.entries.values()) for (let i = 0; i < e.data.length; i++) s += e.data[i] * e.data[i];
  return Math.sqrt(s);
}

async function mergeFisher(request: MergeRequest<FisherParams>): Promise<MergeResult> {
  const who = "merger 'fisher'";
  const { models, params, spec } = request;
  for (const [key, v] of Object.entries({ coefficients: params.coefficients, tasks: params.tasks })) {
    if (v !== undefined && v.length !== models.length) throw new Error(`${who}: ${key} has ${v.length} entries for ${models.length} models; give one per model (anchor first)`);
  }
  const plan = planTasks(models, spec, params.tasks, who);
  checkModels(models, request.stats, plan, who);
  const fishers: StatsBundle[] = [];
  for (let k = 0; k < models.length; k++) {
    const label = `model ${k}${models[k].id ? ` (${models[k].id})` : ''}`;
    const f = request.stats[k].get('fisher');
    if (!f) throw new Error(`${who}: ${label} has no 'fisher' statistics; Fisher merging needs the diagonal Fisher of every parameter (collect it with the 'fisher' collector)`);
    await assertStatsFit(f, { kind: 'fisher', layout: 'per-param', model: models[k], architecture: spec.architecture, who: `${who}: ${label}` });
    const missing = [...models[k].params.keys()].find((n) => !f.entries.has(n));
    if (missing) throw new Error(`${who}: ${label} has no Fisher entry for parameter '${missing}'; the statistics have ${f.entries.size} entries`);
    fishers.push(f);
  }
  const lambda = params.coefficients ?? models.map(() => 1);
  const scale = fishers.map((f) => {
    if (params.normalize === 'none') return 1;
    const n = globalNorm(f);
    return n > 0 ? n : 1;
  });
  const eps = params.epsilon;
  let floored = 0;
  let uninformed = 0;
  let elements = 0;
  const merged = await mergeByTask(models, plan, async (name, members) => {
    const like = models[members[0]].params.get(name)!;
    const num = new Float64Array(like.size);
    const den = new Float64Array(like.size);
    const mean = new Float64Array(like.size);
    let lambdaSum = 0;
    for (const k of members) lambdaSum += lambda[k];
    if (!(lambdaSum > 0)) throw new Error(`${who}: the coefficients of models ${members.join(', ')} (merged together for '${name}') are all zero`);
    for (const k of members) {
      const theta = await hostF64(models[k].params.get(name)!);
      const F = fishers[k].entries.get(name)!.data;
      const l = lambda[k];
      const inv = 1 / scale[k];
      for (let i = 0; i < num.length; i++) {
        let f = F[i] * inv;
        if (f < eps) {
          f = eps;
          floored++;
        }
        num[i] += l * f * theta[i];
        den[i] += l * f;
        mean[i] += (l / lambdaSum) * theta[i];
      }
      elements += num.length;
    }
    // With ε = 0 an element no model informs has den = 0: it takes the λ-weighted mean.
    for (let i = 0; i < num.length; i++) {
      if (den[i] > 0) num[i] /= den[i];
      else {
        num[i] = mean[i];
        uninformed++;
      }
    }
    return tensorLike(num, like);
  });
  return {
    params: merged,
    diagnostics: {
      normalize: params.normalize,
      epsilon: eps,
      coefficients: lambda,
      fisherNorms: fishers.map(globalNorm),
      /** Fraction of (model, element) Fisher values raised to ε. */
      flooredFraction: elements > 0 ? floored / elements : 0,
      uninformedElements: uninformed,
      tasks: describeTasks(plan),
    },
  };
}

/** The `fisher` merger (params: `normalize`, `epsilon`, `coefficients`, `tasks`); needs `fisher` statistics. */
export function fisherMerger(): Merger<FisherParams> {
  return {
    id: 'fisher',
    prettyName: 'Fisher-weighted averaging',
    reference: 'Matena & Raffel 2022, "Merging Models with Fisher-Weighted Averaging"',
    params: fisherParams,
    needs: [{ kind: 'fisher', pairwise: false }],
    merge: mergeFisher,
  };
}
