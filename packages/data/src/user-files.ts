/**
 * The user's own data: a `.txt` file (paragraphs separated by blank lines) or a `.jsonl` file (one object
 * per line with `text`, optional `label` (string or number), optional `domain` and `split`).
 *
 * Held-out rule for unlabelled user text (no seed, stable under reordering and appending): a paragraph is
 * held out when `hashString(paragraph) % 10 === 0` (≈ 10 %).
 */
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { corpusFromDocuments, type CorpusDocument, type TextCorpus } from './corpus.js';
import { hashString } from './seeded.js';
import { normalizeSpace, splitParagraphs } from './segment.js';
import { makeTask, TASK_SPLITS, type LabelledTask, type TaskExample, type TaskOptions, type TaskSplitName } from './task.js';

/** One parsed JSONL line. */
export interface JsonlRecord {
  /** Whitespace-normalised text (non-empty). */
  readonly text: string;
  readonly label?: string | number;
  readonly domain?: string;
  readonly split?: TaskSplitName;
  /** 1-based line number in the source, for error messages. */
  readonly line: number;
}

/** Error in a user data file, naming the file and (1-based) line. */
export class DataFileError extends Error {
  constructor(
    readonly source: string,
    readonly line: number | undefined,
    message: string,
  ) {
    super(`${source}${line === undefined ? '' : `:${line}`}: ${message}`);
    this.name = 'DataFileError';
  }
}

const stripBom = (s: string): string => (s.charCodeAt(0) === 0xfeff ? s.slice(1) : s);

/** Paragraphs of a text file's content (blank-line separated, whitespace-normalised, empty ones dropped). */
export function parseTextParagraphs(content: string): string[] {
  return splitParagraphs(stripBom(content));
}

/**
 * Parse JSONL content: blank lines are skipped; every other line must be a JSON object with a non-empty
 * string `text`; `label` must be a string or a non-negative integer; `domain` a string; `split` one of
 * train / validation / test.
 * @throws DataFileError naming `source` and the line number.
 */
export function parseJsonl(content: string, source = '<jsonl>'): JsonlRecord[] {
  const out: JsonlRecord[] = [];
  const lines = stripBom(content).split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const raw = lines[i].trim();
    if (raw.length === 0) continue;
    let v: unknown;
    try {
      v = JSON.parse(raw);
    } catch (e) {
      throw new DataFileError(source, line, `invalid JSON (${(e as Error).message})`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      throw new DataFileError(source, line, `expected a JSON object, got ${Array.isArray(v) ? 'an array' : typeof v}`);
    }
    const o = v as Record<string, unknown>;
    if (typeof o.text !== 'string' || normalizeSpace(o.text).length === 0) {
      throw new DataFileError(source, line, `"text" must be a non-empty string, got ${JSON.stringify(o.text)}`);
    }
    const rec: { -readonly [K in keyof JsonlRecord]: JsonlRecord[K] } = { text: normalizeSpace(o.text), line };
    if (o.label !== undefined && o.label !== null) {
      const ok = typeof o.label === 'string' ? o.label.length > 0 : Number.isInteger(o.label) && (o.label as number) >= 0;
      if (!ok) {
        throw new DataFileError(source, line, `"label" must be a non-empty string or a non-negative integer, got ${JSON.stringify(o.label)}`);
      }
      rec.label = o.label as string | number;
    }
    if (o.domain !== undefined) {
      if (typeof o.domain !== 'string' || o.domain.length === 0) {
        throw new DataFileError(source, line, `"domain" must be a non-empty string, got ${JSON.stringify(o.domain)}`);
      }
      rec.domain = o.domain;
    }
    if (o.split !== undefined) {
      if (!(TASK_SPLITS as readonly unknown[]).includes(o.split)) {
        throw new DataFileError(source, line, `"split" must be one of ${TASK_SPLITS.join(', ')}, got ${JSON.stringify(o.split)}`);
      }
      rec.split = o.split as TaskSplitName;
    }
    out.push(rec);
  }
  return out;
}

/** A corpus whose documents are `texts` (one unit each), held out by content hash (≈ 10 %). */
export function corpusFromTexts(name: string, texts: readonly string[]): TextCorpus {
  const docs: CorpusDocument[] = texts.map((t, i) => ({
    id: `${name}/${i}`,
    title: `${name} #${i + 1}`,
    split: hashString(t) % 10 === 0 ? 'heldout' : 'train',
    units: [t],
  }));
  return corpusFromDocuments(name, docs);
}

/** True when some record carries a label. */
export function hasLabels(records: readonly JsonlRecord[]): boolean {
  return records.some((r) => r.label !== undefined);
}

/**
 * A labelled task from JSONL records. Either every record has a label or none may (→ error naming the
 * first line without one). String labels: `labels` = the distinct strings, sorted. Integer labels:
 * `labels` = "0" … "max". Mixing the two is an error naming the line. Records without `domain` get
 * `defaultDomain`; domains keep first-appearance order. Records with `split` keep it; the rest are split
 * like the packaged tasks (80/10/10, stratified, seeded), without down-sampling unless asked.
 */
export function taskFromJsonl(
  name: string,
  records: readonly JsonlRecord[],
  defaultDomain: string,
  options: TaskOptions = {},
  source = name,
): LabelledTask {
  if (records.length === 0) throw new DataFileError(source, undefined, 'no records');
  const first = records[0];
  if (first.label === undefined) throw new DataFileError(source, first.line, 'record has no "label" (every record of a labelled file needs one)');
  const kind = typeof first.label;
  for (const r of records) {
    if (r.label === undefined) throw new DataFileError(source, r.line, 'record has no "label" (every record of a labelled file needs one)');
    if (typeof r.label !== kind) {
      throw new DataFileError(source, r.line, `"label" is a ${typeof r.label} but line ${first.line} has a ${kind}; use one type`);
    }
  }
  let labels: string[];
  let index: (l: string | number) => number;
  if (kind === 'string') {
    labels = [...new Set(records.map((r) => r.label as string))].sort();
    const map = new Map(labels.map((l, i) => [l, i]));
    index = (l) => map.get(l as string)!;
  } else {
    const max = Math.max(...records.map((r) => r.label as number));
    labels = Array.from({ length: max + 1 }, (_, i) => String(i));
    index = (l) => l as number;
  }
  const domains: string[] = [];
  const examples: TaskExample[] = records.map((r) => {
    const domain = r.domain ?? defaultDomain;
    if (!domains.includes(domain)) domains.push(domain);
    return { text: r.text, label: index(r.label!), domain };
  });
  return makeTask(name, labels, domains, examples, { ...options, presetSplits: records.map((r) => r.split) });
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new DataFileError(path, undefined, `cannot read file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** Load a `.txt` file as a corpus (each paragraph a document). @throws DataFileError if unreadable or empty. */
export function loadTextFile(path: string): TextCorpus {
  const paragraphs = parseTextParagraphs(readText(path));
  if (paragraphs.length === 0) throw new DataFileError(path, undefined, 'no paragraphs (the file is empty or blank)');
  return corpusFromTexts(`text:${path}`, paragraphs);
}

/** What a JSONL file holds: a labelled task when its records have labels, else a corpus. */
export type JsonlContent = { kind: 'task'; task: LabelledTask } | { kind: 'corpus'; corpus: TextCorpus };

/** Load a `.jsonl` file. The default domain is the file's base name without extension. */
export function loadJsonlFile(path: string, options: TaskOptions = {}): JsonlContent {
  const records = parseJsonl(readText(path), path);
  if (records.length === 0) throw new DataFileError(path, undefined, 'no records (the file is empty or blank)');
  if (hasLabels(records)) {
    return { kind: 'task', task: taskFromJsonl(`jsonl:${path}`, records, basename(path, extname(path)), options, path) };
  }
  return { kind: 'corpus', corpus: corpusFromTexts(`jsonl:${path}`, records.map((r) => r.text)) };
}
