/**
 * Task heads of different tasks are kept per task, not merged (ALGORITHMS.md "Merging").
 *
 * The convention, shared by every merger (simple, RegMean, Fisher):
 * - Models belong to tasks: `params.tasks` gives one task id per model (anchor first); without it,
 *   models whose task-head parameters have the same shapes are one task (so classifiers with a
 *   different `num_labels` are different tasks, and models of one task on different domains merge
 *   fully).
 * - With one task, every parameter is merged.
 * - With several tasks, the shared parameters (the encoder) are merged over all models; the head
 *   parameters of each task are merged over that task's models only (copied when it has one).
 * - The result holds the merged encoder with the **anchor's task head under the usual names** (a
 *   complete model for the anchor's task, so `MergeResult.params` keeps every parameter of the
 *   anchor), and every other task's head under `task/<taskId>/<parameter name>`.
 *   {@link modelForTask} turns the result into the complete model of any task; the diagnostics list
 *   the tasks and their models.
 *
 * The head parameters of a BERT/RoBERTa classifier are its classifier head (`classifierHeadNames`:
 * pooler / `classifier.dense` and the output layer); for other architectures, the parameters bound to
 * a space of component `head`. MLM heads are one task (language modelling) and are merged.
 */
import { classifierHeadNames, type EncoderConfig, type HeadKind, resolveHead } from '@symfuse/models';
import { fmtShape, type Tensor } from '@symfuse/tensor';
import type { ModelWeights } from './interfaces.js';
import type { SymmetrySpec } from './spec.js';

/** Prefix of the per-task head parameters in a merge result. */
export const TASK_PARAM_PREFIX = 'task/';

/** Task ids: letters, digits, `.`, `_`, `-` (they become part of parameter names). */
export const TASK_ID_PATTERN = /^[A-Za-z0-9._-]+$/;

/** One task and the models (indices into the request) that solve it. */
export interface TaskGroup {
  readonly id: string;
  readonly models: readonly number[];
}

/** Which model belongs to which task, and which parameters are task heads. */
export interface TaskPlan {
  /** `tasks[0]` is the anchor's task. */
  readonly tasks: readonly TaskGroup[];
  /** Per model, the index of its task in `tasks`. */
  readonly taskOf: readonly number[];
  /** Head parameter names (empty with a single task: then everything is merged). */
  readonly headParams: ReadonlySet<string>;
  /** True when the tasks were inferred from head shapes (no `tasks` parameter). */
  readonly inferred: boolean;
}

/** The name under which task `taskId`'s head parameter `name` is returned. */
export function taskParamName(taskId: string, name: string): string {
  return `${TASK_PARAM_PREFIX}${taskId}/${name}`;
}

/** The task-head parameter names of a model (see the module comment). */
export function taskHeadNames(model: ModelWeights, spec: SymmetrySpec): string[] {
  const config = model.config as EncoderConfig | undefined;
  const t = config?.modelType;
  if (t === 'bert' || t === 'roberta') {
    const head = resolveHead(config!, model.params.keys(), model.head as HeadKind | undefined);
    if (head !== 'classifier') return [];
    const h = classifierHeadNames(t);
    return [h.first.weight, h.first.bias, h.out.weight, h.out.bias].filter((n) => model.params.has(n));
  }
  const headSpaces = new Set(spec.spaces.filter((s) => s.component === 'head').map((s) => s.id));
  return [...new Set(spec.bindings.filter((b) => headSpaces.has(b.space)).map((b) => b.param))].filter((n) => model.params.has(n));
}

/**
 * Groups the models into tasks.
 * @param explicit one task id per model (anchor first), or undefined to infer from head shapes.
 * @throws Error naming the model and tensor when task ids are malformed, when models of one task
 *   have heads of different shapes, or when models have different head parameters.
 */
export function planTasks(models: readonly ModelWeights[], spec: SymmetrySpec, explicit: readonly string[] | undefined, who: string): TaskPlan {
  const heads = models.map((m) => taskHeadNames(m, spec));
  const signature = (k: number) => heads[k].map((n) => `${n}:${fmtShape(models[k].params.get(n)!.shape)}`).join(';');
  let ids: string[];
  if (explicit) {
    if (explicit.length !== models.length) throw new Error(`${who}: tasks has ${explicit.length} entries for ${models.length} models; give one task id per model (anchor first)`);
    explicit.forEach((id, k) => {
      if (typeof id !== 'string' || !TASK_ID_PATTERN.test(id)) throw new Error(`${who}: tasks[${k}] = ${JSON.stringify(id)}; expected letters, digits, '.', '_' or '-'`);
    });
    ids = [...explicit];
  } else {
    const bySig = new Map<string, string>();
    ids = models.map((_, k) => {
      const s = signature(k);
      if (!bySig.has(s)) bySig.set(s, `task-${k}`);
      return bySig.get(s)!;
    });
  }
  const order: string[] = [];
  for (const id of ids) if (!order.includes(id)) order.push(id);
  const tasks = order.map((id) => ({ id, models: ids.flatMap((t, k) => (t === id ? [k] : [])) }));
  const taskOf = ids.map((id) => order.indexOf(id));
  // Models of one task must have identical heads (they are merged); different tasks need heads.
  for (const t of tasks) {
    const k0 = t.models[0];
    for (const k of t.models.slice(1)) {
      if (signature(k) !== signature(k0)) {
        const shapeOf = (m: number, n: string) => (heads[m].includes(n) ? fmtShape(models[m].params.get(n)!.shape) : 'missing');
        const diff = [...new Set([...heads[k0], ...heads[k]])].find((n) => shapeOf(k0, n) !== shapeOf(k, n))!;
        throw new Error(`${who}: models ${k0} and ${k} are both task '${t.id}' but their head parameter '${diff}' differs (${shapeOf(k0, diff)} vs ${shapeOf(k, diff)}); give them different task ids`);
      }
    }
  }
  const headParams = new Set<string>();
  if (tasks.length > 1) {
    models.forEach((m, k) => {
      if (heads[k].length === 0) throw new Error(`${who}: models are of ${tasks.length} tasks but model ${k}${m.id ? ` (${m.id})` : ''} has no task head to keep apart`);
      for (const n of heads[k]) headParams.add(n);
    });
    const names0 = heads[0].join(';');
    models.forEach((_, k) => {
      if (heads[k].join(';') !== names0) throw new Error(`${who}: model ${k} has head parameters ${heads[k].join(', ')} but the anchor has ${heads[0].join(', ')}`);
    });
  }
  return { tasks, taskOf, headParams, inferred: !explicit };
}

/**
 * Checks the models of a merge request: N ≥ 2, one statistics map per model, and every parameter
 * of the anchor present with the same shape in every model (task heads: within a task).
 * @throws Error naming the model, the tensor and both shapes.
 */
export function checkModels(models: readonly ModelWeights[], stats: readonly unknown[], plan: TaskPlan, who: string): void {
  if (models.length < 2) throw new Error(`${who}: got ${models.length} model(s); merging needs N ≥ 2 models`);
  if (stats.length !== models.length) throw new Error(`${who}: got statistics for ${stats.length} models but ${models.length} models`);
  const anchor = models[0];
  models.forEach((m, k) => {
    const label = `model ${k}${m.id ? ` (${m.id})` : ''}`;
    const ref = models[plan.tasks[plan.taskOf[k]].models[0]];
    for (const [name, p] of anchor.params) {
      const q = m.params.get(name);
      if (!q) throw new Error(`${who}: ${label} has no parameter '${name}' (the anchor has it, shape ${fmtShape(p.shape)})`);
      const expected = plan.headParams.has(name) ? ref.params.get(name)!.shape : p.shape;
      if (fmtShape(q.shape) !== fmtShape(expected)) {
        throw new Error(`${who}: ${label} parameter '${name}' has shape ${fmtShape(q.shape)} but ${plan.headParams.has(name) ? `its task's first model has` : 'the anchor has'} ${fmtShape(expected)}`);
      }
      if (q.dtype !== 'f32' && q.dtype !== 'f64') throw new Error(`${who}: ${label} parameter '${name}' has dtype ${q.dtype}; expected f32 or f64`);
    }
    for (const name of m.params.keys()) {
      if (!anchor.params.has(name)) throw new Error(`${who}: ${label} has a parameter '${name}' that the anchor lacks`);
    }
  });
}

/**
 * Merges every parameter: shared ones over all models, head ones per task (see the module comment).
 * @param mergeOne merges parameter `name` over the models `members` (≥ 1; with one, return its tensor).
 * @returns the result map: anchor's task head under the usual names, other tasks' under
 *   `task/<id>/<name>`.
 */
export async function mergeByTask(
  models: readonly ModelWeights[],
  plan: TaskPlan,
  mergeOne: (name: string, members: readonly number[]) => Promise<Tensor>,
): Promise<Map<string, Tensor>> {
  const out = new Map<string, Tensor>();
  const all = models.map((_, k) => k);
  for (const name of models[0].params.keys()) {
    if (!plan.headParams.has(name)) {
      out.set(name, await mergeOne(name, all));
      continue;
    }
    for (let t = 0; t < plan.tasks.length; t++) {
      const members = plan.tasks[t].models;
      const merged = members.length === 1 ? models[members[0]].params.get(name)! : await mergeOne(name, members);
      out.set(t === 0 ? name : taskParamName(plan.tasks[t].id, name), merged);
    }
  }
  return out;
}

/** The tasks of a plan for diagnostics: id, models and where the head lives in the result. */
export function describeTasks(plan: TaskPlan): { id: string; models: number[]; head: string }[] {
  return plan.tasks.map((t, i) => ({
    id: t.id,
    models: [...t.models],
    head: plan.headParams.size === 0 ? 'merged (one task)' : i === 0 ? 'usual names' : `${TASK_PARAM_PREFIX}${t.id}/…`,
  }));
}

/**
 * The complete parameters of task `taskId` from a merge result: the shared parameters plus that
 * task's head under the usual names (the anchor's task is already complete).
 * @param anchorTaskId the anchor's task id (`diagnostics.tasks[0].id`).
 * @throws Error listing the tasks present when `taskId` is not one of them.
 */
export function modelForTask(params: ReadonlyMap<string, Tensor>, taskId: string, anchorTaskId: string): Map<string, Tensor> {
  const plain = new Map([...params].filter(([k]) => !k.startsWith(TASK_PARAM_PREFIX)));
  if (taskId === anchorTaskId) return plain;
  const prefix = `${TASK_PARAM_PREFIX}${taskId}/`;
  const own = [...params].filter(([k]) => k.startsWith(prefix));
  if (own.length === 0) {
    const present = new Set([...params.keys()].filter((k) => k.startsWith(TASK_PARAM_PREFIX)).map((k) => k.slice(TASK_PARAM_PREFIX.length).split('/')[0]));
    throw new Error(`modelForTask: no head of task '${taskId}' in the merge result; tasks: ${[anchorTaskId, ...present].join(', ')}`);
  }
  for (const [k, t] of own) plain.set(k.slice(prefix.length), t);
  return plain;
}
