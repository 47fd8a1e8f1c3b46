/**
 * A safetensors writer that takes tensors one at a time. The header (names, dtypes, shapes, offsets)
 * only needs names and shapes, which are known before any value — a merged model has its anchor's —
 * so it is written first and each tensor goes to its offset as soon as it is produced, after which
 * the caller can free it: peak memory is one tensor, not the model.
 *
 * The file is laid out exactly as {@link writeSafetensors} lays it out (same header, same order), so
 * writing the same tensors either way gives the same bytes. It is written to a temporary name beside
 * the target and renamed into place by `close()` once every planned tensor has been written; a failure,
 * a missing tensor or `abort()` removes the temporary file, so the target is never half-written.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { shapeSize } from './decode.js';
import { encodeTensorValues, type TensorValues } from './encode.js';
import { parseHeaderJson } from './header.js';
import { SafetensorsError } from './safetensors-error.js';
import { layoutSafetensors, type PlacedEntry, type TensorEntry } from './writer.js';

/** Options of {@link StreamingSafetensorsWriter}. */
export interface StreamingWriterOptions {
  /** String map stored as `__metadata__`. */
  readonly metadata?: Readonly<Record<string, string>>;
}

let tmpCounter = 0;

/** Writes `bytes` fully at `position`, looping over short writes (chunks keep each call < 1 GiB). */
function writeFullyAt(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.length) done += fs.writeSync(fd, bytes, done, Math.min(bytes.length - done, 1 << 30), position + done);
}

/**
 * A safetensors file written tensor by tensor (see the module comment).
 *
 * ```ts
 * const w = new StreamingSafetensorsWriter('out/model.safetensors', [{ name: 'w', dtype: 'F32', shape: [2, 3] }]);
 * try { w.write('w', values); w.close(); } catch (e) { w.abort(); throw e; }
 * ```
 */
export class StreamingSafetensorsWriter {
  /** The target path (exists only after a successful {@link close}). */
  readonly path: string;
  /** Size of the finished file in bytes. */
  readonly totalBytes: number;
  private readonly placed = new Map<string, PlacedEntry>();
  private readonly written = new Set<string>();
  private readonly dataStart: number;
  private readonly tmp: string;
  private fd: number | undefined;
  private state: 'open' | 'closed' | 'aborted' = 'open';

  /**
   * Validates the planned tensors and the metadata, then creates the temporary file and writes the header.
   * @param entries every tensor the file will hold, with the dtype it is stored as.
   * @throws SafetensorsError for a bad dtype, shape, name (reserved, duplicate) or metadata value;
   *   nothing is created then
   */
  constructor(path: string, entries: readonly TensorEntry[], options: StreamingWriterOptions = {}) {
    this.path = path;
    const layout = layoutSafetensors(entries, options.metadata, path);
    for (const t of layout.tensors) this.placed.set(t.name, t);
    this.dataStart = layout.header.length;
    this.totalBytes = layout.totalBytes;
    // Self-check: the header must be one the package's own reader accepts for a file of this size.
    parseHeaderJson(layout.header.subarray(8), path, layout.totalBytes - layout.header.length);
    this.tmp = nodePath.join(nodePath.dirname(path), `.${nodePath.basename(path)}.${process.pid}.${++tmpCounter}.tmp`);
    this.fd = fs.openSync(this.tmp, 'wx');
    try {
      writeFullyAt(this.fd, layout.header, 0);
      // The full size now, so a tensor written out of order never leaves a hole past the end.
      fs.ftruncateSync(this.fd, layout.totalBytes);
    } catch (e) {
      this.abort();
      throw e;
    }
  }

  /** Names planned but not written yet, in storage order. */
  pending(): string[] {
    return [...this.placed.keys()].filter((n) => !this.written.has(n));
  }

  /**
   * Writes one tensor's values (row-major), converted to its planned dtype, at its offset.
   * @throws SafetensorsError for a name that was not planned, a second write of a name, a number of
   *   values other than the planned shape's (it would spill into the next tensor), a value the dtype
   *   cannot hold, or a writer that is closed or aborted. The tensor is then not written.
   */
  write(name: string, values: TensorValues): void {
    if (this.state !== 'open') throw new SafetensorsError(this.path, name, `the writer is ${this.state}; no more tensors can be written`);
    const t = this.placed.get(name);
    if (!t) throw new SafetensorsError(this.path, name, `is not among the ${this.placed.size} tensors planned in the header`);
    if (this.written.has(name)) throw new SafetensorsError(this.path, name, 'was already written');
    const n = shapeSize(t.shape);
    if (values.length !== n) {
      throw new SafetensorsError(this.path, name, `got ${values.length} values; the header declares shape [${t.shape.join(', ')}] = ${n} ${t.dtype} values (bytes ${t.begin}…${t.end} of the data)`);
    }
    const bytes = encodeTensorValues(values, t.dtype, this.path, name);
    if (bytes.length !== t.end - t.begin) {
      throw new SafetensorsError(this.path, name, `encodes to ${bytes.length} bytes; the header declares ${t.end - t.begin}`);
    }
    writeFullyAt(this.fd!, bytes, this.dataStart + t.begin);
    this.written.add(name);
  }

  /**
   * Flushes the file and renames it to {@link path}.
   * @throws SafetensorsError naming a planned tensor that was never written (the temporary file is
   *   removed and the target untouched), or the file system's error
   */
  close(): void {
    if (this.state !== 'open') throw new SafetensorsError(this.path, undefined, `the writer is already ${this.state}`);
    const missing = this.pending();
    if (missing.length) {
      this.abort();
      throw new SafetensorsError(this.path, missing[0], `was never written (${missing.length} of ${this.placed.size} planned tensors missing); nothing was written to ${this.path}`);
    }
    try {
      fs.fsyncSync(this.fd!);
      fs.closeSync(this.fd!);
      this.fd = undefined;
      fs.renameSync(this.tmp, this.path);
    } catch (e) {
      this.abort();
      throw e;
    }
    this.state = 'closed';
  }

  /** Drops the temporary file; the target is left as it was. Idempotent; a no-op after `close()`. */
  abort(): void {
    if (this.state === 'closed') return;
    this.state = 'aborted';
    if (this.fd !== undefined) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // already closed by a failed close(): nothing left to release
      }
      this.fd = undefined;
    }
    fs.rmSync(this.tmp, { force: true });
  }
}
