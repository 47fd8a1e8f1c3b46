/**
 * Sharded statistics collection: `shard i/n` (1-based, like `jest --shard=2/4`) takes batches
 * `j` with `j mod n = i − 1` (round-robin, so it works on streams of unknown length), and the shards'
 * bundles combine exactly into the bundle of one pass (`combineMeta` + each collector's `combine`).
 * Shared by every statistics collector (Grams, Fisher diagonals, …).
 */
import { z } from 'zod';
import type { StatsBundle } from '../interfaces.js';

/**
 * The zod schema of a collector's `shard` option: `'i/n'` or `{ index, count }`; checked (and turned
 * into a {@link ShardSpec}) by {@link parseShard}, whose errors name the value.
 */
export const shardOptionSchema = z.union([z.string(), z.object({ index: z.number().int(), count: z.number().int() }).strict()]);

/** Shard `index` (1-based) of `count`. */
export interface ShardSpec {
  readonly index: number;
  readonly count: number;
}

/**
 * Parses `'i/n'` (1 ≤ i ≤ n) or a {@link ShardSpec}; `undefined` means all batches.
 * @throws Error naming the value and the expected form.
 */
export function parseShard(value: string | ShardSpec | undefined): ShardSpec | undefined {
  if (value === undefined) return undefined;
  let index: number;
  let count: number;
  if (typeof value === 'string') {
    const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value);
    if (!m) throw new Error(`shard = ${JSON.stringify(value)}: expected 'i/n' with 1 ≤ i ≤ n, e.g. '2/4'`);
    index = Number(m[1]);
    count = Number(m[2]);
  } else {
    ({ index, count } = value);
  }
  if (!Number.isInteger(index) || !Number.isInteger(count) || count < 1 || index < 1 || index > count) {
    throw new Error(`shard = ${JSON.stringify(value)}: expected 'i/n' with integers 1 ≤ i ≤ n, e.g. '2/4'`);
  }
  return { index, count };
}

/** True when batch `j` (0-based, counted over the whole stream) belongs to `shard`. */
export function inShard(j: number, shard: ShardSpec | undefined): boolean {
  return shard === undefined || j % shard.count === shard.index - 1;
}

/** The meta value of a shard: `'i/n'`. */
export function shardLabel(shard: ShardSpec): string {
  return `${shard.index}/${shard.count}`;
}

/** The shard indices a bundle covers (`shard` meta `'1,3/4'`), or undefined for a whole pass. */
function shardsOf(b: StatsBundle, k: number): { set: number[]; count: number } | undefined {
  const s = b.meta.shard;
  if (s === undefined) return undefined;
  const m = /^(\d+(?:,\d+)*)\/(\d+)$/.exec(String(s));
  if (!m) throw new Error(`combine: part ${k} has meta shard = ${JSON.stringify(s)}; expected 'i/n' or 'i,j,…/n'`);
  return { set: m[1].split(',').map(Number), count: Number(m[2]) };
}

/**
 * Combines the meta of disjoint parts of one collection: keys in `summed` (and keys starting with
 * `count.`) add up; `shard` becomes the union of the parts' shards (dropped when the union is every
 * shard, so the result equals one pass); every other key must be equal in all parts.
 * @throws Error naming the key and the differing values (statistics of different models, data or
 *   settings), a shard that appears twice, or parts with different shard counts.
 */
export function combineMeta(parts: readonly StatsBundle[], summed: readonly string[]): Record<string, string | number> {
  if (parts.length === 0) throw new Error('combine: no parts given; expected at least one statistics bundle');
  const kind = parts[0].kind;
  parts.forEach((p, k) => {
    if (p.kind !== kind) throw new Error(`combine: part ${k} holds '${p.kind}' statistics but part 0 holds '${kind}'`);
  });
  const keys = new Set(parts.flatMap((p) => Object.keys(p.meta)));
  const out: Record<string, string | number> = {};
  for (const key of keys) {
    if (key === 'shard') continue;
    const values = parts.map((p) => p.meta[key]);
    if (summed.includes(key) || key.startsWith('count.')) {
      const bad = values.findIndex((v) => typeof v !== 'number');
      if (bad >= 0) throw new Error(`combine: meta '${key}' of part ${bad} is ${JSON.stringify(values[bad])}; expected a number in every part`);
      out[key] = (values as number[]).reduce((a, b) => a + b, 0);
      continue;
    }
    const differ = values.findIndex((v) => v !== values[0]);
    if (differ >= 0) {
      throw new Error(
        `combine: meta '${key}' differs between parts (part 0: ${JSON.stringify(values[0])}, part ${differ}: ${JSON.stringify(values[differ])}); only shards of one collection (same model, data and settings) combine`,
      );
    }
    out[key] = values[0] as string | number;
  }
  const shards = parts.map(shardsOf);
  if (shards.some((s) => s !== undefined)) {
    const whole = shards.findIndex((s) => s === undefined);
    if (whole >= 0) throw new Error(`combine: part ${whole} covers every batch (no shard meta) but other parts are shards; the data would be counted twice`);
    const count = shards[0]!.count;
    const seen = new Set<number>();
    shards.forEach((s, k) => {
      if (s!.count !== count) throw new Error(`combine: part ${k} is a shard of ${s!.count} but part 0 is a shard of ${count}`);
      for (const i of s!.set) {
        if (seen.has(i)) throw new Error(`combine: shard ${i}/${count} appears twice (again in part ${k}); the data would be counted twice`);
        seen.add(i);
      }
    });
    if (seen.size < count) out.shard = `${[...seen].sort((a, b) => a - b).join(',')}/${count}`;
  }
  return out;
}
