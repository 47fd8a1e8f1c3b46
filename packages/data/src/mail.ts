/**
 * RFC 822 / MIME message → plain text (subject + readable body), enough for the SpamAssassin corpus:
 * header unfolding, RFC 2047 encoded words, quoted-printable and base64 bodies, multipart recursion
 * (text/plain preferred, text/html stripped of tags as a fallback), charset decoding via `TextDecoder`.
 * Attachments and other non-text parts are dropped. Not a general mail parser: it never throws on
 * malformed input, it returns what it can read.
 */
import { TextDecoder, TextEncoder } from 'node:util';
import { normalizeSpace } from './segment.js';

/** Options of {@link mailToText}. */
export interface MailTextOptions {
  /** Truncate the result to at most this many characters, at a word boundary (default 1500). */
  maxChars?: number;
}

/** Header name (lower case) → value (unfolded; first occurrence wins). */
export function parseHeaders(block: string): Map<string, string> {
  const out = new Map<string, string>();
  // Unfold: a line starting with white space continues the previous header.
  const unfolded = block.replace(/\r?\n[ \t]+/g, ' ');
  for (const line of unfolded.split(/\r?\n/)) {
    const m = /^([!-9;-~]+):[ \t]*(.*)$/.exec(line);
    if (m && !out.has(m[1].toLowerCase())) out.set(m[1].toLowerCase(), m[2].trim());
  }
  return out;
}

function decoderFor(charset: string | undefined): TextDecoder {
  try {
    return new TextDecoder(charset && charset.length > 0 ? charset.toLowerCase() : 'latin1');
  } catch {
    return new TextDecoder('latin1');
  }
}

/** Bytes of a string whose code units are all < 256 (a "binary string"); others are replaced by '?'. */
function binaryBytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    b[i] = c < 256 ? c : 63;
  }
  return b;
}

function isBinaryString(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 255) return false;
  return true;
}

const UTF8 = new TextEncoder();

function decodeQuotedPrintable(s: string, header: boolean): Uint8Array {
  let t = s.replace(/=\r?\n/g, '');
  if (header) t = t.replace(/_/g, ' ');
  const bytes: number[] = [];
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 61 /* = */ && i + 2 < t.length && /^[0-9A-Fa-f]{2}$/.test(t.slice(i + 1, i + 3))) {
      bytes.push(parseInt(t.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 256) {
      bytes.push(c);
    } else {
      // Already-decoded non-Latin-1 text: keep it as UTF-8 bytes.
      const cp = t.codePointAt(i)!;
      for (const b of UTF8.encode(String.fromCodePoint(cp))) bytes.push(b);
      if (cp > 0xffff) i++;
    }
  }
  return Uint8Array.from(bytes);
}

function decodeBase64(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64'));
}

/** Decode RFC 2047 encoded words (`=?utf-8?B?…?=`, `=?iso-8859-1?Q?…?=`) in a header value. */
export function decodeEncodedWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?') // white space between adjacent encoded words is not displayed
    .replace(/=\?([^?\s]+)\?([BbQq])\?([^?]*)\?=/g, (_all, charset: string, enc: string, text: string) => {
      const bytes = enc.toUpperCase() === 'B' ? decodeBase64(text) : decodeQuotedPrintable(text, true);
      return decoderFor(charset.split('*')[0]).decode(bytes);
    });
}

interface ContentType {
  type: string;
  params: Map<string, string>;
}

function parseContentType(value: string | undefined): ContentType {
  const params = new Map<string, string>();
  if (value === undefined) return { type: 'text/plain', params };
  const [head, ...rest] = value.split(';');
  for (const p of rest) {
    const m = /^\s*([^=\s]+)\s*=\s*(?:"([^"]*)"|([^\s;]*))/.exec(p);
    if (m) params.set(m[1].toLowerCase(), m[2] ?? m[3] ?? '');
  }
  return { type: head.trim().toLowerCase() || 'text/plain', params };
}

/** Decode entities and drop tags, scripts, styles and comments; block-level tags become line breaks. */
export function htmlToText(html: string): string {
  return html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style|head|title)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<(br|p|div|tr|li|h[1-6]|table)\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/gi, ' ')
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&quot;/gi, '"')
    .replace(/&apos;|&#39;/gi, "'")
    .replace(/&#(\d{1,6});/g, (_m, d: string) => safeCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]{1,6});/gi, (_m, h: string) => safeCodePoint(parseInt(h, 16)))
    .replace(/&amp;/gi, '&');
}

function safeCodePoint(n: number): string {
  return n > 0 && n <= 0x10ffff && (n < 0xd800 || n > 0xdfff) ? String.fromCodePoint(n) : ' ';
}

function splitHeaderBody(raw: string): [string, string] {
  const m = /\r?\n\r?\n/.exec(raw);
  return m ? [raw.slice(0, m.index), raw.slice(m.index + m[0].length)] : [raw, ''];
}

interface TextParts {
  plain: string[];
  html: string[];
}

function decodePart(body: string, headers: Map<string, string>, ct: ContentType): string {
  const cte = (headers.get('content-transfer-encoding') ?? '').toLowerCase();
  const charset = ct.params.get('charset');
  if (cte.includes('base64')) return decoderFor(charset).decode(decodeBase64(body));
  if (cte.includes('quoted-printable')) return decoderFor(charset).decode(decodeQuotedPrintable(body, false));
  // 7bit / 8bit / none: the corpus JSON already holds text; re-decode only 8-bit UTF-8 stored as bytes.
  if (charset && /^utf-?8$/i.test(charset) && isBinaryString(body) && /[\x80-\xff]/.test(body)) {
    return new TextDecoder('utf-8').decode(binaryBytes(body));
  }
  return body;
}

function collectParts(headers: Map<string, string>, body: string, depth: number, out: TextParts): void {
  const ct = parseContentType(headers.get('content-type'));
  if (ct.type.startsWith('multipart/')) {
    const boundary = ct.params.get('boundary');
    if (boundary === undefined || depth > 8) return;
    const delim = '--' + boundary;
    const chunks = body.split(delim);
    // chunks[0] is the preamble; a chunk starting with "--" follows the closing delimiter.
    for (let i = 1; i < chunks.length; i++) {
      if (chunks[i].startsWith('--')) break;
      const [h, b] = splitHeaderBody(chunks[i].replace(/^[ \t]*\r?\n/, ''));
      collectParts(parseHeaders(h), b, depth + 1, out);
    }
    return;
  }
  if (ct.type === 'text/plain' || ct.type === 'text') out.plain.push(decodePart(body, headers, ct));
  else if (ct.type === 'text/html') out.html.push(htmlToText(decodePart(body, headers, ct)));
}

/** Cut `s` to at most `maxChars` characters at the last space before the limit (if there is one). */
export function truncateText(s: string, maxChars: number): string {
  if (s.length <= maxChars) return s;
  const cut = s.lastIndexOf(' ', maxChars);
  return (cut > maxChars / 2 ? s.slice(0, cut) : s.slice(0, maxChars)).trimEnd();
}

/**
 * The readable text of a raw message: `"<subject>\n\n<body>"`, whitespace collapsed within each,
 * truncated to `maxChars`. Plain-text parts are used when there is any, otherwise HTML parts stripped
 * of markup. Headers other than Subject are dropped (they identify the collection, not the content).
 * Tokens of 60+ base64-looking characters (undecoded attachments, PGP blocks) are removed.
 */
export function mailToText(raw: string, options: MailTextOptions = {}): string {
  const maxChars = options.maxChars ?? 1500;
  const [headerBlock, body] = splitHeaderBody(raw);
  const headers = parseHeaders(headerBlock);
  const subject = normalizeSpace(decodeEncodedWords(headers.get('subject') ?? ''));
  const parts: TextParts = { plain: [], html: [] };
  collectParts(headers, body, 0, parts);
  const chosen = parts.plain.some((p) => p.trim().length > 0) ? parts.plain : parts.html;
  const text = normalizeSpace(chosen.join('\n').replace(/[A-Za-z0-9+/=]{60,}/g, ' '));
  return truncateText(subject.length > 0 ? `${subject}\n\n${text}` : text, maxChars);
}
