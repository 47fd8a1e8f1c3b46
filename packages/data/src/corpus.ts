/**
 * Unlabelled text corpora for masked-language modelling: a list of documents, each cut into paragraph
 * units, with a fixed train / held-out split at the document level (so held-out perplexity is measured on
 * text whose document the model never saw).
 */
import { countWords } from './segment.js';

/** Which side of the fixed split a document is on. */
export type CorpusSplit = 'train' | 'heldout';

/** One document of a corpus (an address, a chapter, a user file's paragraph). */
export interface CorpusDocument {
  /** Stable id, e.g. `sotu/1861-abraham-lincoln`, `moby-dick/chapter-42`. */
  readonly id: string;
  readonly title: string;
  readonly split: CorpusSplit;
  /** Paragraph-sized text units (see `segmentText`), in document order. */
  readonly units: readonly string[];
  /** Source metadata, e.g. `{ year, president, party }` for SOTU. */
  readonly meta?: Readonly<Record<string, string | number>>;
}

/** Sizes of one side of a corpus. */
export interface CorpusSideStats {
  documents: number;
  units: number;
  words: number;
  characters: number;
}

/** Sizes of a corpus, per split. */
export interface CorpusStats {
  train: CorpusSideStats;
  heldout: CorpusSideStats;
}

/** An MLM corpus: documents plus train / held-out text accessors (arrays are built once and cached). */
export interface TextCorpus {
  readonly name: string;
  readonly documents: readonly CorpusDocument[];
  /** All units of the training documents, in document order. */
  train(): readonly string[];
  /** All units of the held-out documents, in document order. */
  heldout(): readonly string[];
  /** Document, unit, word and character counts per split. */
  stats(): CorpusStats;
}

function sideStats(docs: readonly CorpusDocument[]): CorpusSideStats {
  const s: CorpusSideStats = { documents: docs.length, units: 0, words: 0, characters: 0 };
  for (const d of docs) {
    s.units += d.units.length;
    for (const u of d.units) {
      s.words += countWords(u);
      s.characters += u.length;
    }
  }
  return s;
}

/** Build a {@link TextCorpus} over `documents` (kept in the given order). */
export function corpusFromDocuments(name: string, documents: readonly CorpusDocument[]): TextCorpus {
  let train: readonly string[] | undefined;
  let heldout: readonly string[] | undefined;
  let stats: CorpusStats | undefined;
  const units = (split: CorpusSplit): readonly string[] =>
    Object.freeze(documents.filter((d) => d.split === split).flatMap((d) => d.units));
  return {
    name,
    documents,
    train: () => (train ??= units('train')),
    heldout: () => (heldout ??= units('heldout')),
    stats: () =>
      (stats ??= {
        train: sideStats(documents.filter((d) => d.split === 'train')),
        heldout: sideStats(documents.filter((d) => d.split === 'heldout')),
      }),
  };
}

/** Concatenate corpora (documents in argument order) under a new name. */
export function concatCorpora(name: string, parts: readonly TextCorpus[]): TextCorpus {
  return corpusFromDocuments(
    name,
    parts.flatMap((p) => p.documents),
  );
}
