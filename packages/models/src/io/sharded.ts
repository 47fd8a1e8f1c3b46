/**
 * Checkpoints split over several safetensors files, as Hugging Face writes them:
 * `model-00001-of-00003.safetensors`, … plus `model.safetensors.index.json`
 * (`{"metadata": {"total_size": N}, "weight_map": {tensor: shard file}}`).
 *
 * `openCheckpoint` hides the difference: it returns one lazy reader over a single file or all shards.
 * `writeShardedSafetensors` splits a state dict by a maximum shard size and writes the index last.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { dtypeByteSize } from './dtypes.js';
import { scanJson } from './json-scan.js';
import { openSafetensors, type SafetensorsReader } from './reader.js';
import { SafetensorsError } from './safetensors-error.js';
import { compareCodePoints, planSafetensors, writeFileAtomic, writeSafetensors, type TensorsToWrite, type TensorToWrite, type WriteSafetensorsOptions } from './writer.js';
import { shapeSize } from './decode.js';

/** File name of a single-file Hugging Face checkpoint. */
export const SINGLE_FILE_NAME = 'model.safetensors';
/** File name of a sharded checkpoint's index. */
export const INDEX_FILE_NAME = 'model.safetensors.index.json';

/** A reader over a checkpoint, with the files it spans. */
export interface CheckpointReader extends SafetensorsReader {
  /** Absolute or given paths of the safetensors files, in shard order. */
  readonly files: readonly string[];
}

function readIndex(indexPath: string): Map<string, string> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(fs.readFileSync(indexPath));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code) throw e;
    throw new SafetensorsError(indexPath, undefined, 'index is not valid UTF-8');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new SafetensorsError(indexPath, undefined, `index is not valid JSON (${(e as Error).message})`);
  }
  const problem = scanJson(text);
  if (problem?.kind === 'duplicate-key' && problem.path[0] === 'weight_map') {
    throw new SafetensorsError(indexPath, problem.value, 'tensor appears twice in weight_map');
  }
  const weightMap = (parsed as { weight_map?: unknown } | null)?.weight_map;
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap)) {
    throw new SafetensorsError(indexPath, undefined, `weight_map is ${JSON.stringify(weightMap) ?? 'missing'}; expected an object {tensor: shard file}`);
  }
  const map = new Map<string, string>();
  for (const [name, file] of Object.entries(weightMap as Record<string, unknown>)) {
    // Shards must sit beside the index: no paths, so an index cannot point outside its directory.
    if (typeof file !== 'string' || file === '' || file === '.' || file === '..' || /[/\\]/.test(file)) {
      throw new SafetensorsError(indexPath, name, `weight_map value ${JSON.stringify(file)} is not a plain file name in the index's directory`);
    }
    map.set(name, file);
  }
  return map;
}

/** Opens the shards named by an index as one reader. */
function openSharded(indexPath: string): CheckpointReader {
  const weightMap = readIndex(indexPath);
  const dir = nodePath.dirname(indexPath);
  const shardNames = [...new Set(weightMap.values())].sort();
  const shards = new Map<string, SafetensorsReader>();
  try {
    for (const s of shardNames) shards.set(s, openSafetensors(nodePath.join(dir, s)));
  } catch (e) {
    for (const r of shards.values()) r.close();
    throw e;
  }
  const closeAll = (): void => {
    for (const r of shards.values()) r.close();
  };
  for (const [name, s] of weightMap) {
    if (!shards.get(s)!.has(name)) {
      closeAll();
      throw new SafetensorsError(indexPath, name, `weight_map says it is in ${s}, but that shard has no such tensor`);
    }
  }
  // Storage order: shard by shard, offsets within each.
  const order: string[] = [];
  for (const s of shardNames) for (const k of shards.get(s)!.keys()) if (weightMap.get(k) === s) order.push(k);
  const metadata: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const r of shards.values()) Object.assign(metadata, r.metadata);
  let closed = false;
  const shardOf = (name: string): SafetensorsReader => {
    if (closed) throw new SafetensorsError(indexPath, name, 'reader is closed');
    const s = weightMap.get(name);
    if (s === undefined) {
      throw new SafetensorsError(indexPath, name, `no such tensor in weight_map (${weightMap.size} tensors, e.g. ${order.slice(0, 5).map((k) => JSON.stringify(k)).join(', ')})`);
    }
    return shards.get(s)!;
  };
  return {
    path: indexPath,
    files: shardNames.map((s) => nodePath.join(dir, s)),
    metadata,
    keys: () => order.slice(),
    has: (name) => weightMap.has(name),
    info: (name) => shardOf(name).info(name),
    read: (name, options) => shardOf(name).read(name, options),
    readBytes: (name) => shardOf(name).readBytes(name),
    close() {
      if (closed) return;
      closed = true;
      closeAll();
    },
  };
}

/**
 * Opens a checkpoint: a `.safetensors` file, a `*.safetensors.index.json`, or a directory holding
 * `model.safetensors` (preferred) or `model.safetensors.index.json`. Only headers are read now.
 * @throws SafetensorsError when nothing loadable is found (naming what was looked for) or a file is malformed
 */
export function openCheckpoint(path: string): CheckpointReader {
  const stat = fs.statSync(path);
  if (stat.isFile()) {
    if (path.endsWith('.index.json')) return openSharded(path);
    const r = openSafetensors(path);
    return Object.assign(r, { files: [path] });
  }
  const single = nodePath.join(path, SINGLE_FILE_NAME);
  if (fs.existsSync(single)) return Object.assign(openSafetensors(single), { files: [single] });
  const index = nodePath.join(path, INDEX_FILE_NAME);
  if (fs.existsSync(index)) return openSharded(index);
  const present = fs.readdirSync(path).filter((f) => f.endsWith('.safetensors') || f.endsWith('.json'));
  throw new SafetensorsError(
    path,
    undefined,
    `no ${SINGLE_FILE_NAME} or ${INDEX_FILE_NAME} in the directory (found: ${present.length ? present.join(', ') : 'no .safetensors or .json files'})`,
  );
}

const SIZE_UNITS: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KIB: 2 ** 10, MIB: 2 ** 20, GIB: 2 ** 30, TIB: 2 ** 40 };

/** Parses a byte size like `500MB`, `2GiB` or `1024` (decimal units are powers of 10, `iB` of 2). */
export function parseByteSize(size: number | string): number {
  if (typeof size === 'number') {
    if (Number.isSafeInteger(size) && size > 0) return size;
  } else {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?\s*$/i.exec(size);
    if (m) {
      const v = Math.floor(Number(m[1]) * SIZE_UNITS[(m[2] ?? 'B').toUpperCase()]);
      if (v > 0) return v;
    }
  }
  throw new SafetensorsError('<options>', undefined, `max shard size ${JSON.stringify(size)} is not a positive byte count like 500MB, 2GiB or 1048576`);
}

/** Options of {@link writeShardedSafetensors}. */
export interface WriteShardedOptions extends WriteSafetensorsOptions {
  /** Largest shard's data size; a single tensor larger than this gets a shard of its own. */
  readonly maxShardSize: number | string;
  /** File name stem (default `model`). */
  readonly baseName?: string;
}

/** What {@link writeShardedSafetensors} wrote. */
export interface ShardedWriteResult {
  /** Shard file names (just `model.safetensors` when everything fits in one). */
  readonly files: readonly string[];
  /** The index file name, or undefined when a single file was written. */
  readonly index: string | undefined;
  /** Sum of all tensors' data bytes (the index's `metadata.total_size`). */
  readonly totalSize: number;
}

const pad5 = (n: number): string => String(n).padStart(5, '0');

/**
 * Hugging Face's greedy split (huggingface_hub `split_state_dict_into_shards_factory`): in the given
 * order, an item larger than the limit becomes a shard of its own right away, without closing the
 * current shard; otherwise the current shard is closed when the item would tip it over the limit.
 * Always returns at least one (possibly empty) group.
 */
export function shardGroups<T>(items: readonly T[], bytesOf: (item: T) => number, maxBytes: number): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let currentBytes = 0;
  for (const e of items) {
    const bytes = bytesOf(e);
    if (bytes > maxBytes) {
      groups.push([e]);
      continue;
    }
    if (currentBytes + bytes > maxBytes) {
      groups.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(e);
    currentBytes += bytes;
  }
  if (current.length > 0 || groups.length === 0) groups.push(current);
  return groups;
}

/** The file names of a checkpoint in `count` parts: `{base}.safetensors`, or `{base}-0000i-of-0000n.safetensors`. */
export function shardFileNames(base: string, count: number): string[] {
  if (count === 1) return [`${base}.safetensors`];
  return Array.from({ length: count }, (_, i) => `${base}-${pad5(i + 1)}-of-${pad5(count)}.safetensors`);
}

/** Writes `{base}.safetensors.index.json` atomically (weight map sorted by name) and returns its file name. */
export function writeShardIndex(dir: string, base: string, weightMap: ReadonlyMap<string, string>, totalSize: number): string {
  // Prototype-less, so a tensor named `__proto__` is an ordinary key.
  const sortedMap: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const k of [...weightMap.keys()].sort(compareCodePoints)) sortedMap[k] = weightMap.get(k)!;
  const index = `${base}.safetensors.index.json`;
  const json = `${JSON.stringify({ metadata: { total_size: totalSize }, weight_map: sortedMap }, null, 2)}\n`;
  writeFileAtomic(nodePath.join(dir, index), (write) => write(new TextEncoder().encode(json)));
  return index;
}

/**
 * Removes files of an earlier save with the same stem (`{base}.safetensors`, its index, its shards)
 * that are not in `keep`, so `openCheckpoint(dir)` cannot pick up a stale one.
 */
export function removeStaleCheckpointFiles(dir: string, base: string, keep: ReadonlySet<string>): void {
  const shardPattern = new RegExp(`^${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d{5}-of-\\d{5}\\.safetensors$`);
  for (const f of fs.readdirSync(dir)) {
    const ours = f === `${base}.safetensors` || f === `${base}.safetensors.index.json` || shardPattern.test(f);
    if (ours && !keep.has(f)) fs.rmSync(nodePath.join(dir, f), { force: true });
  }
}

/**
 * Writes tensors into `dir` as one `model.safetensors` when they fit in `maxShardSize`, else as
 * `model-0000i-of-0000n.safetensors` shards (split exactly as huggingface_hub does, see
 * {@link shardGroups}) plus `model.safetensors.index.json`. Every file is written atomically and the
 * index last; then files of an earlier save with the same stem that the new checkpoint does not use
 * are removed, so `openCheckpoint(dir)` cannot pick up a stale one.
 * @throws SafetensorsError on invalid input, before anything is written
 */
export function writeShardedSafetensors(dir: string, tensors: TensorsToWrite, options: WriteShardedOptions): ShardedWriteResult {
  const maxBytes = parseByteSize(options.maxShardSize);
  const base = options.baseName ?? 'model';
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors as Record<string, TensorToWrite>);
  // Validate everything up front (planning a throwaway layout does all the checks).
  planSafetensors(new Map(entries), options, dir);
  const stored = (t: TensorToWrite): number => {
    const dtype = t.dtype === 'F32' && options.storeF32As && options.storeF32As !== 'F32' ? options.storeF32As : t.dtype;
    return shapeSize(t.shape) * dtypeByteSize(dtype);
  };
  let totalSize = 0;
  for (const [, t] of entries) totalSize += stored(t);
  const groups = shardGroups(entries, ([, t]) => stored(t), maxBytes);
  fs.mkdirSync(dir, { recursive: true });
  const files = shardFileNames(base, groups.length);
  const weightMap = new Map<string, string>();
  groups.forEach((g, i) => {
    writeSafetensors(nodePath.join(dir, files[i]), new Map(g), options);
    for (const [name] of g) weightMap.set(name, files[i]);
  });
  const index = groups.length > 1 ? writeShardIndex(dir, base, weightMap, totalSize) : undefined;
  removeStaleCheckpointFiles(dir, base, new Set(index ? [...files, index] : files));
  return { files, index, totalSize };
}
