import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countWords, normalizeSpace, segmentText, splitParagraphs, splitSentences } from '../src/index.js';

const word = fc.stringMatching(/^[A-Za-z]{1,8}[.,;!?]?$/);
// size 'max': without it fast-check keeps arrays at ~10 items and the long-paragraph path never runs.
const paragraph = fc.array(word, { minLength: 1, maxLength: 300, size: 'max' }).map((ws) => ws.join(' '));
const textArb = fc.array(paragraph, { minLength: 1, maxLength: 8 }).map((ps) => ps.join('\n\n'));

describe('words, paragraphs, sentences', () => {
  it('countWords counts whitespace-separated runs', () => {
    expect(countWords('')).toBe(0);
    expect(countWords('  a  b\tc\nd ')).toBe(4);
    expect(countWords('one')).toBe(1);
  });

  it('splitParagraphs splits on blank lines (with spaces or CRLF) and normalises', () => {
    expect(splitParagraphs('a b\nc\n\n  d  \r\n \r\ne\n\n\n')).toEqual(['a b c', 'd', 'e']);
    expect(splitParagraphs('   \n\n ')).toEqual([]);
  });

  it('splitSentences keeps abbreviations and initials together', () => {
    const s = 'Mr. Smith went to Washington, D.C. on Monday. The U.S. Government agreed! Did it? Yes. "Quoted." Then 1900 came.';
    expect(splitSentences(s)).toEqual([
      'Mr. Smith went to Washington, D.C. on Monday.',
      'The U.S. Government agreed!',
      'Did it?',
      'Yes.',
      '"Quoted."',
      'Then 1900 came.',
    ]);
    expect(splitSentences('no end here')).toEqual(['no end here']);
    expect(splitSentences('lower. case does not split')).toEqual(['lower. case does not split']);
  });

  it('splitSentences loses and reorders nothing', () => {
    fc.assert(fc.property(paragraph, (p) => splitSentences(p).join(' ') === normalizeSpace(p)));
  });
});

describe('segmentText', () => {
  it('keeps every word in order and respects the word bounds', () => {
    fc.assert(
      fc.property(
        textArb,
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 60 }),
        (text, minWords, dt, dm) => {
          const targetWords = minWords + dt;
          const maxWords = targetWords + dm;
          const units = segmentText(text, { minWords, targetWords, maxWords });
          const sameWords = units.join(' ') === splitParagraphs(text).join(' ');
          const total = countWords(text);
          const sizes = units.map(countWords);
          const bounded = sizes.every((n) => n <= maxWords + 2 * minWords);
          // Only a text shorter than minWords can give a unit shorter than minWords.
          const longEnough = total < minWords ? units.length === 1 : sizes.every((n) => n >= minWords);
          return sameWords && bounded && longEnough;
        },
      ),
      { numRuns: 200 },
    );
  });

  it('cuts a long paragraph at sentence ends near targetWords', () => {
    const sentence = (i: number): string => `Sentence number ${i} has exactly eight words here.`;
    const text = Array.from({ length: 40 }, (_, i) => sentence(i)).join(' ');
    const units = segmentText(text, { minWords: 10, targetWords: 32, maxWords: 64 });
    expect(units.length).toBe(10);
    for (const u of units) {
      expect(countWords(u)).toBe(32);
      expect(u.endsWith('here.')).toBe(true);
    }
  });

  it('merges short paragraphs forward and keeps mid-sized ones whole', () => {
    const short = 'Aye aye sir.';
    const mid = Array.from({ length: 50 }, (_, i) => `w${i}`).join(' ');
    const units = segmentText([short, short, mid, short].join('\n\n'), { minWords: 20, targetWords: 40, maxWords: 80 });
    // Two short paragraphs join the next one; the trailing short one merges backwards.
    expect(units).toEqual([`${short} ${short} ${mid} ${short}`]);
    const two = segmentText([mid, mid].join('\n\n'), { minWords: 20, targetWords: 40, maxWords: 80 });
    expect(two).toEqual([mid, mid]);
  });

  it('rejects inconsistent bounds', () => {
    expect(() => segmentText('a', { minWords: 10, targetWords: 5 })).toThrow(/minWords/);
  });
});
