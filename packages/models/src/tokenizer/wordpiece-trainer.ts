/**
 * A WordPiece vocabulary trainer in the manner of Hugging Face's `WordPieceTrainer`: BERT basic
 * pre-tokenization, then frequency-based merges of adjacent symbols (continuation pieces carry the
 * `##` prefix) until the vocabulary reaches its target size or no pair is frequent enough.
 *
 * Order of the vocabulary: special tokens, then the alphabet of word-initial characters, then the
 * `##`-prefixed continuation characters (each sorted by code point), then merged pieces in the order
 * they were learned. Ties between equally frequent pairs go to the pair of smaller ids, so the result
 * is a pure function of the corpus and the options (no hash-order dependence, unlike the Rust trainer).
 *
 * @see Schuster & Nakajima 2012, "Japanese and Korean voice search" (WordPiece); Sennrich et al. 2016 (BPE merges)
 */
import { bertNormalize, bertPreTokenize } from './bert-text.js';
import type { TokenizerJson } from './types.js';
import { wordPieceTokenizerJson } from './wordpiece-json.js';

/** Options of {@link trainWordPiece}. */
export interface WordPieceTrainerOptions {
  /** Target vocabulary size, special tokens and alphabet included. */
  readonly vocabSize: number;
  /** Pairs seen fewer times than this are never merged (default 2, as `BertWordPieceTokenizer`). */
  readonly minFrequency?: number;
  /** Lowercase (and strip accents) before training and encoding (default true, BERT uncased). */
  readonly lowercase?: boolean;
  /** Strip accents; default follows `lowercase` (HF `strip_accents: null`). */
  readonly stripAccents?: boolean;
  /**
   * Special tokens, given the first ids in this order (default BERT's five). `[PAD]`, `[UNK]`,
   * `[CLS]`, `[SEP]` and `[MASK]` must be among them; any others become additional special tokens.
   */
  readonly specialTokens?: readonly string[];
  /** Keep at most this many distinct characters, the most frequent (default 1000). */
  readonly limitAlphabet?: number;
  /** Prefix of continuation pieces (default `##`). */
  readonly continuingSubwordPrefix?: string;
}

/** The BERT special tokens, in the order that gives `[PAD]` id 0. */
export const BERT_SPECIAL_TOKENS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'] as const;

/** What the trainer learned. */
export interface TrainedWordPiece {
  /** Tokens by id. */
  readonly vocab: readonly string[];
  /** The Hugging Face `tokenizer.json` object (BERT layout), loadable by `createTokenizer`. */
  readonly tokenizerJson: TokenizerJson;
  /** Number of merges performed. */
  readonly merges: number;
  /** Distinct words seen (after pre-tokenization). */
  readonly distinctWords: number;
}

/** A max-heap of candidate pairs keyed by (count desc, first id asc, second id asc). */
class PairHeap {
  private readonly keys: number[] = [];
  private readonly counts: number[] = [];

  get size(): number {
    return this.keys.length;
  }

  private before(i: number, j: number): boolean {
    const ci = this.counts[i];
    const cj = this.counts[j];
    return ci !== cj ? ci > cj : this.keys[i] < this.keys[j];
  }

  private swap(i: number, j: number): void {
    const k = this.keys[i];
    this.keys[i] = this.keys[j];
    this.keys[j] = k;
    const c = this.counts[i];
    this.counts[i] = this.counts[j];
    this.counts[j] = c;
  }

  push(key: number, count: number): void {
    this.keys.push(key);
    this.counts.push(count);
    let i = this.keys.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  /** Removes the top; returns [key, count]. */
  pop(): [number, number] {
    const top: [number, number] = [this.keys[0], this.counts[0]];
    const lastKey = this.keys.pop()!;
    const lastCount = this.counts.pop()!;
    if (this.keys.length > 0) {
      this.keys[0] = lastKey;
      this.counts[0] = lastCount;
      let i = 0;
      const n = this.keys.length;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < n && this.before(l, m)) m = l;
        if (r < n && this.before(r, m)) m = r;
        if (m === i) break;
        this.swap(i, m);
        i = m;
      }
    }
    return top;
  }
}

// Pair keys pack two ids into one number: first · 2^22 + second (ids stay below 2^22 ≈ 4M).
const SHIFT = 2 ** 22;

const byCodePoint = (a: string, b: string): number => a.codePointAt(0)! - b.codePointAt(0)!;

/** Counts the words of a corpus after BERT normalization and pre-tokenization. */
export function countWords(texts: Iterable<string>, options: Pick<WordPieceTrainerOptions, 'lowercase' | 'stripAccents'> = {}): Map<string, number> {
  const counts = new Map<string, number>();
  const norm = { lowercase: options.lowercase !== false, stripAccents: options.stripAccents ?? null };
  for (const text of texts) {
    for (const w of bertPreTokenize(bertNormalize(text, norm))) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  return counts;
}

/**
 * Learns a WordPiece vocabulary from `texts`.
 * @throws RangeError when vocabSize is not a positive integer, or the special tokens repeat or lack one of BERT's five
 */
export function trainWordPiece(texts: Iterable<string>, options: WordPieceTrainerOptions): TrainedWordPiece {
  const { vocabSize } = options;
  if (!Number.isInteger(vocabSize) || vocabSize < 1) throw new RangeError(`trainWordPiece: vocabSize is ${vocabSize}; expected a positive integer`);
  if (vocabSize >= SHIFT) throw new RangeError(`trainWordPiece: vocabSize is ${vocabSize}; at most ${SHIFT - 1} supported`);
  const minFrequency = options.minFrequency ?? 2;
  const prefix = options.continuingSubwordPrefix ?? '##';
  const specials = options.specialTokens ?? BERT_SPECIAL_TOKENS;
  for (const required of BERT_SPECIAL_TOKENS) {
    if (!specials.includes(required)) throw new RangeError(`trainWordPiece: specialTokens ${JSON.stringify(specials)} lacks ${required}, which BERT needs`);
  }
  const limitAlphabet = options.limitAlphabet ?? 1000;

  const vocab: string[] = [];
  const ids = new Map<string, number>();
  const add = (token: string): number => {
    let id = ids.get(token);
    if (id === undefined) {
      id = vocab.length;
      vocab.push(token);
      ids.set(token, id);
    }
    return id;
  };
  for (const s of specials) {
    if (ids.has(s)) throw new RangeError(`trainWordPiece: special token ${JSON.stringify(s)} is listed twice`);
    add(s);
  }

  const wordCounts = countWords(texts, options);
  // Sorted words make every later step independent of insertion order.
  const words = [...wordCounts.keys()].sort();
  const freq = words.map((w) => wordCounts.get(w)!);

  // Alphabet: the most frequent characters (ties by code point), then sorted by code point.
  const charCounts = new Map<string, number>();
  words.forEach((w, i) => {
    for (const ch of w) charCounts.set(ch, (charCounts.get(ch) ?? 0) + freq[i]);
  });
  let alphabet = [...charCounts.keys()];
  if (alphabet.length > limitAlphabet) {
    alphabet.sort((a, b) => charCounts.get(b)! - charCounts.get(a)! || byCodePoint(a, b));
    alphabet = alphabet.slice(0, limitAlphabet);
  }
  alphabet.sort(byCodePoint);
  const allowed = new Set(alphabet);
  for (const ch of alphabet) add(ch);
  // Continuation characters: those that occur inside words.
  const inner = new Set<string>();
  for (const w of words) {
    let first = true;
    for (const ch of w) {
      if (!first && allowed.has(ch)) inner.add(ch);
      first = false;
    }
  }
  for (const ch of [...inner].sort(byCodePoint)) add(prefix + ch);

  // Each word as a sequence of symbol ids; characters outside the alphabet are dropped (as in HF).
  const symbols: number[][] = words.map((w) => {
    const seq: number[] = [];
    for (const ch of w) {
      if (!allowed.has(ch)) continue;
      seq.push(ids.get(seq.length === 0 ? ch : prefix + ch)!);
    }
    return seq;
  });

  // Pair statistics and where each pair occurs.
  const pairCounts = new Map<number, number>();
  const where = new Map<number, Set<number>>();
  const addPairs = (wi: number, sign: number): void => {
    const seq = symbols[wi];
    const c = sign * freq[wi];
    for (let k = 0; k + 1 < seq.length; k++) {
      const key = seq[k] * SHIFT + seq[k + 1];
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + c);
      if (sign > 0) {
        let s = where.get(key);
        if (!s) where.set(key, (s = new Set()));
        s.add(wi);
      }
    }
  };
  for (let wi = 0; wi < symbols.length; wi++) addPairs(wi, 1);
  const heap = new PairHeap();
  for (const [key, c] of pairCounts) heap.push(key, c);

  let merges = 0;
  while (vocab.length < vocabSize && heap.size > 0) {
    const [key, stale] = heap.pop();
    const count = pairCounts.get(key) ?? 0;
    if (count !== stale) {
      // Counts only fall between pushes of a key, so a stale entry is re-queued at its true count.
      if (count > 0) heap.push(key, count);
      continue;
    }
    if (count < Math.max(1, minFrequency)) break;
    const a = Math.floor(key / SHIFT);
    const b = key - a * SHIFT;
    const bText = vocab[b];
    const merged = add(vocab[a] + (bText.startsWith(prefix) ? bText.slice(prefix.length) : bText));
    merges++;
    const touched = new Set<number>();
    for (const wi of where.get(key) ?? []) {
      const seq = symbols[wi];
      let found = false;
      for (let k = 0; k + 1 < seq.length; k++) {
        if (seq[k] === a && seq[k + 1] === b) {
          found = true;
          break;
        }
      }
      if (!found) continue;
      addPairs(wi, -1);
      const next: number[] = [];
      for (let k = 0; k < seq.length; k++) {
        if (k + 1 < seq.length && seq[k] === a && seq[k + 1] === b) {
          next.push(merged);
          k++;
        } else next.push(seq[k]);
      }
      symbols[wi] = next;
      addPairs(wi, 1);
      for (let k = 0; k + 1 < next.length; k++) if (next[k] === merged || next[k + 1] === merged) touched.add(next[k] * SHIFT + next[k + 1]);
    }
    where.delete(key);
    pairCounts.delete(key);
    for (const t of touched) heap.push(t, pairCounts.get(t)!);
  }
  const tokenizerJson = wordPieceTokenizerJson(vocab, {
    lowercase: options.lowercase !== false,
    stripAccents: options.stripAccents ?? null,
    continuingSubwordPrefix: prefix,
    additionalSpecialTokens: specials,
  });
  return { vocab, tokenizerJson, merges, distinctWords: words.length };
}
