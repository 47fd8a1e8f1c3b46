/**
 * The `party` task: is a SOTU paragraph from a Democratic or a Republican president?
 *
 * Units are `segmentText` paragraphs (default options) of at least 20 words from addresses whose
 * president's party is "Democratic" (label 0) or "Republican" (label 1); every other party (Whig,
 * National Union, Federalist, …) is excluded. Domains are eras of address years; the four presets cover
 * every Democratic/Republican address from 1853 on (the first with both parties in one era).
 * Splits are paragraph-level (see `makeTask`): paragraphs of one address can land in different splits,
 * so scores are optimistic about generalising to an unseen president.
 */
import { loadCorpus } from './packaged-corpora.js';
import { countWords } from './segment.js';
import { makeTask, PACKAGED_MAX_IMBALANCE, type LabelledTask, type TaskExample, type TaskOptions } from './task.js';

/** Label names of the party task. */
export const PARTY_LABELS = ['Democratic', 'Republican'] as const;

/** The preset eras (inclusive year ranges); the data ends in 2021. */
export const PARTY_ERAS = ['1853-1900', '1901-1945', '1946-1980', '1981-2021'] as const;

/** Minimum words of a paragraph kept in the party task. */
export const PARTY_MIN_WORDS = 20;

/** Parse an era "A-B" (inclusive years) or "A-" (from A on). @throws naming the preset eras. */
export function parseEra(era: string): { from: number; to: number } {
  const m = /^(\d{4})-(\d{4})?$/.exec(era);
  const from = m ? Number(m[1]) : NaN;
  const to = m ? (m[2] === undefined ? Infinity : Number(m[2])) : NaN;
  if (!m || !(from <= to)) {
    throw new Error(`party: bad era "${era}"; expected YYYY-YYYY or YYYY- (presets: ${PARTY_ERAS.join(', ')})`);
  }
  return { from, to };
}

/**
 * All party examples of the given eras (default: the four presets), in chronological order, each with
 * `domain` = its era string. An address in several overlapping eras appears once per era.
 */
export function partyExamples(eras: readonly string[] = PARTY_ERAS): TaskExample[] {
  const ranges = eras.map(parseEra);
  const out: TaskExample[] = [];
  // The SOTU corpus documents are the addresses in chronological order, already segmented.
  for (const doc of loadCorpus('sotu').documents) {
    const year = Number(doc.meta?.year);
    const label = PARTY_LABELS.indexOf(doc.meta?.party as (typeof PARTY_LABELS)[number]);
    if (label < 0) continue;
    const units = doc.units.filter((u) => countWords(u) >= PARTY_MIN_WORDS);
    ranges.forEach((range, i) => {
      if (year < range.from || year > range.to) return;
      for (const text of units) out.push({ text, label, domain: eras[i] });
    });
  }
  return out;
}

/**
 * The party task over `eras` (default: the four presets): the majority party of each era is down-sampled
 * to ≤ 1.5 × the minority ({@link PACKAGED_MAX_IMBALANCE}; only 1901–1945 is affected), then split 80/10/10
 * per (era, party) with the default seed, unless `options` say otherwise.
 * @throws if an era contains no address of one of the two parties.
 */
export function loadPartyTask(eras: readonly string[] = PARTY_ERAS, options: TaskOptions = {}): LabelledTask {
  if (eras.length === 0) throw new Error(`party: no era given; presets: ${PARTY_ERAS.join(', ')}`);
  const examples = partyExamples(eras);
  const task = makeTask(`party:${eras.join(',')}`, PARTY_LABELS, eras, examples, {
    ...options,
    maxImbalance: options.maxImbalance ?? PACKAGED_MAX_IMBALANCE,
  });
  for (const era of eras) {
    const c = task.counts[era];
    const total = PARTY_LABELS.map((_, l) => c.train[l] + c.validation[l] + c.test[l]);
    if (total.some((n) => n === 0)) {
      throw new Error(
        `party: era ${era} has ${total[0]} Democratic and ${total[1]} Republican paragraphs; both parties are needed`,
      );
    }
  }
  return task;
}
