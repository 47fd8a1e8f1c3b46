/**
 * The streaming merge from model directories to a model directory: the models are opened lazily
 * (`openModelDir`), the merged parameters go straight into a tensor-at-a-time checkpoint writer
 * (`StreamingCheckpointWriter`), and the directory gets the files a non-streaming merge writes for
 * the merged model — `config.json` (the anchor's), `model.safetensors` (or shards + index, split as
 * `saveModelDir` splits them) and the tokenizer files.
 */
import { type LazyModelDir, type ModelConfig, openModelDir, type SafetensorsDtype, type ShardedWriteResult, StreamingCheckpointWriter, type Tokenizer, writeModelDirFiles } from '@symfuse/models';
import type { Tensor } from '@symfuse/tensor';
import { modelFromDir } from './model-source.js';
import { type StreamingMergeRequest, type StreamingMergeResult, streamingMerge } from './streaming-merge.js';

/** Inputs of {@link streamingMergeToDir}. */
export interface StreamingMergeToDirRequest extends Omit<StreamingMergeRequest, 'write'> {
  /** The directory to write into (created if needed; files of the same names are replaced). */
  readonly dir: string;
  /** The merged model's `config.json` (the anchor's). */
  readonly modelConfig: ModelConfig;
  readonly tokenizer?: Tokenizer;
  /** safetensors `__metadata__` besides `format: pt`. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Shard the checkpoint above this size (default 2GB, as `saveModelDir`). */
  readonly maxShardSize?: number | string;
}

/** What {@link streamingMergeToDir} returns. */
export interface StreamingMergeToDirResult extends StreamingMergeResult {
  /** The checkpoint files written. */
  readonly checkpoint: ShardedWriteResult;
}

/** Throws naming the first non-finite value of a merged tensor (nothing is then written). */
function assertFiniteMerged(name: string, data: ArrayLike<number>): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new Error(`merged model: parameter '${name}' has a non-finite value (${data[i]}) at flat index ${i}; nothing was written`);
  }
}

/**
 * Runs {@link streamingMerge} and writes the merged model directory (see the module comment). On any
 * error no checkpoint file is left in `dir`.
 */
export async function streamingMergeToDir(request: StreamingMergeToDirRequest): Promise<StreamingMergeToDirResult> {
  const anchor = request.models[0];
  const dtype: SafetensorsDtype = 'F32';
  const writer = new StreamingCheckpointWriter(
    request.dir,
    [...anchor.shapes].map(([name, shape]) => ({ name, dtype, shape })),
    { maxShardSize: request.maxShardSize ?? '2GB', metadata: { format: 'pt', ...request.metadata } },
  );
  let result: StreamingMergeResult;
  try {
    result = await streamingMerge({
      ...request,
      write: (name: string, t: Tensor) => {
        const data = t.dataSync() as Float32Array;
        assertFiniteMerged(name, data);
        writer.write(name, data);
      },
    });
    writer.close();
  } catch (e) {
    writer.abort();
    throw e;
  }
  writeModelDirFiles(request.dir, { config: request.modelConfig, tokenizer: request.tokenizer });
  return { ...result, checkpoint: writer.result };
}

/** Inputs of {@link streamingMergeDirs}. */
export interface StreamingMergeDirsRequest extends Omit<StreamingMergeToDirRequest, 'models' | 'modelConfig' | 'tokenizer'> {
  /** Model directories, anchor first. */
  readonly dirs: readonly string[];
}

/**
 * Opens the model directories lazily and merges them into `dir` (config and tokenizer from the anchor;
 * the tokenizer from the first model that has one).
 */
export async function streamingMergeDirs(request: StreamingMergeDirsRequest): Promise<StreamingMergeToDirResult> {
  const opened: LazyModelDir[] = [];
  try {
    for (const d of request.dirs) opened.push(openModelDir(d));
    const { dirs: _dirs, ...rest } = request;
    return await streamingMergeToDir({
      ...rest,
      models: opened.map(modelFromDir),
      modelConfig: opened[0].config,
      tokenizer: opened.find((m) => m.tokenizer)?.tokenizer,
    });
  } finally {
    for (const m of opened) m.close();
  }
}
