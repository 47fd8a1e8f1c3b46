/** Aligning one model to an anchor, as `symfuse align` and `symfuse barrier --aligner` both do it. */
import type { DataSource } from '@symfuse/data';
import type { Tokenizer } from '@symfuse/models';
import type { AlignStepConfig, ModelWeights, PipelineResult, SymmetryRegistry } from '@symfuse/symmetry';
import type { SampleSettings } from '../data.js';
import type { DeviceModels } from '../device.js';
import type { Console } from '../progress.js';
import { createRun } from '../registry.js';
import { createStatsProvider } from './stats-provider.js';

/** Inputs of {@link alignPair}. */
export interface AlignPairInput {
  readonly registry: SymmetryRegistry;
  readonly steps: readonly AlignStepConfig[];
  readonly seed: number;
  readonly anchor: ModelWeights;
  readonly model: ModelWeights;
  /** Where statistics are collected (undefined: aligners that need statistics fail, naming them). */
  readonly source?: DataSource;
  readonly tokenizer?: Tokenizer;
  readonly settings: SampleSettings;
  readonly console: Console;
  readonly device: DeviceModels;
}

/**
 * Runs the alignment steps on `model` against `anchor` in a fresh run container (disposed after),
 * collecting statistics from `source` on demand and logging each collection.
 */
export async function alignPair(input: AlignPairInput): Promise<PipelineResult> {
  const run = createRun(input.registry, { seed: input.seed, progress: input.console.progress });
  try {
    const statsProvider = createStatsProvider({
      registry: input.registry,
      source: input.source,
      tokenizer: input.tokenizer,
      settings: input.settings,
      progress: input.console.progress,
      device: input.device,
      onCollect: (k, m, d) => input.console.info(`collecting ${k} statistics of ${m.id} on ${d}`),
    });
    return await run.pipeline({ align: [...input.steps], seed: input.seed }, { anchor: input.anchor, models: [input.model], statsProvider });
  } finally {
    await run.dispose();
  }
}
