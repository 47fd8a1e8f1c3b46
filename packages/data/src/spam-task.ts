/**
 * The `spam` task: ham (label 0) vs spam (label 1) on the SpamAssassin public corpus.
 *
 * The corpus has five collections; a *domain* is a `+`-joined set of them. The two preset training
 * domains pair each ham collection with the spam gathered at the same time: `easy-ham-1+spam-1` (2002) and
 * `easy-ham-2+spam-2` (2003). `hard-ham-1` (ham only, written to look like spam) is for out-of-domain
 * evaluation. Messages become `mailToText` (subject + body, ≤ 1500 characters); empty texts are dropped and
 * exact duplicates (after cleaning) are kept once — the first in (collection, id) order — across the whole
 * corpus, so no text is in two domains or two splits.
 */
import { mailToText } from './mail.js';
import { readSpamAssassin } from './stdlib-raw.js';
import { makeTask, PACKAGED_MAX_IMBALANCE, type LabelledTask, type TaskExample, type TaskOptions } from './task.js';

/** Label names of the spam task. */
export const SPAM_LABELS = ['ham', 'spam'] as const;

/** The five SpamAssassin collections, with the label of their messages. */
export const SPAM_COLLECTIONS = {
  'easy-ham-1': 0,
  'easy-ham-2': 0,
  'hard-ham-1': 0,
  'spam-1': 1,
  'spam-2': 1,
} as const;

/** A SpamAssassin collection name. */
export type SpamCollection = keyof typeof SPAM_COLLECTIONS;

/** Preset domains: the two training domains and the out-of-domain ham set. */
export const SPAM_DOMAINS = ['easy-ham-1+spam-1', 'easy-ham-2+spam-2', 'hard-ham-1'] as const;

/** Domains used when the task is named without a domain (`spam`): the two training domains. */
export const SPAM_DEFAULT_DOMAINS = ['easy-ham-1+spam-1', 'easy-ham-2+spam-2'] as const;

/** One cleaned message. */
export interface SpamMessage {
  readonly collection: SpamCollection;
  readonly id: string;
  readonly text: string;
}

let cleaned: readonly SpamMessage[] | undefined;

/** All cleaned, non-empty, de-duplicated messages in (collection, id) order. Cached (≈ 2 s the first time). */
export function spamMessages(): readonly SpamMessage[] {
  if (cleaned !== undefined) return cleaned;
  const seen = new Set<string>();
  const out: SpamMessage[] = [];
  for (const r of readSpamAssassin()) {
    if (!(r.group in SPAM_COLLECTIONS)) continue;
    const text = mailToText(r.text);
    if (text.length === 0 || seen.has(text)) continue;
    seen.add(text);
    out.push({ collection: r.group as SpamCollection, id: r.id, text });
  }
  cleaned = Object.freeze(out);
  return cleaned;
}

/** Parse a domain `a+b+…` into its collections. @throws naming the valid collections. */
export function parseSpamDomain(domain: string): SpamCollection[] {
  const parts = domain.split('+');
  for (const p of parts) {
    if (!(p in SPAM_COLLECTIONS)) {
      throw new Error(
        `spam: unknown collection "${p}" in domain "${domain}"; collections: ${Object.keys(SPAM_COLLECTIONS).join(', ')}`,
      );
    }
  }
  if (new Set(parts).size !== parts.length) throw new Error(`spam: collection repeated in domain "${domain}"`);
  return parts as SpamCollection[];
}

/** Examples of the given domains (each message once per domain that lists its collection). */
export function spamExamples(domains: readonly string[] = SPAM_DEFAULT_DOMAINS): TaskExample[] {
  const sets = domains.map((d) => new Set(parseSpamDomain(d)));
  const out: TaskExample[] = [];
  for (const m of spamMessages()) {
    sets.forEach((set, i) => {
      if (set.has(m.collection)) out.push({ text: m.text, label: SPAM_COLLECTIONS[m.collection], domain: domains[i] });
    });
  }
  return out;
}

/**
 * The spam task over `domains` (default {@link SPAM_DEFAULT_DOMAINS}): within a domain the majority class is
 * down-sampled to ≤ 1.5 × the minority ({@link PACKAGED_MAX_IMBALANCE}; in the presets only the ham of
 * `easy-ham-1+spam-1`), then split 80/10/10 per (domain, label) with the default seed, unless `options`
 * say otherwise. A ham-only domain (`hard-ham-1`) is allowed: it is
 * for out-of-domain evaluation and has one class.
 */
export function loadSpamTask(domains: readonly string[] = SPAM_DEFAULT_DOMAINS, options: TaskOptions = {}): LabelledTask {
  if (domains.length === 0) throw new Error(`spam: no domain given; presets: ${SPAM_DOMAINS.join(', ')}`);
  return makeTask(`spam:${domains.join(',')}`, SPAM_LABELS, domains, spamExamples(domains), {
    ...options,
    maxImbalance: options.maxImbalance ?? PACKAGED_MAX_IMBALANCE,
  });
}
