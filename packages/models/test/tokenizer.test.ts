import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BertNormalizer, BertPreTokenizer, Tokenizer as LibTokenizer } from '@huggingface/tokenizers';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseModelConfig } from '../src/config/model-config.js';
import { bertNormalize, bertPreTokenize, padAstralCjk } from '../src/tokenizer/bert-text.js';
import { checkTokenizerMatchesConfig } from '../src/tokenizer/check-config.js';
import { createTokenizer, TokenizerError } from '../src/tokenizer/hf-tokenizer.js';
import { loadTokenizer, parseVocabTxt, saveTokenizer, specialTokensMapJson, vocabularyOf } from '../src/tokenizer/tokenizer-files.js';
import { trainWordPiece } from '../src/tokenizer/wordpiece-trainer.js';

const fixtures = path.join(import.meta.dirname, 'fixtures', 'tokenizer');
const corpus = fs.readFileSync(path.join(fixtures, 'english.txt'), 'utf8').split(/\n\s*\n/);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'symfuse-tok-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const trained = trainWordPiece(corpus, { vocabSize: 400 });
const bert = createTokenizer(trained.tokenizerJson);
const roberta = loadTokenizer(path.join(fixtures, 'roberta-bpe'));

/** Text that stresses normalization: ASCII, controls, whitespace, accents, CJK, astral, punctuation. */
const messyText = fc.array(
  fc.oneof(
    fc.string({ unit: 'binary', maxLength: 6 }),
    fc.string({ unit: 'grapheme', maxLength: 6 }),
    fc.constantFrom(' ', '\t', '\n', '\r\n', '\u00a0', '\u3000', '\u200b', '\ufeff', '\u0000', '\ufffd', '\u0085', '\u000b'),
    fc.constantFrom('é', 'Ü', 'ñ', 'ﬁ', 'İ', 'Σ', 'ß', '中', '文', '𠀀', '😀', '—', '…', '¿', '©', '!', '$', '^', '`', '~', "'", '"'),
    fc.constantFrom('The', 'river', 'cooking', 'Unhappiness', 'ÉCOLE', 'naïve'),
  ),
  { maxLength: 12 },
).map((parts) => parts.join(''));

describe('BERT normalization and pre-tokenization', () => {
  for (const lowercase of [true, false]) {
    it(`agree with @huggingface/tokenizers on random text (lowercase: ${lowercase})`, () => {
      const libNorm = new BertNormalizer({ type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase } as never);
      const libPre = new BertPreTokenizer();
      fc.assert(
        fc.property(messyText, (text) => {
          // The library misses CJK beyond the BMP; padAstralCjk is the documented correction.
          const want = libPre.pre_tokenize_text(libNorm.normalize(padAstralCjk(text)));
          expect(bertPreTokenize(bertNormalize(text, { lowercase }))).toEqual(want);
        }),
        { numRuns: 2000 },
      );
    });
  }

  it('splits punctuation and strips accents as BERT does', () => {
    expect(bertPreTokenize(bertNormalize("Café, naïve — don't!\u00a0ÉCOLE\t中文"))).toEqual(['cafe', ',', 'naive', '—', 'don', "'", 't', '!', 'ecole', '中', '文']);
    expect(bertPreTokenize(bertNormalize('Café', { lowercase: false }))).toEqual(['Café']);
    expect(bertPreTokenize(bertNormalize('Café', { lowercase: false, stripAccents: true }))).toEqual(['Cafe']);
    expect(bertPreTokenize(bertNormalize('a𠀀b'))).toEqual(['a', '𠀀', 'b']);
  });
});

describe('WordPiece trainer', () => {
  it('learns sensible English subwords from a few paragraphs', () => {
    const vocab = new Set(trained.vocab);
    expect(trained.vocab.length).toBe(400);
    // With minFrequency 2 this small corpus supports only so many merges; the vocabulary then stops short.
    expect(trainWordPiece(corpus, { vocabSize: 5000 }).vocab.length).toBeLessThan(5000);
    expect(trained.vocab.slice(0, 5)).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
    for (const t of ['the', 'and', 'of', 'year', 'when', 'through', '##ing', '##ed', '##ion', '##ly', 'learn']) expect(vocab.has(t), t).toBe(true);
    // Frequent words are single tokens; inflections split into stem + suffix.
    expect(bert.encode('the year when', { addSpecialTokens: false }).tokens).toEqual(['the', 'year', 'when']);
    const learning = bert.encode('learning', { addSpecialTokens: false }).tokens;
    expect(learning[0]).toBe('learn');
    expect(learning.slice(1).every((t) => t.startsWith('##'))).toBe(true);
  });

  it('is deterministic and independent of the order of the texts', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(corpus, { minLength: corpus.length, maxLength: corpus.length }), (shuffled) => {
        expect(trainWordPiece(shuffled, { vocabSize: 400 }).vocab).toEqual(trainWordPiece(corpus, { vocabSize: 400 }).vocab);
      }),
      { numRuns: 5 },
    );
  });

  it('produces a consistent vocabulary on random corpora: unique tokens, every training word encodable', () => {
    const word = fc.stringMatching(/^[a-zé]{1,8}$/);
    fc.assert(
      fc.property(fc.array(fc.array(word, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 10 }), fc.integer({ min: 30, max: 120 }), fc.integer({ min: 1, max: 3 }), (docs, vocabSize, minFrequency) => {
        const texts = docs.map((d) => d.join(' '));
        const t = trainWordPiece(texts, { vocabSize, minFrequency });
        expect(new Set(t.vocab).size).toBe(t.vocab.length);
        const tok = createTokenizer(t.tokenizerJson);
        for (const text of texts) {
          const e = tok.encode(text, { addSpecialTokens: false });
          expect(e.ids).not.toContain(tok.specialIds.unk);
          // Round trip on normalized text: decoding gives the words back (spacing aside).
          expect(tok.decode(e.ids).replace(/\s+/g, '')).toBe(bertNormalize(text).replace(/\s+/g, ''));
        }
      }),
      { numRuns: 40 },
    );
  });

  it('stops merging at minFrequency and honours limitAlphabet', () => {
    const t = trainWordPiece(['ab ab ab cd'], { vocabSize: 1000, minFrequency: 2 });
    expect(t.vocab.slice(5)).toEqual(['a', 'b', 'c', 'd', '##b', '##d', 'ab']);
    const limited = trainWordPiece(['aaa bbb c'], { vocabSize: 1000, limitAlphabet: 2, minFrequency: 1 });
    expect(limited.vocab).not.toContain('c');
    expect(() => trainWordPiece(['x'], { vocabSize: 0 })).toThrow(/vocabSize is 0; expected a positive integer/);
    expect(() => trainWordPiece(['x'], { vocabSize: 10, specialTokens: ['[PAD]'] })).toThrow(/lacks \[UNK\]/);
  });
});

describe('Tokenizer wrapper', () => {
  it('matches @huggingface/tokenizers itself when nothing is truncated (after the astral-CJK fix)', () => {
    const lib = new LibTokenizer(trained.tokenizerJson, {});
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), (text) => {
        expect(bert.encode(text).ids).toEqual(lib.encode(padAstralCjk(text)).ids);
      }),
      { numRuns: 300 },
    );
  });

  it('WordPiece: encode → decode returns the normalized text (up to spaces) when nothing is unknown', () => {
    const words = corpus.join(' ').split(/\s+/).slice(0, 400);
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 20 }), (ws) => {
        const text = ws.join(' ');
        const e = bert.encode(text);
        expect(e.tokens[0]).toBe('[CLS]');
        expect(e.tokens.at(-1)).toBe('[SEP]');
        expect(bert.decode(e.ids, { skipSpecialTokens: true }).replace(/\s+/g, '')).toBe(bertNormalize(text).replace(/\s+/g, ''));
      }),
      { numRuns: 200 },
    );
  });

  it('byte-level BPE: encode → decode is lossless for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }).filter((s) => !s.includes('<')), (text) => {
        const e = roberta.encode(text);
        expect(roberta.decode(e.ids, { skipSpecialTokens: true, cleanUpTokenizationSpaces: false })).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('truncates to maxLength keeping the special tokens; pairs longest-first', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('the', 'river', 'of', 'learning', 'cities'), { maxLength: 30 }), fc.integer({ min: 2, max: 20 }), (ws, maxLength) => {
        const text = ws.join(' ');
        const full = bert.encode(text);
        const cut = bert.encode(text, { maxLength });
        expect(cut.ids.length).toBe(Math.min(full.ids.length, maxLength));
        expect(cut.ids[0]).toBe(bert.specialIds.cls);
        expect(cut.ids.at(-1)).toBe(bert.specialIds.sep);
        expect(cut.ids.slice(0, -1)).toEqual(full.ids.slice(0, cut.ids.length - 1));
      }),
    );
    const pair = bert.encode('the year the year the year the year', { pair: 'of', maxLength: 7 });
    expect(pair.tokens).toEqual(['[CLS]', 'the', 'year', 'the', '[SEP]', 'of', '[SEP]']);
    expect(pair.typeIds).toEqual([0, 0, 0, 0, 0, 1, 1]);
    expect(() => bert.encode('x', { maxLength: 1 })).toThrow(/maxLength is 1; at least 2 needed/);
    expect(bert.encode('the river', { maxLength: 1, addSpecialTokens: false }).tokens).toEqual(['the']);
  });

  it('encodeBatch pads to the longest (or maxLength) with pad id, mask 0', () => {
    const b = bert.encodeBatch(['the river', 'the river of cities learning', ''], {});
    const lens = [bert.encode('the river').ids.length, bert.encode('the river of cities learning').ids.length, 2];
    expect(Array.from(b.lengths)).toEqual(lens);
    expect(b.seqLen).toBe(Math.max(...lens));
    expect(b.ids.length).toBe(3 * b.seqLen);
    for (let r = 0; r < 3; r++) {
      for (let t = 0; t < b.seqLen; t++) {
        const real = t < lens[r];
        expect(b.mask[r * b.seqLen + t]).toBe(real ? 1 : 0);
        if (!real) expect(b.ids[r * b.seqLen + t]).toBe(bert.specialIds.pad);
      }
    }
    const fixed = bert.encodeBatch(['the river of cities learning'], { maxLength: 4, padding: 'max-length' });
    expect(fixed.seqLen).toBe(4);
    expect(Array.from(fixed.lengths)).toEqual([4]);
    const padded = bert.encodeBatch(['the'], { maxLength: 8, padding: 'max-length' });
    expect(Array.from(padded.mask)).toEqual([1, 1, 1, 0, 0, 0, 0, 0]);
    expect(() => bert.encodeBatch(['a'], { padding: 'max-length' })).toThrow(/needs maxLength/);
    expect(() => bert.encodeBatch(['a', 'b'], { pairs: ['c'] })).toThrow(/2 texts but 1 pairs/);
  });

  it('decode checks the id range and accepts an empty list', () => {
    expect(bert.decode([])).toBe('');
    expect(() => bert.decode([5, 400])).toThrow(/ids\[1\] is 400; expected an id in \[0, 400\)/);
    expect(() => bert.decode([-1])).toThrow(RangeError);
    expect(bert.decode(Int32Array.from(bert.encode('the river').ids))).toBe('[CLS] the river [SEP]');
  });

  it('rejects unsupported models and special tokens missing from the vocabulary', () => {
    expect(() => createTokenizer({ model: { type: 'Unigram', vocab: [] } })).toThrow(/model.type is "Unigram"; supported: "WordPiece" \(BERT\), "BPE"/);
    expect(() => createTokenizer({ nope: 1 })).toThrow(/no "model" object/);
    expect(() => createTokenizer(trained.tokenizerJson, { cls_token: '<cls>' })).toThrow(/names cls_token "<cls>", which is not in the vocabulary/);
  });
});

describe('tokenizer files', () => {
  it('save → load keeps vocabulary, special tokens and encodings; vocab.txt lists ids in order', () => {
    const dir = path.join(tmp, 'bert');
    expect(saveTokenizer(dir, bert, { modelMaxLength: 128 }).sort()).toEqual(['special_tokens_map.json', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']);
    const again = loadTokenizer(dir);
    expect(again.vocabSize).toBe(bert.vocabSize);
    expect(again.specialIds).toEqual(bert.specialIds);
    expect(parseVocabTxt(fs.readFileSync(path.join(dir, 'vocab.txt'), 'utf8'))).toEqual(vocabularyOf(bert));
    for (const s of corpus) expect(again.encode(s).ids).toEqual(bert.encode(s).ids);
    const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8'));
    expect(cfg).toMatchObject({ tokenizer_class: 'BertTokenizer', do_lower_case: true, cls_token: '[CLS]', model_max_length: 128 });
  });

  it('RoBERTa: vocab.json + merges.txt, and the mask keeps lstrip in special_tokens_map.json', () => {
    const dir = path.join(tmp, 'roberta');
    saveTokenizer(dir, roberta);
    expect(fs.readFileSync(path.join(dir, 'merges.txt'), 'utf8').split('\n')[0]).toBe('#version: 0.2');
    expect(specialTokensMapJson(roberta).mask_token).toMatchObject({ content: '<mask>', lstrip: true });
    const again = loadTokenizer(dir);
    expect(again.encode('a <mask> b').ids).toEqual(roberta.encode('a <mask> b').ids);
  });

  it('names the directory when tokenizer.json is missing', () => {
    expect(() => loadTokenizer(path.join(tmp, 'nowhere'))).toThrow(TokenizerError);
    expect(() => loadTokenizer(path.join(tmp, 'nowhere'))).toThrow(/no tokenizer.json in .*nowhere/);
  });
});

describe('checkTokenizerMatchesConfig', () => {
  const config = (vocab_size: number, extra: Record<string, unknown> = {}) => parseModelConfig({ model_type: 'bert', vocab_size, ...extra });

  it('accepts a matching pair', () => {
    expect(() => checkTokenizerMatchesConfig(bert, config(400))).not.toThrow();
    expect(() => checkTokenizerMatchesConfig(roberta, parseModelConfig({ model_type: 'roberta', vocab_size: 400 }))).not.toThrow();
  });

  it('names both numbers on a mismatch', () => {
    expect(() => checkTokenizerMatchesConfig(bert, config(30522))).toThrow(/tokenizer vocabulary size 400 does not match the config's vocab_size 30522/);
    expect(() => checkTokenizerMatchesConfig(bert, config(400, { pad_token_id: 3 }))).toThrow(/pad token id 0 does not match the config's pad_token_id 3/);
    expect(() => checkTokenizerMatchesConfig(roberta, parseModelConfig({ model_type: 'roberta', vocab_size: 400, bos_token_id: 5 }))).toThrow(/bos token id 0 does not match the config's bos_token_id 5/);
  });

  it('allows a padded embedding matrix on request', () => {
    expect(() => checkTokenizerMatchesConfig(bert, config(408), { allowLargerEmbedding: true })).not.toThrow();
    expect(() => checkTokenizerMatchesConfig(bert, config(399), { allowLargerEmbedding: true })).toThrow(/400 exceeds the config's vocab_size 399/);
  });
});
