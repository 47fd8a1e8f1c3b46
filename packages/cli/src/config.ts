/**
 * The `symfuse merge` configuration file (YAML, parsed with `yaml`, validated with zod):
 *
 * ```yaml
 * models:
 *   - path: fixtures/mlm-seed1          # the anchor unless `anchor:` names another index
 *   - path: fixtures/mlm-seed2
 *     stats: stats/seed2.safetensors    # optional: published statistics instead of data
 * data: sotu                            # where statistics are collected when not given
 * align:
 *   - aligner: verma-elbayad
 *     spaces: [ffn, attention]
 *     options: { mha: head-perm, residual: identity }
 * merge: { method: regmean, alpha: 0.9 }
 * eval: { data: sotu, points: 21 }
 * output: out/merged
 * streaming: true                       # optional: merge layer by layer (see job/streaming/)
 * ```
 * Paths are relative to the working directory. Errors name the key, the value and what is allowed;
 * aligner options and merger parameters are checked against the registered plugin's schema before
 * any work starts.
 */
import fs from 'node:fs';
import { formatZodIssues, type SymmetryRegistry } from '@symfuse/symmetry';
import YAML from 'yaml';
import { z } from 'zod';
import { BACKENDS } from './backend.js';
import { CliError, UsageError } from './errors.js';
import { streamingProblems } from './job/streaming/support.js';
import { checkIds } from './registry.js';

const posInt = z.number().int().min(1);

const modelSchema = z
  .object({
    path: z.string().min(1),
    /** Published statistics files (any kind) for this model. */
    stats: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  })
  .strict();

const sampleShape = {
  /** MLM: 128-token blocks. */
  blocks: posInt.optional(),
  /** Classification: examples. */
  examples: posInt.optional(),
  /** Sequences per forward pass. */
  batchSize: posInt.optional(),
};

/** The zod schema of the configuration file. */
export const mergeConfigSchema = z
  .object({
    models: z.array(modelSchema).min(2),
    anchor: z.number().int().min(0).optional(),
    data: z.string().min(1).optional(),
    collect: z.object(sampleShape).strict().optional(),
    align: z
      .array(
        z
          .object({
            aligner: z.string().min(1),
            spaces: z.array(z.string().min(1)).min(1).optional(),
            options: z.record(z.string(), z.unknown()).optional(),
          })
          .strict(),
      )
      .default([]),
    merge: z.object({ method: z.string().min(1) }).catchall(z.unknown()).default({ method: 'simple' }),
    eval: z
      .object({
        /** Default: `data`. */
        data: z.string().min(1).optional(),
        points: z.number().int().min(2).max(201).default(21),
        ...sampleShape,
        /** Seed of the fixed evaluation masks. */
        seed: z.number().int().default(1234),
        /** Which interpolation curves to compute (default both when aligning). */
        curves: z.array(z.enum(['vanilla', 'aligned'])).optional(),
        /** A task source whose domains are evaluated one by one (out-of-domain evaluation). */
        ood: z.string().min(1).optional(),
        /** Also write `plots/*.png` beside the SVGs (as `--png` does). */
        png: z.boolean().default(false),
      })
      .strict()
      .optional(),
    output: z.string().min(1),
    seed: z.number().int().optional(),
    solver: z.string().min(1).optional(),
    backend: z.enum(BACKENDS).optional(),
    /**
     * Merge layer by layer, holding one layer of each model in memory (`job/streaming/`): for
     * BERT-family models, no alignment or one Verma–Elbayad step with `residual: identity`, and the
     * `regmean` or `simple` merger. Other configurations are refused with the reason.
     */
    streaming: z.boolean().optional(),
  })
  .strict();

/** A validated configuration (defaults applied). */
export type MergeConfig = z.output<typeof mergeConfigSchema>;

/**
 * Parses and validates a configuration object.
 * @param where the file name, for messages.
 * @throws UsageError listing every problem as `key = value: what is allowed`.
 */
export function parseMergeConfig(input: unknown, where: string, registry?: SymmetryRegistry): MergeConfig {
  const r = mergeConfigSchema.safeParse(input ?? {});
  if (!r.success) {
    const lines = formatZodIssues(r.error.issues, input ?? {}, mergeConfigSchema);
    throw new UsageError(`${where}: ${lines.join('; ')}`, 'merge');
  }
  const cfg = r.data;
  if (cfg.anchor !== undefined && cfg.anchor >= cfg.models.length) {
    throw new UsageError(`${where}: anchor = ${cfg.anchor}: expected an index into models (0 … ${cfg.models.length - 1})`, 'merge');
  }
  if (registry) checkPlugins(cfg, where, registry);
  if (registry && cfg.streaming) {
    const problems = streamingConfigProblems(cfg, registry);
    if (problems.length) throw new UsageError(`${where}: streaming = true is not supported for this configuration: ${problems.join('; ')} (remove 'streaming' to merge in memory)`, 'merge');
  }
  return cfg;
}

/**
 * What a streaming merge cannot do in `cfg`, from the configuration alone (the models are checked
 * when opened): the pipeline's steps (see `job/streaming/support.ts`), published statistics and a
 * device backend.
 */
export function streamingConfigProblems(cfg: MergeConfig, registry: SymmetryRegistry, backend: string | undefined = cfg.backend): string[] {
  const out = streamingProblems({ registry, config: cfg });
  cfg.models.forEach((m, i) => {
    if (m.stats !== undefined) out.push(`models[${i}].stats (published statistics describe whole models; a streaming merge collects its statistics layer by layer from 'data')`);
  });
  if (backend !== undefined && backend !== 'cpu') out.push(`backend '${backend}' (a streaming merge runs its forward passes on the CPU)`);
  return out;
}

/** Checks aligner ids and options and the merger id and parameters against the registry. */
function checkPlugins(cfg: MergeConfig, where: string, registry: SymmetryRegistry): void {
  cfg.align.forEach((s, i) => {
    checkIds(registry, { aligners: [s.aligner] }, 'merge', `${where}: align[${i}].aligner: `);
    try {
      registry.aligner(s.aligner).options.parse(s.options ?? {});
    } catch (e) {
      throw new UsageError(`${where}: align[${i}].options (aligner '${s.aligner}'): ${(e as Error).message}`, 'merge');
    }
  });
  checkIds(registry, { merger: cfg.merge.method, solver: cfg.solver }, 'merge', `${where}: merge.method: `);
  const { method, ...params } = cfg.merge;
  try {
    registry.merger(method).params.parse(params);
  } catch (e) {
    throw new UsageError(`${where}: merge (merger '${method}'): ${(e as Error).message}`, 'merge');
  }
}

/**
 * Reads and validates a YAML configuration file.
 * @throws CliError when the file cannot be read; UsageError for YAML syntax or schema problems.
 */
export function readMergeConfig(file: string, registry?: SymmetryRegistry): MergeConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read config ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: invalid YAML: ${(e as Error).message.split('\n')[0]}`, 'merge');
  }
  return parseMergeConfig(doc, file, registry);
}

/** The configuration as YAML (what `symfuse.yaml` in the output holds). */
export function configToYaml(cfg: MergeConfig, header?: string): string {
  const body = YAML.stringify(cfg, { lineWidth: 0 });
  return header ? `${header.split('\n').map((l) => `# ${l}`).join('\n')}\n${body}` : body;
}
