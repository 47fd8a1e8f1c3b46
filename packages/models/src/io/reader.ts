/**
 * Lazy safetensors readers. `openSafetensors` reads only the header when it opens a file; each
 * `read(name)` then fetches that tensor's bytes with a positioned read, so a checkpoint larger than
 * memory can be streamed tensor by tensor. `readSafetensorsBuffer` gives the same interface over
 * bytes already in memory.
 */
import * as fs from 'node:fs';
import { decodeTensorBytes, type DecodedTensor, type DecodeOptions } from './decode.js';
import type { SafetensorsDtype } from './dtypes.js';
import { parseHeaderJson, parseHeaderLength, parseSafetensorsHeader, type SafetensorsHeader } from './header.js';
import { SafetensorsError } from './safetensors-error.js';

/** Dtype and shape of a stored tensor, plus its size in bytes. */
export interface TensorSummary {
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly byteLength: number;
}

/** A lazy view of a safetensors file (or of several shards, see `openCheckpoint`). */
export interface SafetensorsReader {
  /** The file (or index) path; `<buffer>` for in-memory data. */
  readonly path: string;
  /** The `__metadata__` string map (empty when absent). */
  readonly metadata: Readonly<Record<string, string>>;
  /** Tensor names, in storage order. */
  keys(): string[];
  /** Whether a tensor of that name exists. */
  has(name: string): boolean;
  /** Dtype, shape and byte size, without reading data. @throws SafetensorsError for an unknown name */
  info(name: string): TensorSummary;
  /** Reads and decodes one tensor. @throws SafetensorsError for an unknown name or a closed handle */
  read(name: string, options?: DecodeOptions): DecodedTensor;
  /** The tensor's raw little-endian bytes (a fresh copy), e.g. to copy it through unchanged. */
  readBytes(name: string): Uint8Array;
  /** Releases the file descriptor(s); later reads throw. Idempotent. */
  close(): void;
}

function unknownTensor(file: string, name: string, header: SafetensorsHeader): SafetensorsError {
  const names = [...header.tensors.keys()];
  const shown = names.slice(0, 8).map((n) => JSON.stringify(n)).join(', ');
  return new SafetensorsError(file, name, `no such tensor; the file has ${names.length}: ${shown}${names.length > 8 ? ', …' : ''}`);
}

/** Reads exactly `out.length` bytes at `position`, looping over short reads; chunks keep each call < 1 GiB. */
function readFully(fd: number, out: Uint8Array, position: number, file: string): void {
  const CHUNK = 1 << 30;
  let done = 0;
  while (done < out.length) {
    const want = Math.min(CHUNK, out.length - done);
    const got = fs.readSync(fd, out, done, want, position + done);
    if (got === 0) {
      throw new SafetensorsError(file, undefined, `file ended after ${position + done} bytes; ${out.length - done} more expected at offset ${position + done} (was it truncated or changed while open?)`);
    }
    done += got;
  }
}

/** The shared part of both readers: everything but how bytes are fetched. */
function makeReader(
  path: string,
  header: SafetensorsHeader,
  fetch: (absoluteOffset: number, length: number) => { bytes: Uint8Array; owned: boolean },
  onClose: () => void,
): SafetensorsReader {
  let closed = false;
  const lookup = (name: string) => {
    if (closed) throw new SafetensorsError(path, name, 'reader is closed');
    const info = header.tensors.get(name);
    if (!info) throw unknownTensor(path, name, header);
    return info;
  };
  return {
    path,
    metadata: header.metadata,
    keys: () => [...header.tensors.keys()],
    has: (name) => header.tensors.has(name),
    info(name) {
      const t = lookup(name);
      return { dtype: t.dtype, shape: t.shape.slice(), byteLength: t.dataOffsets[1] - t.dataOffsets[0] };
    },
    read(name, options) {
      const t = lookup(name);
      const [begin, end] = t.dataOffsets;
      const { bytes, owned } = fetch(header.dataStart + begin, end - begin);
      return decodeTensorBytes(bytes, t.dtype, t.shape, options, owned, path, name);
    },
    readBytes(name) {
      const t = lookup(name);
      const [begin, end] = t.dataOffsets;
      const { bytes, owned } = fetch(header.dataStart + begin, end - begin);
      if (owned) return bytes;
      const copy = new Uint8Array(bytes.length);
      copy.set(bytes);
      return copy;
    },
    close() {
      if (closed) return;
      closed = true;
      onClose();
    },
  };
}

/**
 * Opens a safetensors file lazily: validates the header now, reads tensor data on demand with
 * positioned reads (never the whole file). Call `close()` when done.
 * @throws SafetensorsError for a malformed header, or the fs error if the file cannot be opened
 */
export function openSafetensors(path: string): SafetensorsReader {
  const fd = fs.openSync(path, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const prefix = new Uint8Array(8);
    if (size >= 8) readFully(fd, prefix, 0, path);
    const n = parseHeaderLength(prefix, path, size);
    const json = new Uint8Array(n);
    readFully(fd, json, 8, path);
    const header = parseHeaderJson(json, path, size - 8 - n);
    return makeReader(
      path,
      header,
      (offset, length) => {
        // A fresh, 8-byte-aligned ArrayBuffer per tensor, so decoding can view it without copying.
        const bytes = new Uint8Array(new ArrayBuffer(length));
        readFully(fd, bytes, offset, path);
        return { bytes, owned: true };
      },
      () => fs.closeSync(fd),
    );
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

/**
 * The same lazy interface over a whole safetensors file already in memory. Reads return copies, so
 * the decoded arrays never alias `bytes`.
 * @throws SafetensorsError for a malformed header
 */
export function readSafetensorsBuffer(bytes: Uint8Array, name = '<buffer>'): SafetensorsReader {
  const header = parseSafetensorsHeader(bytes, { file: name });
  return makeReader(
    name,
    header,
    (offset, length) => ({ bytes: bytes.subarray(offset, offset + length), owned: false }),
    () => {},
  );
}
