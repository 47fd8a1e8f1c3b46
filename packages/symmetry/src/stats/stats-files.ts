/**
 * Statistics bundles as safetensors files: every entry an F64 tensor under its name (a Gram under the
 * name of the linear weight whose input it describes, a Fisher diagonal under its parameter's name),
 * the bundle's kind and meta (model id, data description, token count, shard…) in `__metadata__`.
 * Writing is atomic and validated first, so a bad bundle never leaves a file behind, and an existing
 * file is kept unless `overwrite` is set. Any collector's bundle (Grams, Fisher diagonals, …) fits.
 */
import fs from 'node:fs';
import { openSafetensors, type TensorToWrite, writeSafetensors } from '@symfuse/models';
import type { StatEntry, StatsBundle } from '../interfaces.js';

/** `__metadata__.format` of a statistics file. */
export const STATS_FILE_FORMAT = 'symfuse-stats/1';

/** Metadata keys the file format itself uses (meta keys may not take them). */
const RESERVED = ['format', 'kind', 'numeric_keys'] as const;

/** Options of {@link saveStatsBundle}. */
export interface SaveStatsOptions {
  /** Replace an existing file (default: refuse, so a typo never destroys collected statistics). */
  readonly overwrite?: boolean;
}

/**
 * Writes `bundle` to `path` (safetensors, F64 entries, meta in `__metadata__`).
 * @throws Error naming the entry or meta key when an entry's data does not fill its shape or holds a
 *   non-finite value, a meta key is reserved, or `path` exists and `overwrite` is not set. Nothing is
 *   written then.
 */
export function saveStatsBundle(path: string, bundle: StatsBundle, options: SaveStatsOptions = {}): void {
  const op = `saveStatsBundle(${path})`;
  if (!bundle.kind) throw new Error(`${op}: the bundle has no kind`);
  if (!options.overwrite && fs.existsSync(path)) throw new Error(`${op}: the file exists; pass overwrite: true to replace it`);
  const tensors = new Map<string, TensorToWrite>();
  for (const [name, e] of bundle.entries) {
    const size = e.shape.reduce((a, b) => a * b, 1);
    if (!(e.data instanceof Float64Array) || e.data.length !== size) {
      throw new Error(`${op}: entry '${name}' has ${e.data.length} values for shape [${e.shape.join(', ')}] (${size} expected, as a Float64Array)`);
    }
    for (let i = 0; i < e.data.length; i++) {
      if (!Number.isFinite(e.data[i])) throw new Error(`${op}: entry '${name}' has a non-finite value (${e.data[i]}) at flat index ${i}`);
    }
    tensors.set(name, { dtype: 'F64', shape: e.shape, data: e.data });
  }
  const metadata: Record<string, string> = { format: STATS_FILE_FORMAT, kind: bundle.kind };
  const numeric: string[] = [];
  for (const [key, value] of Object.entries(bundle.meta)) {
    if ((RESERVED as readonly string[]).includes(key)) throw new Error(`${op}: meta key '${key}' is reserved by the file format (${RESERVED.join(', ')})`);
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new Error(`${op}: meta '${key}' is ${value}; expected a finite number or a string`);
      numeric.push(key);
    } else if (typeof value !== 'string') {
      throw new Error(`${op}: meta '${key}' is ${JSON.stringify(value)}; expected a string or a number`);
    }
    // String(x) is the shortest representation that parses back to the same double.
    metadata[key] = String(value);
  }
  metadata.numeric_keys = JSON.stringify(numeric);
  writeSafetensors(path, tensors, { metadata });
}

/** Options of {@link loadStatsBundle}. */
export interface LoadStatsOptions {
  /** Refuse a file holding another kind of statistics. */
  readonly kind?: string;
}

/**
 * Reads a bundle written by {@link saveStatsBundle}.
 * @throws Error naming the file when it is not a statistics file, holds another kind than
 *   `options.kind`, or has malformed metadata.
 */
export function loadStatsBundle(path: string, options: LoadStatsOptions = {}): StatsBundle {
  const op = `loadStatsBundle(${path})`;
  const reader = openSafetensors(path);
  try {
    const md = reader.metadata;
    if (md.format !== STATS_FILE_FORMAT) {
      throw new Error(`${op}: not a symfuse statistics file (metadata format = ${JSON.stringify(md.format)}; expected '${STATS_FILE_FORMAT}')`);
    }
    if (options.kind !== undefined && md.kind !== options.kind) {
      throw new Error(`${op}: the file holds '${md.kind}' statistics; expected '${options.kind}'`);
    }
    let numeric: unknown;
    try {
      numeric = JSON.parse(md.numeric_keys ?? '[]');
    } catch {
      numeric = undefined;
    }
    if (!Array.isArray(numeric)) throw new Error(`${op}: metadata numeric_keys = ${JSON.stringify(md.numeric_keys)}; expected a JSON array of key names`);
    const meta: Record<string, string | number> = {};
    for (const [key, value] of Object.entries(md)) {
      if ((RESERVED as readonly string[]).includes(key)) continue;
      meta[key] = numeric.includes(key) ? Number(value) : value;
    }
    const entries = new Map<string, StatEntry>();
    for (const name of reader.keys()) {
      const t = reader.read(name);
      const data = t.data instanceof Float64Array ? t.data : t.data instanceof Float32Array ? Float64Array.from(t.data) : undefined;
      if (!data) throw new Error(`${op}: entry '${name}' is stored as ${t.dtype}; expected F64 (or F32)`);
      entries.set(name, { shape: t.shape.slice(), data });
    }
    return { kind: md.kind, meta, entries };
  } finally {
    reader.close();
  }
}
