/**
 * The parameters of the `simple` and `regmean` mergers (zod schemas; parse errors name the key, the
 * value and what is allowed). Per-model values are arrays with one entry per model, anchor first;
 * `models: number[]` lists model indices (the convention `incrementalMerge` relies on to take
 * subsets).
 */
import { zodOptions } from '@symfuse/symmetry';
import { z } from 'zod';

const unit = z.number().min(0).max(1);
const tasks = z.array(z.string().min(1)).min(2).optional();

/** The zod schema of the `simple` merger's parameters. */
export const simpleParamsSchema = z
  .object({
    /** One weight ≥ 0 per model (anchor first), not all zero; default equal. */
    weights: z
      .array(z.number().min(0))
      .min(2)
      .refine((w) => w.some((x) => x > 0), 'at least one weight must be > 0')
      .optional(),
    /** One task id per model; default: inferred from the task heads' shapes. */
    tasks,
  })
  .strict();

/** Parameters of the `simple` merger. */
export type SimpleParams = z.output<typeof simpleParamsSchema>;

/** One α override: weights whose name matches `pattern` (`*` = any characters) use `alpha`. */
export const alphaOverrideSchema = z
  .object({
    pattern: z.string().min(1),
    alpha: unit,
    /** Only for these models (indices, anchor = 0); default all. */
    models: z.array(z.number().int().min(0)).min(1).optional(),
  })
  .strict();

/** The zod schema of the `regmean` merger's parameters. */
export const regmeanParamsSchema = z
  .object({
    /** α ∈ [0, 1] scaling the Grams' off-diagonal entries: one number, or one per model. Default 0.9. */
    alpha: z.union([unit, z.array(unit).min(2)]).default(0.9),
    /** Per-layer (and per-model) α; the last matching override wins. */
    alphaOverrides: z.array(alphaOverrideSchema).default([]),
    /**
     * `mean` (default): Grams divided by their row counts (each model weighs alike); `sum`: raw
     * `XᵀX` (models weigh by how much data they saw: least squares over the union of the data).
     */
    gramScale: z.enum(['mean', 'sum']).default('mean'),
    /** One task id per model; default: inferred from the task heads' shapes. */
    tasks,
  })
  .strict();

/** Parameters of the `regmean` merger. */
export type RegmeanParams = z.output<typeof regmeanParamsSchema>;

/** Options schema of the `simple` merger. */
export const simpleParams = zodOptions(simpleParamsSchema, {
  weights: 'one weight ≥ 0 per model, anchor first (default: equal weights)',
  tasks: 'one task id per model; models of different tasks keep their own heads (default: inferred from head shapes)',
});

/** Options schema of the `regmean` merger. */
export const regmeanParams = zodOptions(regmeanParamsSchema, {
  alpha: 'α ∈ [0, 1] scaling the Gram off-diagonals (1: plain RegMean, 0: per-feature weighted mean); a number or one per model (default 0.9)',
  alphaOverrides: "[{ pattern: '*.attention.*', alpha: 0.5, models?: [1] }]: α per layer name pattern (and model); the last match wins",
  gramScale: "'mean' (default): Grams per token; 'sum': raw XᵀX, models weighted by their data size",
  tasks: 'one task id per model; models of different tasks keep their own heads (default: inferred from head shapes)',
});

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/**
 * α for weight `name` of model `model`: the last override whose pattern matches (and whose `models`
 * include `model`), else the per-model or global `alpha`.
 */
export function alphaFor(params: RegmeanParams, name: string, model: number): number {
  for (let i = params.alphaOverrides.length - 1; i >= 0; i--) {
    const o = params.alphaOverrides[i];
    if ((!o.models || o.models.includes(model)) && globToRegExp(o.pattern).test(name)) return o.alpha;
  }
  return Array.isArray(params.alpha) ? params.alpha[model] : params.alpha;
}

/**
 * Checks the per-model parameters against the number of models.
 * @throws Error naming the key and both counts.
 */
export function checkPerModel(who: string, n: number, perModel: Readonly<Record<string, readonly unknown[] | undefined>>, indexLists: readonly (readonly number[] | undefined)[] = []): void {
  for (const [key, v] of Object.entries(perModel)) {
    if (v !== undefined && v.length !== n) throw new Error(`${who}: ${key} has ${v.length} entries for ${n} models; give one per model (anchor first)`);
  }
  for (const list of indexLists) {
    const bad = list?.find((k) => k >= n);
    if (bad !== undefined) throw new Error(`${who}: model index ${bad} in alphaOverrides[].models is out of range; there are ${n} models (0 = anchor)`);
  }
}
