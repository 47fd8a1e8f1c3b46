import { describe, expect, it } from 'vitest';
import { decodeEncodedWords, htmlToText, mailToText, parseHeaders, truncateText } from '../src/index.js';

const msg = (headers: string, body: string): string => `${headers}\n\n${body}`;

describe('mail headers', () => {
  it('unfolds continuation lines and keeps the first occurrence', () => {
    const h = parseHeaders('From x  Thu Aug 22\nSubject: Hello\n  world\nReceived: a\nReceived: b\nX-Odd:value');
    expect(h.get('subject')).toBe('Hello world');
    expect(h.get('received')).toBe('a');
    expect(h.get('x-odd')).toBe('value');
  });

  it('decodes RFC 2047 encoded words', () => {
    expect(decodeEncodedWords('=?utf-8?B?SGVsbG8g4pyT?=')).toBe('Hello ✓');
    expect(decodeEncodedWords('=?iso-8859-1?Q?Caf=E9_au_lait?= =?iso-8859-1?Q?!?=')).toBe('Café au lait!');
    expect(decodeEncodedWords('plain')).toBe('plain');
  });
});

describe('mailToText', () => {
  it('keeps the subject and the body, drops the other headers', () => {
    const t = mailToText(msg('Return-Path: <a@b.c>\nSubject: Meeting\nFrom: someone', 'See you\nat noon.'));
    expect(t).toBe('Meeting\n\nSee you at noon.');
  });

  it('decodes quoted-printable and base64 bodies with their charset', () => {
    const qp = mailToText(msg('Subject: s\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable', 'caf=C3=A9 soft=\nbreak'));
    expect(qp).toBe('s\n\ncafé softbreak');
    const b64 = Buffer.from('Buy now, only $9.99!').toString('base64');
    expect(mailToText(msg('Subject: x\nContent-Transfer-Encoding: base64', b64))).toBe('x\n\nBuy now, only $9.99!');
  });

  it('prefers text/plain in multipart messages and falls back to stripped HTML', () => {
    const alt = [
      'preamble',
      '--XX',
      'Content-Type: text/plain',
      '',
      'plain version',
      '--XX',
      'Content-Type: text/html',
      '',
      '<p>html version</p>',
      '--XX--',
      'epilogue',
    ].join('\n');
    expect(mailToText(msg('Subject: a\nContent-Type: multipart/alternative; boundary="XX"', alt))).toBe('a\n\nplain version');
    const htmlOnly = ['--YY', 'Content-Type: text/html', '', '<html><style>p{}</style><b>Free</b>&nbsp;money &amp; more</html>', '--YY', 'Content-Type: image/gif', 'Content-Transfer-Encoding: base64', '', 'R0lGOD', '--YY--'].join('\n');
    expect(mailToText(msg('Subject: b\nContent-Type: multipart/mixed; boundary=YY', htmlOnly))).toBe('b\n\nFree money & more');
  });

  it('never throws on malformed mail and truncates long text at a word boundary', () => {
    expect(mailToText('')).toBe('');
    expect(mailToText(msg('Content-Type: multipart/mixed', 'no boundary'))).toBe('');
    const long = mailToText(msg('Subject: s', 'word '.repeat(1000)), { maxChars: 100 });
    expect(long.length).toBeLessThanOrEqual(100);
    expect(long.endsWith('word')).toBe(true);
    expect(truncateText('abcdefghij', 4)).toBe('abcd');
  });

  it('strips tags, comments, scripts and entities', () => {
    expect(htmlToText('<!-- c --><script>x()</script>a&lt;b&#65;&#x42;<br>c').replace(/\s+/g, ' ').trim()).toBe('a<bAB c');
  });
});
