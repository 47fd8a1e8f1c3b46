/**
 * The per-run result cache that makes experiments resumable: every unit of work (one interpolation
 * curve, one merge and its evaluation…) is stored under the hash of a key that describes it fully
 * (models, configuration, data sample, seed), as JSON with the time and machine it ran on. A rerun
 * skips what is cached, an interrupted suite continues where it stopped, and two experiments that
 * need the same run (the FFN+MHA curve of Fig. 3 is the head-perm row of Table 1) share it.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** When and where a run was computed. */
export interface RunRecord {
  /** A short label for reports, e.g. `curve mlm-seed1 × mlm-seed2 ffn+mha`. */
  readonly label: string;
  readonly key: string;
  readonly startedAt: string;
  readonly seconds: number;
  /** True when this invocation took it from the cache. */
  readonly cached: boolean;
}

interface Stored<T> {
  readonly key: unknown;
  readonly label: string;
  readonly startedAt: string;
  readonly seconds: number;
  readonly value: T;
}

/** Stable JSON: object keys sorted, so equal descriptions hash equally. */
export function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as object)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableStringify((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** A directory of cached runs (or a pass-through when disabled). */
export class RunCache {
  readonly records: RunRecord[] = [];

  constructor(
    readonly dir: string,
    readonly enabled: boolean,
  ) {}

  /** The file a key is stored in. */
  fileFor(key: unknown): string {
    return path.join(this.dir, `${createHash('sha256').update(stableStringify(key)).digest('hex').slice(0, 24)}.json`);
  }

  /** The stored entry of exactly `key` (undefined when absent, torn, a hash collision, or disabled). */
  private read<T>(key: unknown): Stored<T> | undefined {
    const file = this.fileFor(key);
    if (!this.enabled || !fs.existsSync(file)) return undefined;
    try {
      const s = JSON.parse(fs.readFileSync(file, 'utf8')) as Stored<T>;
      return stableStringify(s.key) === stableStringify(key) ? s : undefined;
    } catch {
      // A torn or foreign file: treated as absent (get recomputes and overwrites it).
      return undefined;
    }
  }

  /**
   * The entry of `key`, else of the first of `aliases` that is stored — older spellings of the same
   * run's key (a key format that has since been canonicalised). An entry found under an alias is
   * copied under `key`, so later lookups find it directly.
   */
  private lookup<T>(key: unknown, aliases: readonly unknown[]): Stored<T> | undefined {
    const direct = this.read<T>(key);
    if (direct) return direct;
    for (const alias of aliases) {
      const s = this.read<T>(alias);
      if (s) {
        this.write({ ...s, key });
        return s;
      }
    }
    return undefined;
  }

  private write<T>(s: Stored<T>): void {
    const file = this.fileFor(s.key);
    fs.mkdirSync(this.dir, { recursive: true });
    // Write beside and rename: a crash mid-write never leaves a half file under the key's name.
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(s));
    fs.renameSync(tmp, file);
  }

  /** The cached value of `key` (or of one of its `aliases`, see {@link get}) without computing anything; undefined when absent or disabled. */
  peek<T>(key: unknown, aliases: readonly unknown[] = []): T | undefined {
    return this.lookup<T>(key, aliases)?.value;
  }

  /**
   * The cached value of `key`, or `compute()`'s (then stored). The value must be JSON-serialisable
   * (numbers, strings, arrays, plain objects).
   * @param aliases older keys of the same run, read (never written) when `key` is absent; a hit is
   *   copied under `key`.
   */
  async get<T>(label: string, key: unknown, compute: () => Promise<T>, aliases: readonly unknown[] = []): Promise<T> {
    const hash = path.basename(this.fileFor(key), '.json');
    const s = this.lookup<T>(key, aliases);
    if (s) {
      if (!this.records.some((r) => r.key === hash)) this.records.push({ label, key: hash, startedAt: s.startedAt, seconds: s.seconds, cached: true });
      return s.value;
    }
    const startedAt = new Date().toISOString();
    const t0 = performance.now();
    const value = await compute();
    const seconds = (performance.now() - t0) / 1000;
    this.records.push({ label, key: hash, startedAt, seconds, cached: false });
    if (this.enabled) this.write({ key, label, startedAt, seconds, value });
    return value;
  }
}
