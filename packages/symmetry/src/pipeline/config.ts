/**
 * The pipeline configuration, a plain object (from YAML/JSON or code):
 *
 * ```ts
 * { align: [ { aligner: 'verma-elbayad', spaces: ['ffn', 'attention'], options: { … } },
 *            { aligner: 'rotation', spaces: ['attention'] } ],
 *   merge: { method: 'regmean', alpha: 0.9 },
 *   solver: 'lapjv', seed: 0 }
 * ```
 * Space selectors: the components `residual`, `ffn`, `attention` (= `attention-qk` + `attention-vo`),
 * `attention-qk`, `attention-vo`, `head`; or space ids, with `*` as a wildcard (`layer.0.*`).
 */
import { z } from 'zod';
import { PipelineError } from '../errors.js';
import { formatZodIssues } from '../internal/zod-format.js';

const step = z
  .object({
    aligner: z.string().min(1),
    /** Default: every space of the components the aligner handles. */
    spaces: z.array(z.string().min(1)).min(1).optional(),
    options: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** The zod schema of a pipeline configuration. */
export const pipelineConfigSchema = z
  .object({
    align: z.array(step).default([]),
    merge: z.object({ method: z.string().min(1) }).catchall(z.unknown()).optional(),
    solver: z.string().min(1).optional(),
    seed: z.number().int().optional(),
  })
  .strict();

/** One alignment step. */
export interface AlignStepConfig {
  readonly aligner: string;
  readonly spaces?: readonly string[];
  readonly options?: Readonly<Record<string, unknown>>;
}

/** A parsed pipeline configuration. */
export interface PipelineConfig {
  readonly align: readonly AlignStepConfig[];
  /** `method` is the merger id; the other keys are the merger's params. */
  readonly merge?: { readonly method: string } & Readonly<Record<string, unknown>>;
  readonly solver?: string;
  readonly seed?: number;
}

/**
 * Validates a configuration object.
 * @throws PipelineError listing `path = value: what is allowed` for every problem.
 */
export function parsePipelineConfig(input: unknown): PipelineConfig {
  const r = pipelineConfigSchema.safeParse(input);
  if (!r.success) {
    const lines = formatZodIssues(r.error.issues, input, pipelineConfigSchema);
    throw new PipelineError(`pipeline config is invalid:\n- ${lines.join('\n- ')}`);
  }
  return r.data as PipelineConfig;
}
