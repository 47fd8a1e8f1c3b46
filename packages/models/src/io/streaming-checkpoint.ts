/**
 * A checkpoint (`model.safetensors`, or shards plus `model.safetensors.index.json`) written tensor by
 * tensor: the sharded counterpart of {@link StreamingSafetensorsWriter}. The split into shards is
 * decided from names, dtypes and shapes alone, exactly as {@link writeShardedSafetensors} decides it,
 * so the same tensors give the same files either way. Each shard is its own streaming writer (a
 * temporary file renamed into place on `close()`); the index is written last, then stale files of an
 * earlier save are removed.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { shapeSize } from './decode.js';
import { dtypeByteSize } from './dtypes.js';
import type { TensorValues } from './encode.js';
import { SafetensorsError } from './safetensors-error.js';
import { parseByteSize, removeStaleCheckpointFiles, shardFileNames, shardGroups, writeShardIndex, type ShardedWriteResult } from './sharded.js';
import { StreamingSafetensorsWriter } from './streaming-writer.js';
import type { TensorEntry } from './writer.js';

/** Options of {@link StreamingCheckpointWriter}. */
export interface StreamingCheckpointOptions {
  /** Largest shard's data size (default: never shard); a single larger tensor gets a shard of its own. */
  readonly maxShardSize?: number | string;
  /** File name stem (default `model`). */
  readonly baseName?: string;
  /** String map stored as `__metadata__` in every file. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Writes a checkpoint into a directory one tensor at a time (see the module comment). */
export class StreamingCheckpointWriter {
  /** What the directory will hold after `close()`. */
  readonly result: ShardedWriteResult;
  private readonly base: string;
  private readonly shardOf = new Map<string, StreamingSafetensorsWriter>();
  private readonly writers: StreamingSafetensorsWriter[] = [];

  /**
   * Plans the files and opens one streaming writer per shard.
   * @param entries every tensor, in the order that decides the split (a model's canonical order).
   * @throws SafetensorsError for an invalid entry, size or metadata, before any file is created
   */
  constructor(
    readonly dir: string,
    entries: readonly TensorEntry[],
    options: StreamingCheckpointOptions = {},
  ) {
    const maxBytes = options.maxShardSize === undefined ? Number.POSITIVE_INFINITY : parseByteSize(options.maxShardSize);
    this.base = options.baseName ?? 'model';
    const bytes = (e: TensorEntry) => shapeSize(e.shape) * dtypeByteSize(e.dtype);
    const groups = shardGroups(entries, bytes, maxBytes);
    const files = shardFileNames(this.base, groups.length);
    fs.mkdirSync(dir, { recursive: true });
    try {
      groups.forEach((g, i) => {
        const w = new StreamingSafetensorsWriter(nodePath.join(dir, files[i]), g, { metadata: options.metadata });
        this.writers.push(w);
        for (const e of g) this.shardOf.set(e.name, w);
      });
    } catch (e) {
      this.abort();
      throw e;
    }
    this.result = {
      files,
      index: groups.length > 1 ? `${this.base}.safetensors.index.json` : undefined,
      totalSize: entries.reduce((s, e) => s + bytes(e), 0),
    };
  }

  /** Names planned but not written yet. */
  pending(): string[] {
    return this.writers.flatMap((w) => w.pending());
  }

  /**
   * Writes one tensor into its shard (see {@link StreamingSafetensorsWriter.write}).
   * @throws SafetensorsError for an unplanned name, a repeated name or a wrong number of values
   */
  write(name: string, values: TensorValues): void {
    const w = this.shardOf.get(name);
    if (!w) throw new SafetensorsError(this.dir, name, `is not among the ${this.shardOf.size} tensors planned for this checkpoint`);
    w.write(name, values);
  }

  /**
   * Finishes every shard, writes the index (sharded checkpoints) and removes stale files of an earlier
   * save with the same stem.
   * @throws SafetensorsError naming a planned tensor that was never written; no file of this
   *   checkpoint is then left in the directory
   */
  close(): void {
    const missing = this.pending();
    if (missing.length) {
      this.abort();
      throw new SafetensorsError(this.dir, missing[0], `was never written (${missing.length} planned tensors missing); no checkpoint was written`);
    }
    const done: string[] = [];
    try {
      for (const w of this.writers) {
        w.close();
        done.push(w.path);
      }
      if (this.result.index) {
        const weightMap = new Map<string, string>();
        for (const [name, w] of this.shardOf) weightMap.set(name, nodePath.basename(w.path));
        writeShardIndex(this.dir, this.base, weightMap, this.result.totalSize);
      }
    } catch (e) {
      this.abort();
      for (const f of done) fs.rmSync(f, { force: true });
      throw e;
    }
    removeStaleCheckpointFiles(this.dir, this.base, new Set(this.result.index ? [...this.result.files, this.result.index] : this.result.files));
  }

  /** Drops every shard's temporary file. Idempotent. */
  abort(): void {
    for (const w of this.writers) w.abort();
  }
}
