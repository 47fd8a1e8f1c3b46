/**
 * The streaming path of the BERT merge as the bench job runs it: a thin caller of the public
 * `streamingMergeDirs` of `@symfuse/cli` (`packages/cli/src/job/streaming/`, what `symfuse merge`
 * runs with `streaming: true`) with the job's configuration — Verma–Elbayad on the FFN and attention
 * spaces (head-perm, residual stream as it is), RegMean with α — writing the merged model directory
 * layer by layer. Its result equals the in-memory pipeline's (`bert-base.ts --smoke --check-streaming`;
 * `tests/streaming-merge.test.ts` checks it weight by weight).
 */
import { type StreamingTimes, streamingMergeDirs } from '@symfuse/cli';
import type { ModelBatch, SymmetryRegistry } from '@symfuse/symmetry';

export type { StreamingTimes };

/** Inputs of {@link streamingMerge}. */
export interface StreamingMergeInput {
  readonly dirA: string;
  readonly dirB: string;
  /** The merged model directory to write (config.json + model.safetensors). */
  readonly outDir: string;
  readonly registry: SymmetryRegistry;
  readonly batches: readonly ModelBatch[];
  readonly alpha: number;
  /** Called after each encoder layer (memory probes, progress). */
  readonly onLayer?: (layer: number) => void;
}

/**
 * Merges the two model directories layer by layer into `outDir`.
 * @returns the time of each part (ms, summed over units) and the number of aligned spaces.
 */
export async function streamingMerge(input: StreamingMergeInput): Promise<{ times: StreamingTimes; spaces: number }> {
  const r = await streamingMergeDirs({
    registry: input.registry,
    dirs: [input.dirA, input.dirB],
    dir: input.outDir,
    batches: input.batches,
    config: { align: [{ aligner: 'verma-elbayad', spaces: ['ffn', 'attention'], options: { ffn: true, mha: 'head-perm', residual: 'identity' } }], merge: { method: 'regmean', alpha: input.alpha }, seed: 0 },
    onUnit: (unit) => {
      if (unit.kind === 'layer') input.onLayer?.(unit.layer!);
    },
  });
  return { times: r.times, spaces: r.steps[0]?.spaces.length ?? 0 };
}
