/**
 * The packaged MLM corpora: `sotu`, `moby-dick` and `sotu+moby-dick`.
 *
 * Held-out rule (fixed, documented, independent of any seed):
 * - `sotu`: addresses sorted by (year, president); every 10th one (0-based index ≡ 9 mod 10) is held out:
 *   23 of 233 addresses, spread evenly over 1790–2021.
 * - `moby-dick`: the 138 text records in book order (the table of contents is dropped); every 10th
 *   (index ≡ 9 mod 10) is held out: 13 of 138.
 * - `sotu+moby-dick`: the union of both, each keeping its own split.
 * Units come from `segmentText` with its defaults (20 / 64 / 128 words).
 */
import { concatCorpora, corpusFromDocuments, type CorpusDocument, type TextCorpus } from './corpus.js';
import { segmentText } from './segment.js';
import { mobyDickRecords, sotuRecords } from './stdlib-raw.js';

/** Names of the packaged corpora. */
export const CORPUS_NAMES = ['sotu', 'moby-dick', 'sotu+moby-dick'] as const;

/** A packaged corpus name. */
export type CorpusName = (typeof CORPUS_NAMES)[number];

/** Documents with index ≡ 9 (mod 10) in the fixed order are held out. */
export const HELDOUT_EVERY = 10;

const isHeldout = (index: number): boolean => index % HELDOUT_EVERY === HELDOUT_EVERY - 1;

/** Type guard for {@link CorpusName}. */
export function isCorpusName(name: string): name is CorpusName {
  return (CORPUS_NAMES as readonly string[]).includes(name);
}

const slug = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

function buildSotu(): TextCorpus {
  const docs: CorpusDocument[] = sotuRecords().map((r, i) => ({
    id: `sotu/${r.year}-${slug(r.name)}`,
    title: `${r.year} State of the Union, ${r.name}`,
    split: isHeldout(i) ? 'heldout' : 'train',
    units: segmentText(r.text),
    meta: { year: r.year, president: r.name, party: r.party },
  }));
  return corpusFromDocuments('sotu', docs);
}

function buildMobyDick(): TextCorpus {
  const recs = mobyDickRecords().filter((r) => r.chapter !== 'Contents');
  const docs: CorpusDocument[] = recs.map((r, i) => ({
    id: `moby-dick/${/^\d+$/.test(r.chapter) ? `chapter-${r.chapter}` : slug(r.chapter)}`,
    title: r.title ? `${r.chapter}. ${r.title}` : r.chapter,
    split: isHeldout(i) ? 'heldout' : 'train',
    units: segmentText(r.text),
    meta: { chapter: r.chapter },
  }));
  return corpusFromDocuments('moby-dick', docs);
}

const cache = new Map<CorpusName, TextCorpus>();

/**
 * Load a packaged corpus (lazily, on first call; cached for the process).
 * @throws Error naming the known corpora when `name` is not one of them.
 */
export function loadCorpus(name: CorpusName): TextCorpus {
  if (!isCorpusName(name)) {
    throw new Error(`loadCorpus: unknown corpus "${String(name)}"; known: ${CORPUS_NAMES.join(', ')}`);
  }
  let c = cache.get(name);
  if (c === undefined) {
    if (name === 'sotu') c = buildSotu();
    else if (name === 'moby-dick') c = buildMobyDick();
    else c = concatCorpora('sotu+moby-dick', [loadCorpus('sotu'), loadCorpus('moby-dick')]);
    cache.set(name, c);
  }
  return c;
}
