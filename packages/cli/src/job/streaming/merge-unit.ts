/**
 * Merging one unit's parameters with the code of the `regmean` and `simple` mergers
 * (`@symfuse/plugins-regmean`): RegMean (`regmeanLinear`) for every linear weight with the models'
 * Grams of its input (already moved into the anchor's basis), the (weighted) mean (`weightedMean`)
 * for everything else — parameter by parameter, exactly as those mergers do over a whole model with
 * one task. Diagnostics accumulate over units in the mergers' own form.
 */
import type { ParamMap } from '@symfuse/models';
import { alphaFor, gramNameFor, isSpecLinear, type RegmeanParams, regmeanLinear, scaledGram, type SimpleParams, weightedMean } from '@symfuse/plugins-regmean';
import { hostF64, type ModelWeights, type StatsBundle, type SymmetrySpec, tensorLike } from '@symfuse/symmetry';

/** The merger of a streaming merge and its parsed parameters. */
export type UnitMerger = { readonly method: 'regmean'; readonly params: RegmeanParams } | { readonly method: 'simple'; readonly params: SimpleParams };

/** Diagnostics of the merge, summed over units (the mergers' `diagnostics` fields). */
export class MergeTally {
  linearWeights = 0;
  readonly ridged: { name: string; ridge: number; attempts: number }[] = [];
  readonly deadInputs: { name: string; inputs: number }[] = [];

  /** The merger's diagnostics for the whole model (one task). */
  diagnostics(merger: UnitMerger, models: number): Record<string, unknown> {
    const tasks = [{ id: 'task-0', models: Array.from({ length: models }, (_, k) => k), head: 'merged (one task)' }];
    if (merger.method === 'simple') {
      const w = merger.params.weights ?? Array.from({ length: models }, () => 1);
      const sum = w.reduce((a, b) => a + b, 0);
      return { weights: w.map((x) => x / sum), tasks };
    }
    const p = merger.params;
    return {
      alpha: p.alpha,
      alphaOverrides: p.alphaOverrides,
      gramScale: p.gramScale,
      linearWeights: this.linearWeights,
      ridged: this.ridged,
      maxRidge: this.ridged.reduce((a, r) => Math.max(a, r.ridge), 0),
      deadInputs: this.deadInputs,
      tasks,
    };
  }
}

/** What {@link mergeUnit} merges. */
export interface UnitMergeInput {
  readonly spec: SymmetrySpec;
  readonly names: readonly string[];
  /** Each model's parameters of the unit in the anchor's basis, anchor first. */
  readonly models: readonly ModelWeights[];
  /** Each model's Grams of the unit's linear inputs in the anchor's basis (RegMean only). */
  readonly grams?: readonly StatsBundle[];
  readonly merger: UnitMerger;
  readonly tally: MergeTally;
}

/**
 * Merges the unit's parameters.
 * @returns the merged tensors (f32 like the anchor's), by name.
 * @throws Error naming a linear weight whose Gram is missing.
 */
export async function mergeUnit(input: UnitMergeInput): Promise<ParamMap> {
  const { models, merger, names } = input;
  const members = models.map((_, k) => k);
  const out: ParamMap = new Map();
  if (merger.method === 'simple') {
    const weights = merger.params.weights ?? models.map(() => 1);
    for (const name of names) out.set(name, await weightedMean(models, name, members, weights, "merger 'simple'"));
    return out;
  }
  const who = "merger 'regmean'";
  const grams = input.grams ?? [];
  const uniform = models.map(() => 1);
  for (const name of names) {
    const like = models[0].params.get(name)!;
    const gname = gramNameFor(name);
    const isLinear = like.rank === 2 && (isSpecLinear(input.spec, name) || (grams.length === models.length && grams.every((g) => g.entries.has(gname))));
    if (!isLinear) {
      out.set(name, await weightedMean(models, name, members, uniform, who));
      continue;
    }
    const weights: Float64Array[] = [];
    const gs: Float64Array[] = [];
    for (const k of members) {
      const entry = grams[k]?.entries.get(gname);
      if (!entry) throw new Error(`${who}: model ${k}${models[k].id ? ` (${models[k].id})` : ''} has no Gram '${gname}' (the input of linear weight '${name}')`);
      gs.push(scaledGram(grams[k], gname, entry, merger.params.gramScale, who));
      weights.push(await hostF64(models[k].params.get(name)!));
    }
    const [rows, cols] = like.shape;
    const r = regmeanLinear({ weights, grams: gs, alphas: members.map((k) => alphaFor(merger.params, name, k)), out: rows, in: cols }, name);
    input.tally.linearWeights++;
    if (r.ridge > 0) input.tally.ridged.push({ name, ridge: r.ridge, attempts: r.attempts });
    if (r.deadInputs > 0) input.tally.deadInputs.push({ name, inputs: r.deadInputs });
    out.set(name, tensorLike(r.weight, like));
  }
  return out;
}
