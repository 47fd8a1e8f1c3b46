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

  /** The cached value of `key` without computing anything (undefined when absent or disabled). */
  peek<T>(key: unknown): T | undefined {
    const file = this.fileFor(key);
    if (!this.enabled || !fs.existsSync(file)) return undefined;
    try {
      const s = JSON.parse(fs.readFileSync(file, 'utf8')) as Stored<T>;
      return stableStringify(s.key) === stableStringify(key) ? s.value : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * The cached value of `key`, or `compute()`'s (then stored). The value must be JSON-serialisable
   * (numbers, strings, arrays, plain objects).
   */
  async get<T>(label: string, key: unknown, compute: () => Promise<T>): Promise<T> {
    const file = this.fileFor(key);
    const hash = path.basename(file, '.json');
    if (this.enabled && fs.existsSync(file)) {
      try {
        const s = JSON.parse(fs.readFileSync(file, 'utf8')) as Stored<T>;
        if (stableStringify(s.key) === stableStringify(key)) {
          if (!this.records.some((r) => r.key === hash)) this.records.push({ label, key: hash, startedAt: s.startedAt, seconds: s.seconds, cached: true });
          return s.value;
        }
      } catch {
        // A torn or foreign file: recompute and overwrite it.
      }
    }
    const startedAt = new Date().toISOString();
    const t0 = performance.now();
    const value = await compute();
    const seconds = (performance.now() - t0) / 1000;
    this.records.push({ label, key: hash, startedAt, seconds, cached: false });
    if (this.enabled) {
      fs.mkdirSync(this.dir, { recursive: true });
      // Write beside and rename: a crash mid-write never leaves a half file under the key's name.
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify({ key, label, startedAt, seconds, value } satisfies Stored<T>));
      fs.renameSync(tmp, file);
    }
    return value;
  }
}
