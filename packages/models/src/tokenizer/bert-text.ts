/**
 * BERT's basic text processing, as `tokenizer.json` declares it with `BertNormalizer` and
 * `BertPreTokenizer`: drop control characters, map whitespace to spaces, put spaces around CJK
 * ideographs, lowercase, strip accents (NFD, then remove combining marks), then split on whitespace
 * and punctuation (every punctuation character is a word of its own).
 *
 * It reproduces what `@huggingface/tokenizers` does at encode time (the test suite checks agreement on
 * random text), so the WordPiece trainer sees exactly the words encoding will see, but runs much
 * faster: ASCII is handled without regular expressions or per-character strings. One deliberate
 * difference: CJK ideographs beyond the BMP are split off as BERT and the Rust tokenizers do (see
 * {@link padAstralCjk}, which the tokenizer wrapper applies too, so encoding agrees).
 */

/** Options of {@link bertNormalize}; the fields of HF's `BertNormalizer`. */
export interface BertNormalizerOptions {
  /** Drop control characters and map whitespace to spaces (default true). */
  readonly cleanText?: boolean;
  /** Surround CJK ideographs with spaces so each is a word (default true). */
  readonly handleChineseChars?: boolean;
  /** Lowercase (default true). */
  readonly lowercase?: boolean;
  /** Strip accents; `null`/undefined follows `lowercase`, as in HF. */
  readonly stripAccents?: boolean | null;
}

const CONTROL = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/u;
// Non-unicode \s on one UTF-16 unit: the whitespace set @huggingface/tokenizers uses.
const WHITESPACE = /\s/;
const NON_ASCII = /[^\x00-\x7f]/;
const COMBINING_MARK = /\p{Mn}/gu;

const DROP = 0;
const SPACE = 1;
const KEEP = 2;

/** CJK ideograph blocks of the Basic Multilingual Plane. */
function isCjkUnit(c: number): boolean {
  return (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff);
}

/** CJK ideograph blocks beyond the BMP (extensions B–E and the compatibility supplement), as BERT lists them. */
function isAstralCjk(cp: number): boolean {
  return (cp >= 0x20000 && cp <= 0x2a6df) || (cp >= 0x2a700 && cp <= 0x2b81f) || (cp >= 0x2b820 && cp <= 0x2ceaf) || (cp >= 0x2f800 && cp <= 0x2fa1f);
}

const HIGH_SURROGATE = /[\ud800-\udbff]/;

/**
 * Surrounds CJK ideographs outside the BMP with spaces. `@huggingface/tokenizers` 0.2.0 checks CJK per
 * UTF-16 unit and so misses these, unlike the Rust tokenizers and BERT; applying this before it makes
 * both agree. A no-op for text without surrogate pairs.
 */
export function padAstralCjk(text: string): string {
  if (!HIGH_SURROGATE.test(text)) return text;
  let out = '';
  let runStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) continue;
    const cp = text.codePointAt(i)!;
    if (cp > 0xffff && isAstralCjk(cp)) {
      out += `${text.slice(runStart, i)} ${text.slice(i, i + 2)} `;
      runStart = i + 2;
    }
    i++;
  }
  return runStart === 0 ? text : out + text.slice(runStart);
}

/** Control-character removal and whitespace mapping, copying clean runs as slices. */
function cleanText(text: string): string {
  const parts: string[] = [];
  let runStart = 0;
  const n = text.length;
  for (let i = 0; i < n; ) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f) {
      i++;
      continue;
    }
    let len = 1;
    let action: number;
    if (c < 0x80) {
      // C0 controls and DEL are Cc: dropped, except tab, newline and carriage return (whitespace).
      action = c === 9 || c === 10 || c === 13 ? SPACE : DROP;
    } else {
      let ch: string;
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        len = 2;
        ch = text.slice(i, i + 2);
      } else ch = text[i];
      if (c === 0xfffd || CONTROL.test(ch)) action = DROP;
      else if (len === 1 && WHITESPACE.test(ch)) action = SPACE;
      else action = KEEP;
    }
    if (action !== KEEP) {
      if (i > runStart) parts.push(text.slice(runStart, i));
      if (action === SPACE) parts.push(' ');
      runStart = i + len;
    }
    i += len;
  }
  if (runStart === 0) return text;
  if (n > runStart) parts.push(text.slice(runStart));
  return parts.join('');
}

function padChineseChars(text: string): string {
  if (!NON_ASCII.test(text)) return text;
  text = padAstralCjk(text);
  let out = '';
  let runStart = 0;
  for (let i = 0; i < text.length; i++) {
    if (isCjkUnit(text.charCodeAt(i))) {
      out += `${text.slice(runStart, i)} ${text[i]} `;
      runStart = i + 1;
    }
  }
  return runStart === 0 ? text : out + text.slice(runStart);
}

function stripAccents(text: string): string {
  return NON_ASCII.test(text) ? text.normalize('NFD').replace(COMBINING_MARK, '') : text;
}

/** Applies HF's `BertNormalizer` to `text`. */
export function bertNormalize(text: string, options: BertNormalizerOptions = {}): string {
  let t = options.cleanText === false ? text : cleanText(text);
  if (options.handleChineseChars !== false) t = padChineseChars(t);
  const lowercase = options.lowercase !== false;
  if (lowercase) {
    t = t.toLowerCase();
    if (options.stripAccents !== false) t = stripAccents(t);
  } else if (options.stripAccents) t = stripAccents(t);
  return t;
}

// Unicode punctuation plus every ASCII symbol, as BERT (and both HF implementations) treat them.
const PUNCT = '\\p{P}\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E';
const WORD_OR_PUNCT = new RegExp(`[^\\s${PUNCT}]+|[${PUNCT}]`, 'gu');

/** HF's `BertPreTokenizer`: words split on whitespace, each punctuation character a word of its own. */
export function bertPreTokenize(text: string): string[] {
  return text.trim().match(WORD_OR_PUNCT) ?? [];
}
