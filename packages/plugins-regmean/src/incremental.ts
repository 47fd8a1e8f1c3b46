/**
 * Incremental merging: the greedy subset selection of the RegMean paper (Jin et al. 2023, "Incrementally
 * merging a subset of models", after Wortsman et al. 2022's greedy soup). Models are ranked by their
 * own validation score; starting from the best, each next model is added when merging it in does not
 * lower the validation score. Works with any merger.
 */
import type { Merger, MergeRequest, ParamMap } from '@symfuse/symmetry';
import type { Tensor } from '@symfuse/tensor';

/** Scores parameters on validation data: higher is better (e.g. accuracy, or −loss). */
export type SubsetScore = (params: ParamMap, members: readonly number[]) => number | Promise<number>;

/** Options of {@link incrementalMerge}. */
export interface IncrementalMergeOptions<P> {
  readonly merger: Merger<P>;
  /** Every candidate (all in the anchor's basis, with their statistics) and the merger's params. */
  readonly request: MergeRequest<P>;
  readonly score: SubsetScore;
  /** `by-score` (default): candidates in order of their own score; `given`: in request order. */
  readonly order?: 'by-score' | 'given';
  /** Add a model when the score is ≥ best − tolerance (default 0). */
  readonly tolerance?: number;
  /**
   * The params for a subset of the models. Default: per-model arrays (top-level arrays with one entry
   * per model) are subset, and `models: number[]` index lists inside array entries (e.g.
   * `alphaOverrides[].models`) are re-indexed, dropping entries left without models.
   */
  readonly subsetParams?: (params: P, members: readonly number[]) => P;
}

/** One step of the greedy selection. */
export interface IncrementalStep {
  readonly candidate: number;
  readonly score: number;
  readonly accepted: boolean;
}

/** Result of {@link incrementalMerge}. */
export interface IncrementalMergeResult {
  /** Selected models (request indices), in the order they were added. */
  readonly members: readonly number[];
  /** The merge of the selected models (a copy of the single model's parameters when only one). */
  readonly params: Map<string, Tensor>;
  readonly score: number;
  /** Each model's own score, by request index. */
  readonly individualScores: readonly number[];
  readonly steps: readonly IncrementalStep[];
  readonly diagnostics: Readonly<Record<string, unknown>>;
}

/**
 * The default {@link IncrementalMergeOptions.subsetParams}: subsets per-model arrays and re-indexes
 * `models` lists (see there).
 */
export function subsetPerModelParams<P>(params: P, members: readonly number[], modelCount: number): P {
  if (params === null || typeof params !== 'object') return params;
  const remap = new Map(members.map((k, i) => [k, i]));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params as Record<string, unknown>)) {
    if (Array.isArray(value) && value.length === modelCount && value.every((v) => typeof v !== 'object' || v === null)) {
      out[key] = members.map((k) => value[k]);
    } else if (Array.isArray(value) && value.some((v) => v !== null && typeof v === 'object' && Array.isArray((v as { models?: unknown }).models))) {
      out[key] = value.flatMap((v) => {
        const models = (v as { models?: number[] }).models;
        if (!models) return [v];
        const kept = models.filter((k) => remap.has(k)).map((k) => remap.get(k)!);
        return kept.length ? [{ ...(v as object), models: kept }] : [];
      });
    } else out[key] = value;
  }
  return out as P;
}

/**
 * Greedily selects and merges a subset of the request's models (see the module comment).
 * @throws Error when the request has fewer than two models or a score is not a finite number.
 */
export async function incrementalMerge<P>(options: IncrementalMergeOptions<P>): Promise<IncrementalMergeResult> {
  const { merger, request } = options;
  const n = request.models.length;
  if (n < 2) throw new Error(`incrementalMerge: got ${n} model(s); expected at least 2 candidates`);
  const tolerance = options.tolerance ?? 0;
  const subset = options.subsetParams ?? ((p: P, m: readonly number[]) => subsetPerModelParams(p, m, n));
  const score = async (params: ParamMap, members: readonly number[]) => {
    const s = await options.score(params, members);
    if (!Number.isFinite(s)) throw new Error(`incrementalMerge: score of models [${members.join(', ')}] is ${s}; expected a finite number`);
    return s;
  };
  const individual: number[] = [];
  for (let k = 0; k < n; k++) individual.push(await score(request.models[k].params, [k]));
  const order = [...Array(n).keys()];
  if ((options.order ?? 'by-score') === 'by-score') order.sort((a, b) => individual[b] - individual[a] || a - b);
  let members = [order[0]];
  let best = individual[order[0]];
  let params = new Map(request.models[order[0]].params);
  let diagnostics: Readonly<Record<string, unknown>> = {};
  const steps: IncrementalStep[] = [{ candidate: order[0], score: best, accepted: true }];
  for (const c of order.slice(1)) {
    const trial = [...members, c];
    const result = await merger.merge({
      ...request,
      models: trial.map((k) => request.models[k]),
      stats: trial.map((k) => request.stats[k]),
      params: subset(request.params, trial),
    });
    const s = await score(result.params, trial);
    const accepted = s >= best - tolerance;
    steps.push({ candidate: c, score: s, accepted });
    if (accepted) {
      members = trial;
      best = s;
      params = result.params;
      diagnostics = result.diagnostics;
    }
  }
  return { members, params, score: best, individualScores: individual, steps, diagnostics };
}
