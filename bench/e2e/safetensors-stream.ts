/**
 * A safetensors writer that takes tensors one at a time: the header (names, dtypes, shapes, offsets) is
 * known before any data — the merged model has the anchor's names and shapes — so it is written first
 * and every tensor goes to its offset as soon as it is produced, then is freed. Written to a temporary
 * name and renamed on `close`, like the package writer, so a failed run leaves nothing half-written.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

/** A tensor the file will hold (F32 only: what the encoder family stores). */
export interface PlannedEntry {
  readonly name: string;
  readonly shape: readonly number[];
}

export class StreamingSafetensorsWriter {
  private readonly fd: number;
  private readonly offsets = new Map<string, { begin: number; end: number }>();
  private readonly written = new Set<string>();
  private readonly dataStart: number;
  private readonly tmp: string;

  constructor(
    private readonly path: string,
    entries: readonly PlannedEntry[],
    metadata: Readonly<Record<string, string>> = { format: 'pt' },
  ) {
    const header: Record<string, unknown> = { __metadata__: metadata };
    let at = 0;
    for (const e of entries) {
      const bytes = e.shape.reduce((a, b) => a * b, 1) * 4;
      this.offsets.set(e.name, { begin: at, end: at + bytes });
      header[e.name] = { dtype: 'F32', shape: e.shape, data_offsets: [at, at + bytes] };
      at += bytes;
    }
    let json = JSON.stringify(header);
    // Pad with spaces so the data starts 8-byte aligned (what the reader's zero-copy views need).
    json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
    const head = Buffer.alloc(8 + Buffer.byteLength(json));
    head.writeBigUInt64LE(BigInt(Buffer.byteLength(json)), 0);
    head.write(json, 8, 'utf8');
    this.dataStart = head.length;
    this.tmp = `${path}.tmp-${process.pid}`;
    this.fd = openSync(this.tmp, 'w');
    writeSync(this.fd, head, 0, head.length, 0);
  }

  /** Writes one tensor's values (row-major f32). @throws Error for an unknown name, a wrong size or a second write */
  write(name: string, data: Float32Array): void {
    const o = this.offsets.get(name);
    if (!o) throw new Error(`StreamingSafetensorsWriter: '${name}' is not in the planned header`);
    if (this.written.has(name)) throw new Error(`StreamingSafetensorsWriter: '${name}' written twice`);
    if (data.byteLength !== o.end - o.begin) throw new Error(`StreamingSafetensorsWriter: '${name}' has ${data.byteLength} bytes; the header planned ${o.end - o.begin}`);
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done, this.dataStart + o.begin + done);
    this.written.add(name);
  }

  /** Finishes the file. @throws Error naming a planned tensor that was never written (the file is removed) */
  close(): void {
    closeSync(this.fd);
    const missing = [...this.offsets.keys()].filter((n) => !this.written.has(n));
    if (missing.length) {
      rmSync(this.tmp, { force: true });
      throw new Error(`StreamingSafetensorsWriter: ${missing.length} planned tensors were never written (e.g. '${missing[0]}')`);
    }
    renameSync(this.tmp, this.path);
  }

  /** Drops the partial file. */
  abort(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    rmSync(this.tmp, { force: true });
  }
}
