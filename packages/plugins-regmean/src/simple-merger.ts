/**
 * `simple`: the (weighted) average `θ = Σ_i w_i θ_i / Σ_i w_i` of N ≥ 2 models (default equal
 * weights), computed in f64. Task heads of different tasks are kept per task (see `task-heads.ts` of `@symfuse/symmetry`).
 * @see ALGORITHMS.md "Merging: Simple"; Wortsman et al. 2022, "Model soups".
 */
import { checkModels, describeTasks, hostF64, type Merger, mergeByTask, type MergeRequest, type MergeResult, type ModelWeights, planTasks, tensorLike } from '@symfuse/symmetry';
import type { Tensor } from '@symfuse/tensor';
import { checkPerModel, type SimpleParams, simpleParams } from './params.js';

/**
 * `Σ w_k θ_k / Σ w_k` of parameter `name` over `members`, in f64, as a tensor like the first member's.
 * @throws Error when the members' weights are all zero.
 */
export async function weightedMean(models: readonly ModelWeights[], name: string, members: readonly number[], weights: readonly number[], who: string): Promise<Tensor> {
  let total = 0;
  for (const k of members) total += weights[k];
  if (!(total > 0)) throw new Error(`${who}: the weights of models ${members.join(', ')} (merged together for '${name}') are all zero`);
  const like = models[members[0]].params.get(name)!;
  const acc = new Float64Array(like.size);
  for (const k of members) {
    const w = weights[k] / total;
    if (w === 0) continue;
    const d = await hostF64(models[k].params.get(name)!);
    for (let i = 0; i < acc.length; i++) acc[i] += w * d[i];
  }
  return tensorLike(acc, like);
}

async function mergeSimple(request: MergeRequest<SimpleParams>): Promise<MergeResult> {
  const who = "merger 'simple'";
  const { models, params } = request;
  checkPerModel(who, models.length, { weights: params.weights, tasks: params.tasks });
  const plan = planTasks(models, request.spec, params.tasks, who);
  checkModels(models, request.stats, plan, who);
  const weights = params.weights ?? models.map(() => 1);
  let done = 0;
  const total = models[0].params.size;
  const merged = await mergeByTask(models, plan, async (name, members) => {
    request.progress?.({ stage: 'merge', done: done++, total, detail: name });
    return weightedMean(models, name, members, weights, who);
  });
  const sum = weights.reduce((a, b) => a + b, 0);
  return { params: merged, diagnostics: { weights: weights.map((w) => w / sum), tasks: describeTasks(plan) } };
}

/** The `simple` merger: weighted average of N ≥ 2 models (params: `weights`, `tasks`). */
export function simpleMerger(): Merger<SimpleParams> {
  return {
    id: 'simple',
    prettyName: 'Simple (weighted) average',
    reference: 'ALGORITHMS.md "Merging: Simple"; Wortsman et al. 2022, "Model soups"',
    params: simpleParams,
    needs: [],
    merge: mergeSimple,
  };
}
