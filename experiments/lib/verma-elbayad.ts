/**
 * Shared pieces of the Verma & Elbayad (2024) experiments: the alignment configurations (one
 * `verma-elbayad` pipeline step with every option written out, so reports show them; cache keys do not
 * depend on the spelling, see `run-key.ts`), the MLM samples, and the loop over seed pairs.
 */
import type { Context } from './experiment.js';
import type { PipelineConfigInput, StatsSpec } from './pipeline.js';
import { type CurveData, curveRun, type EvalSpec } from './runs.js';
import { pairs } from './summary.js';
import type { Zoo } from './zoo.js';

/** Options of the `verma-elbayad` aligner (see `@symfuse/plugins-permutation`). */
export interface VeOptions {
  readonly ffn: boolean;
  readonly mha: 'head-perm' | 'monotonic' | 'ignore-heads' | 'none';
  readonly residual: 'identity' | 'first' | 'last' | 'all' | 'separate';
}

/** One `verma-elbayad` step (or none when nothing is aligned: vanilla averaging). */
export function veAlign(o: VeOptions): PipelineConfigInput['align'] {
  if (!o.ffn && o.mha === 'none' && o.residual === 'identity') return [];
  return [{ aligner: 'verma-elbayad', options: { ffn: o.ffn, mha: o.mha, residual: o.residual, classifierHead: false } }];
}

/** The paper's named configurations. */
export const VE_CONFIGS = {
  vanilla: { ffn: false, mha: 'none', residual: 'identity' },
  ffn: { ffn: true, mha: 'none', residual: 'identity' },
  mha: { ffn: false, mha: 'head-perm', residual: 'identity' },
  'ffn+mha': { ffn: true, mha: 'head-perm', residual: 'identity' },
} as const satisfies Record<string, VeOptions>;

/** Settings every MLM experiment of the paper shares (so their runs share the cache). */
export interface MlmSettings {
  /** MLM seeds; every pair is merged (the paper: 10 pairs of 5 MultiBERTs). */
  readonly seeds: number[];
  /** λ grid size (the paper: 21). */
  readonly points: number;
  /** Held-out blocks for pseudo-perplexity. */
  readonly evalBlocks: number;
  /** Training blocks the correlations are computed on. */
  readonly statsBlocks: number;
  /** Tokens per block (128, capped by the model's positions). */
  readonly blockLength: number;
}

/** Full and quick defaults of {@link MlmSettings}. */
export function mlmDefaults(quick: boolean, zoo: Zoo): MlmSettings {
  const blockLength = Math.min(128, zoo.mlm(1).config.maxPositionEmbeddings);
  return quick ? { seeds: [1, 2], points: 5, evalBlocks: 2, statsBlocks: 2, blockLength } : { seeds: [1, 2, 3, 4, 5], points: 21, evalBlocks: 16, statsBlocks: 64, blockLength };
}

/** The MLM evaluation sample. */
export function mlmEval(s: MlmSettings, seed: number): EvalSpec {
  return { kind: 'mlm', blocks: s.evalBlocks, length: s.blockLength, seed: 1234 + seed };
}

/** The correlation sample. */
export function mlmStats(s: Pick<MlmSettings, 'statsBlocks' | 'blockLength'>, seed: number): StatsSpec {
  return { mlmBlocks: s.statsBlocks, mlmLength: s.blockLength, examples: 0, maxLength: 128, seed };
}

/** One curve per seed pair for a configuration. */
export async function pairCurves(ctx: Context<MlmSettings>, name: string, o: VeOptions, s: MlmSettings = ctx.settings): Promise<{ pair: [number, number]; curve: CurveData }[]> {
  const out: { pair: [number, number]; curve: CurveData }[] = [];
  for (const [i, j] of pairs(s.seeds)) {
    const curve = await curveRun(ctx, { a: ctx.zoo.mlm(i), b: ctx.zoo.mlm(j), name, align: veAlign(o), eval: mlmEval(s, ctx.seed), points: s.points, stats: mlmStats(s, ctx.seed) });
    out.push({ pair: [i, j], curve });
  }
  return out;
}
