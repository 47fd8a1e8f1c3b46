/**
 * The parameters of the `fisher` merger (zod schema; parse errors name the key, the value and what
 * is allowed). Per-model values are arrays with one entry per model, anchor first.
 */
import { zodOptions } from '@symfuse/symmetry';
import { z } from 'zod';

/** The zod schema of the `fisher` merger's parameters. */
export const fisherParamsSchema = z
  .object({
    /** `none` (default): Fishers as collected; `l2`: each model's Fisher divided by its global L2 norm. */
    normalize: z.enum(['none', 'l2']).default('none'),
    /** Floor applied after normalisation, so parameters no model informs fall back to the (λ-weighted) mean. */
    epsilon: z.number().min(0).default(1e-6),
    /** Per-model coefficients λ_i ≥ 0 (anchor first), not all zero; default 1. */
    coefficients: z
      .array(z.number().min(0))
      .min(2)
      .refine((w) => w.some((x) => x > 0), 'at least one coefficient must be > 0')
      .optional(),
    /** One task id per model; default: inferred from the task heads' shapes. */
    tasks: z.array(z.string().min(1)).min(2).optional(),
  })
  .strict();

/** Parameters of the `fisher` merger. */
export type FisherParams = z.output<typeof fisherParamsSchema>;

/** Options schema of the `fisher` merger. */
export const fisherParams = zodOptions(fisherParamsSchema, {
  normalize: "'none' (default) or 'l2': divide each model's Fisher by its global L2 norm",
  epsilon: 'floor of the (normalised) Fisher, so uninformed parameters take the mean (default 1e-6)',
  coefficients: 'one coefficient λ ≥ 0 per model, anchor first (default: all 1)',
  tasks: 'one task id per model; models of different tasks keep their own heads (default: inferred from head shapes)',
});
