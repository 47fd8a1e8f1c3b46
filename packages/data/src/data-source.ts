/**
 * Data source strings, as the CLI takes them (`--data sotu`, `--data spam:easy-ham-1+spam-1`,
 * `--data ./my.jsonl`), resolved to a corpus or a labelled task.
 */
import { existsSync } from 'node:fs';
import type { TextCorpus } from './corpus.js';
import { CORPUS_NAMES, isCorpusName, loadCorpus } from './packaged-corpora.js';
import { loadPartyTask, parseEra, PARTY_ERAS } from './party-task.js';
import { loadSpamTask, parseSpamDomain, SPAM_DEFAULT_DOMAINS, SPAM_DOMAINS } from './spam-task.js';
import type { LabelledTask, TaskOptions } from './task.js';
import { loadJsonlFile, loadTextFile } from './user-files.js';

/** A resolved MLM corpus source; `load()` reads it on first call and caches. */
export interface CorpusSource {
  readonly kind: 'corpus';
  /** The source string as given. */
  readonly spec: string;
  load(): TextCorpus;
}

/** A resolved labelled-task source; `load()` reads it on first call and caches. */
export interface TaskSource {
  readonly kind: 'task';
  readonly spec: string;
  load(): LabelledTask;
}

/** What {@link resolveDataSource} returns. */
export type DataSource = CorpusSource | TaskSource;

/** Examples of every accepted source string (for help texts and error messages). */
export const KNOWN_DATA_SOURCES: readonly string[] = [
  ...CORPUS_NAMES,
  'party',
  ...PARTY_ERAS.map((e) => `party:${e}`),
  'spam',
  ...SPAM_DOMAINS.map((d) => `spam:${d}`),
];

function knownList(): string {
  return (
    `known sources: ${KNOWN_DATA_SOURCES.join(', ')}; ` +
    `task domains can be listed with commas (party:1853-1900,1901-1945) and party eras can be any YYYY-YYYY; ` +
    `or a path to a .txt file (paragraphs separated by blank lines) or a .jsonl file ({"text", "label"?} per line)`
  );
}

function lazy<T>(load: () => T): () => T {
  let v: T | undefined;
  return () => (v ??= load());
}

function splitDomains(task: string, rest: string): string[] {
  const parts = rest.split(',').map((s) => s.trim());
  if (parts.some((p) => p.length === 0)) throw new Error(`data source "${task}:${rest}": empty domain name`);
  return parts;
}

/**
 * Resolve a data source string:
 * - `sotu`, `moby-dick`, `sotu+moby-dick` → packaged MLM corpora;
 * - `party` (all four eras) or `party:<era>[,<era>…]` with eras like `1853-1900` or `1981-`;
 * - `spam` (`easy-ham-1+spam-1`, `easy-ham-2+spam-2`) or `spam:<domain>[,<domain>…]`, a domain being
 *   `+`-joined collections (`easy-ham-1`, `easy-ham-2`, `hard-ham-1`, `spam-1`, `spam-2`);
 * - a path ending in `.txt` (corpus) or `.jsonl` (task when records carry labels, else corpus).
 * Names and domains are validated now, packaged data is read on `load()`. User files are read and parsed
 * now, so a malformed file fails here with its line number.
 * @throws Error listing the known sources for an unknown name; DataFileError for a bad user file.
 */
export function resolveDataSource(spec: string, options: { task?: TaskOptions } = {}): DataSource {
  const src = spec.trim();
  if (isCorpusName(src)) return { kind: 'corpus', spec, load: lazy(() => loadCorpus(src)) };

  const colon = src.indexOf(':');
  const head = colon < 0 ? src : src.slice(0, colon);
  const rest = colon < 0 ? undefined : src.slice(colon + 1);
  if (head === 'party') {
    const eras = rest === undefined ? [...PARTY_ERAS] : splitDomains(head, rest);
    eras.forEach(parseEra);
    return { kind: 'task', spec, load: lazy(() => loadPartyTask(eras, options.task)) };
  }
  if (head === 'spam') {
    const domains = rest === undefined ? [...SPAM_DEFAULT_DOMAINS] : splitDomains(head, rest);
    domains.forEach(parseSpamDomain);
    return { kind: 'task', spec, load: lazy(() => loadSpamTask(domains, options.task)) };
  }

  const lower = src.toLowerCase();
  if (lower.endsWith('.txt') || lower.endsWith('.jsonl')) {
    if (!existsSync(src)) throw new Error(`data source "${spec}": file not found`);
    if (lower.endsWith('.txt')) {
      const corpus = loadTextFile(src);
      return { kind: 'corpus', spec, load: () => corpus };
    }
    const content = loadJsonlFile(src, options.task);
    if (content.kind === 'task') return { kind: 'task', spec, load: () => content.task };
    return { kind: 'corpus', spec, load: () => content.corpus };
  }
  if (/[\\/]/.test(src) || /\.[a-z0-9]+$/i.test(src)) {
    throw new Error(`data source "${spec}": unsupported file type; expected a .txt or .jsonl file`);
  }
  throw new Error(`unknown data source "${spec}"; ${knownList()}`);
}
