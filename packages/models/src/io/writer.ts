/**
 * Writing safetensors files the way the reference writer lays them out: a compact JSON header with
 * `__metadata__` first, padded with spaces so the data buffer starts at a multiple of 8, and tensors
 * ordered by element size (largest first), then name, so every tensor starts aligned to its element
 * size and can be viewed as a typed array without copying.
 *
 * Files are written to a temporary name in the same directory and renamed into place, so a crash or a
 * bad input never leaves a half-written file at the target path or clobbers an existing one.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { shapeSize } from './decode.js';
import { dtypeByteSize, isSafetensorsDtype, SAFETENSORS_DTYPES, type SafetensorsDtype } from './dtypes.js';
import { encodeTensorValues, type TensorValues } from './encode.js';
import { SafetensorsError } from './safetensors-error.js';

/** One tensor to write: the dtype to store, its shape and its values in row-major order. */
export interface TensorToWrite {
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly data: TensorValues;
}

/** Tensors by name: a plain object or a Map (a Map keeps names like `__proto__` safe). */
export type TensorsToWrite = Readonly<Record<string, TensorToWrite>> | ReadonlyMap<string, TensorToWrite>;

/** Options of {@link writeSafetensors} and {@link serializeSafetensors}. */
export interface WriteSafetensorsOptions {
  /** String map stored as `__metadata__`. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Store tensors whose dtype is F32 as F16 or BF16 instead (rounded to nearest, ties to even). */
  readonly storeF32As?: 'F32' | 'F16' | 'BF16';
}

/** One tensor placed in the data buffer. */
export interface PlannedTensor {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
  readonly data: TensorValues;
}

/** The full layout of a file: header bytes (already padded) and where each tensor goes. */
export interface SafetensorsLayout {
  readonly header: Uint8Array;
  readonly tensors: readonly PlannedTensor[];
  /** Total file size in bytes. */
  readonly totalBytes: number;
}

const DTYPE_RANK = new Map<SafetensorsDtype, number>(SAFETENSORS_DTYPES.map((d, i) => [d, i]));

/** Orders strings by Unicode code point (= UTF-8 byte order), unlike `<`, which compares UTF-16 units. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

function entriesOf(tensors: TensorsToWrite): [string, TensorToWrite][] {
  return tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors as Record<string, TensorToWrite>);
}

/** A tensor's place in a file without its values: name, stored dtype and shape. */
export interface TensorEntry {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
}

/** A tensor entry placed in the data buffer (`begin`/`end` relative to the data start). */
export interface PlacedEntry extends TensorEntry {
  readonly begin: number;
  readonly end: number;
}

/** The layout of a file before any data: header bytes (already padded) and each tensor's place. */
export interface SafetensorsEntryLayout {
  readonly header: Uint8Array;
  /** In storage order (dtype rank descending, then name by code point). */
  readonly tensors: readonly PlacedEntry[];
  /** Total file size in bytes. */
  readonly totalBytes: number;
}

function validateEntry(file: string, name: string, dtype: unknown, shape: unknown): void {
  const fail = (detail: string): never => {
    throw new SafetensorsError(file, name, detail);
  };
  if (name === '__metadata__') fail('"__metadata__" is reserved for the metadata map and cannot name a tensor');
  if (!isSafetensorsDtype(dtype)) fail(`dtype ${JSON.stringify(dtype)} is not supported; expected one of ${SAFETENSORS_DTYPES.join(', ')}`);
  if (!Array.isArray(shape)) fail(`shape is ${String(shape)}; expected an array of non-negative integers`);
  (shape as unknown[]).forEach((d, k) => {
    if (!(typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) fail(`shape[${k}] is ${String(d)}; expected a non-negative integer`);
  });
}

function validateTensor(file: string, name: string, t: TensorToWrite): void {
  if (typeof t !== 'object' || t === null) throw new SafetensorsError(file, name, `expected {dtype, shape, data}, got ${String(t)}`);
  validateEntry(file, name, t.dtype, t.shape);
  const n = shapeSize(t.shape);
  if (t.data === null || typeof t.data !== 'object' || typeof t.data.length !== 'number') throw new SafetensorsError(file, name, 'data is not an array or typed array');
  if (t.data.length !== n) throw new SafetensorsError(file, name, `data has ${t.data.length} elements; shape [${t.shape.join(', ')}] needs ${n}`);
}

/**
 * The layout of a file holding `entries` (no values needed): validates every entry (dtype, shape,
 * reserved and duplicate names) and the metadata, orders the tensors as the reference writer does and
 * builds the padded header. Used by {@link planSafetensors} and by the streaming writer, so both lay
 * files out byte for byte alike.
 * @throws SafetensorsError naming the entry or metadata key at fault
 */
export function layoutSafetensors(entries: readonly TensorEntry[], metadata?: Readonly<Record<string, string>>, file = '<buffer>'): SafetensorsEntryLayout {
  const seen = new Set<string>();
  for (const e of entries) {
    validateEntry(file, e.name, e.dtype, e.shape);
    if (seen.has(e.name)) throw new SafetensorsError(file, e.name, 'appears twice in the tensors to write');
    seen.add(e.name);
  }
  const list = entries.map((e) => ({ name: e.name, dtype: e.dtype, shape: e.shape.slice() }));
  // The reference's order: dtype rank descending (largest elements first), then name by code point.
  // With an 8-aligned data start every tensor is then aligned to its element size, and the bytes
  // match the reference writer's for the same input.
  list.sort((a, b) => DTYPE_RANK.get(b.dtype)! - DTYPE_RANK.get(a.dtype)! || compareCodePoints(a.name, b.name));
  const parts: string[] = [];
  if (metadata !== undefined) {
    const keys = Object.keys(metadata);
    for (const k of keys) {
      if (typeof metadata[k] !== 'string') {
        throw new SafetensorsError(file, undefined, `metadata[${JSON.stringify(k)}] is ${String(metadata[k])}; metadata values must be strings`);
      }
    }
    parts.push(`"__metadata__":{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(',')}}`);
  }
  let offset = 0;
  const tensors: PlacedEntry[] = list.map((t) => {
    const begin = offset;
    offset += shapeSize(t.shape) * dtypeByteSize(t.dtype);
    parts.push(`${JSON.stringify(t.name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(',')}],"data_offsets":[${begin},${offset}]}`);
    return { ...t, begin, end: offset };
  });
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const padded = Math.ceil(json.length / 8) * 8;
  const header = new Uint8Array(8 + padded).fill(0x20, 8);
  new DataView(header.buffer).setBigUint64(0, BigInt(padded), true);
  header.set(json, 8);
  return { header, tensors, totalBytes: header.length + offset };
}

/**
 * Validates the input and computes the layout, without encoding or writing anything.
 * @throws SafetensorsError on an unknown dtype, a bad shape, a length mismatch or non-string metadata
 */
export function planSafetensors(tensors: TensorsToWrite, options: WriteSafetensorsOptions = {}, file = '<buffer>'): SafetensorsLayout {
  const data = new Map<string, TensorValues>();
  const entries = entriesOf(tensors).map(([name, t]): TensorEntry => {
    validateTensor(file, name, t);
    const narrow = t.dtype === 'F32' && options.storeF32As !== undefined && options.storeF32As !== 'F32';
    // A Uint16Array given as F32 holds values, not F16/BF16 bit patterns: convert before narrowing.
    data.set(name, narrow && t.data instanceof Uint16Array ? Float32Array.from(t.data) : t.data);
    return { name, dtype: narrow ? options.storeF32As! : t.dtype, shape: t.shape };
  });
  const layout = layoutSafetensors(entries, options.metadata, file);
  return { header: layout.header, totalBytes: layout.totalBytes, tensors: layout.tensors.map((t) => ({ ...t, data: data.get(t.name)! })) };
}

/**
 * Serializes tensors to an in-memory safetensors file.
 * @throws SafetensorsError on invalid input (see {@link planSafetensors}) or a value the dtype cannot hold
 */
export function serializeSafetensors(tensors: TensorsToWrite, options: WriteSafetensorsOptions = {}): Uint8Array {
  const layout = planSafetensors(tensors, options);
  const out = new Uint8Array(layout.totalBytes);
  out.set(layout.header, 0);
  for (const t of layout.tensors) {
    out.set(encodeTensorValues(t.data, t.dtype, '<buffer>', t.name), layout.header.length + t.begin);
  }
  return out;
}

let tmpCounter = 0;

/**
 * Writes bytes produced by `emit` to `path` atomically: into a temporary file beside it, flushed, then
 * renamed over `path`. On any error the temporary file is removed and `path` is untouched.
 */
export function writeFileAtomic(path: string, emit: (write: (bytes: Uint8Array) => void) => void): void {
  const dir = nodePath.dirname(path);
  const tmp = nodePath.join(dir, `.${nodePath.basename(path)}.${process.pid}.${++tmpCounter}.tmp`);
  const fd = fs.openSync(tmp, 'wx');
  let ok = false;
  try {
    emit((bytes) => {
      let done = 0;
      while (done < bytes.length) done += fs.writeSync(fd, bytes, done, Math.min(bytes.length - done, 1 << 30));
    });
    fs.fsyncSync(fd);
    ok = true;
  } finally {
    fs.closeSync(fd);
    if (!ok) fs.rmSync(tmp, { force: true });
  }
  try {
    fs.renameSync(tmp, path);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Writes tensors to a safetensors file at `path`, one tensor encoded at a time (peak memory: the largest
 * tensor), atomically (temporary file + rename). Input is fully validated before the file is created.
 * @throws SafetensorsError on invalid input or a value the dtype cannot hold; the target is then untouched
 */
export function writeSafetensors(path: string, tensors: TensorsToWrite, options: WriteSafetensorsOptions = {}): void {
  const layout = planSafetensors(tensors, options, path);
  writeFileAtomic(path, (write) => {
    write(layout.header);
    for (const t of layout.tensors) write(encodeTensorValues(t.data, t.dtype, path, t.name));
  });
}
