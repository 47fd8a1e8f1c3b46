/**
 * Parsing and full validation of a safetensors header:
 * `[u64 LE header length N][N bytes of UTF-8 JSON][data buffer]`, where the JSON maps each tensor name
 * to `{dtype, shape, data_offsets: [begin, end]}` (offsets relative to the data buffer) and an optional
 * `__metadata__` maps strings to strings.
 *
 * The checks are those of the reference implementation plus the ones JSON.parse would hide: header
 * size limit, strict UTF-8, duplicate names, integers beyond 2^53, offsets that tile the buffer exactly,
 * and byte ranges that match shape × dtype size. Any violation is a {@link SafetensorsError}.
 */
import { dtypeByteSize, isSafetensorsDtype, SAFETENSORS_DTYPES, type SafetensorsDtype } from './dtypes.js';
import { scanJson } from './json-scan.js';
import { SafetensorsError } from './safetensors-error.js';

/** Largest header the reader accepts, as in the reference implementation (100 MB). */
export const MAX_HEADER_BYTES = 100_000_000;

/** Where one tensor lives and what it holds. */
export interface TensorInfo {
  readonly dtype: SafetensorsDtype;
  /** Dimensions, outermost first; `[]` for a scalar. */
  readonly shape: readonly number[];
  /** Byte offsets `[begin, end)` relative to the start of the data buffer. */
  readonly dataOffsets: readonly [number, number];
}

/** A validated header. */
export interface SafetensorsHeader {
  /** N, the JSON length in bytes. */
  readonly headerLength: number;
  /** Absolute file offset of the data buffer: 8 + N. */
  readonly dataStart: number;
  /** Length of the data buffer in bytes. */
  readonly dataLength: number;
  /** `__metadata__` (empty when absent); a prototype-less object so any key is safe. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Tensors by name, in data order (ascending offsets). */
  readonly tensors: ReadonlyMap<string, TensorInfo>;
}

/** Reads and checks the 8-byte length prefix; `totalSize` is the size of the whole file. */
export function parseHeaderLength(prefix: Uint8Array, file: string, totalSize: number): number {
  if (prefix.length < 8 || totalSize < 8) {
    throw new SafetensorsError(file, undefined, `file is ${Math.min(prefix.length, totalSize)} bytes; at least 8 (the header length) expected`);
  }
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError(file, undefined, `header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  }
  const len = Number(n);
  if (len < 2) throw new SafetensorsError(file, undefined, `header length ${len}; at least 2 bytes ("{}") expected`);
  if (8 + len > totalSize) {
    throw new SafetensorsError(file, undefined, `header length ${len} runs past the end of the ${totalSize}-byte file`);
  }
  return len;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  if (v === undefined) return 'missing';
  let s: string | undefined;
  try {
    s = JSON.stringify(v);
  } catch {
    // JSON.stringify recurses: a hostile, deeply nested value would overflow the stack.
    return `a deeply nested ${Array.isArray(v) ? 'array' : 'object'}`;
  }
  return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 80)}…` : s;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks one dimension / offset: a non-negative safe integer. */
function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function parseEntry(file: string, name: string, raw: unknown): TensorInfo {
  const fail = (detail: string): never => {
    throw new SafetensorsError(file, name, detail);
  };
  if (!isPlainObject(raw)) fail(`entry is ${show(raw)}; expected an object {dtype, shape, data_offsets}`);
  const entry = raw as Record<string, unknown>;
  const dtype = entry.dtype;
  if (!isSafetensorsDtype(dtype)) {
    fail(`dtype ${show(dtype)} is not supported; expected one of ${SAFETENSORS_DTYPES.join(', ')}`);
  }
  const shape = entry.shape;
  if (!Array.isArray(shape)) fail(`shape is ${show(shape)}; expected an array of non-negative integers`);
  for (let k = 0; k < (shape as unknown[]).length; k++) {
    const d = (shape as unknown[])[k];
    if (!isCount(d)) fail(`shape[${k}] is ${show(d)}; expected a non-negative integer`);
  }
  const offs = entry.data_offsets;
  if (!Array.isArray(offs) || offs.length !== 2) fail(`data_offsets is ${show(offs)}; expected [begin, end]`);
  const [begin, end] = offs as unknown[];
  if (!isCount(begin) || !isCount(end)) fail(`data_offsets ${show(offs)}; expected two non-negative integers`);
  if ((end as number) < (begin as number)) fail(`data_offsets [${begin}, ${end}] has end < begin`);
  const dims = shape as number[];
  const bytes = (end as number) - (begin as number);
  const size = dtypeByteSize(dtype as SafetensorsDtype);
  // Multiply with an early exit so a hostile shape cannot overflow into a false match.
  let count = dims.includes(0) ? 0 : 1;
  for (const d of dims) {
    if (count === 0) break;
    count *= d;
    if (count * size > bytes) break;
  }
  if (count * size !== bytes) {
    const expected = dims.includes(0) ? 0 : dims.reduce((a, b) => a * b, 1) * size;
    fail(`shape [${dims.join(', ')}] × ${dtype} (${size} B) needs ${expected} bytes but data_offsets [${begin}, ${end}] span ${bytes}`);
  }
  return { dtype: dtype as SafetensorsDtype, shape: dims.slice(), dataOffsets: [begin as number, end as number] };
}

/**
 * Parses and validates the JSON part of a header.
 * @param json the N header bytes (after the 8-byte prefix)
 * @param dataLength length of the data buffer that follows the header
 */
export function parseHeaderJson(json: Uint8Array, file: string, dataLength: number): SafetensorsHeader {
  let text: string;
  try {
    text = utf8.decode(json);
  } catch {
    throw new SafetensorsError(file, undefined, 'header is not valid UTF-8');
  }
  if (text.charCodeAt(0) !== 0x7b) {
    throw new SafetensorsError(file, undefined, `header starts with ${show(text.slice(0, 8))}; expected "{"`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new SafetensorsError(file, undefined, `header is not valid JSON (${(e as Error).message})`);
  }
  const problem = scanJson(text, true);
  if (problem) {
    // Name the tensor when the problem sits inside a tensor's entry.
    const inMetadata = problem.path[0] === '__metadata__';
    const tensor = problem.path.length === 0 || inMetadata ? undefined : problem.path[0];
    const where = inMetadata ? ` in ${problem.path.join('.')}` : problem.path.length > 1 ? ` in ${problem.path.slice(1).join('.')}` : '';
    if (problem.kind === 'duplicate-key') {
      if (problem.path.length === 0) throw new SafetensorsError(file, problem.value, 'tensor name appears twice in the header; names must be unique');
      throw new SafetensorsError(file, tensor, `key ${show(problem.value)} appears twice in ${inMetadata ? problem.path.join('.') : `the entry${where}`}`);
    }
    if (problem.kind === 'unsafe-integer') {
      throw new SafetensorsError(file, tensor, `integer ${problem.value}${where} exceeds 2^53 − 1 = ${Number.MAX_SAFE_INTEGER}; it cannot be represented exactly`);
    }
    throw new SafetensorsError(file, tensor, `number ${problem.value}${where} is not a plain integer; shapes and offsets must be non-negative integers`);
  }
  if (!isPlainObject(parsed)) throw new SafetensorsError(file, undefined, `header is ${show(parsed)}; expected a JSON object`);

  const metadata: Record<string, string> = Object.create(null) as Record<string, string>;
  const entries: [string, TensorInfo][] = [];
  for (const name of Object.keys(parsed)) {
    const value = parsed[name];
    if (name === '__metadata__') {
      if (value === null) continue; // the reference accepts a null metadata map
      if (!isPlainObject(value)) throw new SafetensorsError(file, undefined, `__metadata__ is ${show(value)}; expected an object of strings`);
      for (const key of Object.keys(value)) {
        const v = value[key];
        if (typeof v !== 'string') {
          throw new SafetensorsError(file, undefined, `__metadata__[${show(key)}] is ${show(v)}; metadata values must be strings`);
        }
        metadata[key] = v;
      }
      continue;
    }
    entries.push([name, parseEntry(file, name, value)]);
  }

  // The data buffer must be tiled exactly: sorted by offsets, contiguous, and ending at its end.
  entries.sort((a, b) => a[1].dataOffsets[0] - b[1].dataOffsets[0] || a[1].dataOffsets[1] - b[1].dataOffsets[1]);
  let expected = 0;
  let previous: string | undefined;
  for (const [name, info] of entries) {
    const [begin, end] = info.dataOffsets;
    if (begin !== expected) {
      const after = previous === undefined ? 'the start of the data buffer' : `tensor ${JSON.stringify(previous)}, which ends at ${expected}`;
      const what = begin > expected ? 'leaves a gap' : 'overlaps';
      throw new SafetensorsError(file, name, `data_offsets begin ${begin} ${what} after ${after}; expected ${expected}`);
    }
    if (end > dataLength) {
      throw new SafetensorsError(file, name, `data_offsets end ${end} is beyond the ${dataLength}-byte data buffer`);
    }
    expected = end;
    previous = name;
  }
  if (expected !== dataLength) {
    throw new SafetensorsError(file, previous, `tensors cover ${expected} bytes but the data buffer has ${dataLength}; trailing bytes are not allowed`);
  }
  return {
    headerLength: json.length,
    dataStart: 8 + json.length,
    dataLength,
    metadata,
    tensors: new Map(entries),
  };
}

/** Options of {@link parseSafetensorsHeader}. */
export interface ParseHeaderOptions {
  /** Name used in error messages (default `<buffer>`). */
  readonly file?: string;
  /** Size of the whole file when `bytes` holds only its beginning (default `bytes.length`). */
  readonly totalSize?: number;
}

/**
 * Parses and validates the header at the start of `bytes` (the whole file, or at least its first
 * 8 + N bytes together with `totalSize`).
 * @throws SafetensorsError naming the file, the tensor, the value seen and what was expected.
 */
export function parseSafetensorsHeader(bytes: Uint8Array, options: ParseHeaderOptions = {}): SafetensorsHeader {
  const file = options.file ?? '<buffer>';
  const totalSize = options.totalSize ?? bytes.length;
  const n = parseHeaderLength(bytes, file, totalSize);
  if (bytes.length < 8 + n) {
    throw new SafetensorsError(file, undefined, `only ${bytes.length} bytes given; the header needs ${8 + n}`);
  }
  return parseHeaderJson(bytes.subarray(8, 8 + n), file, totalSize - 8 - n);
}
