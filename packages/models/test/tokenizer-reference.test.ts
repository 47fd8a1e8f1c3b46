/**
 * Agreement with the Rust Hugging Face tokenizers (0.23.2): the fixtures hold tokenizers trained by HF
 * (WordPiece and byte-level BPE) and by our trainer, each with the Rust encodings of sentences.json.
 * Regenerate with packages/models/scripts/tokenizer_reference.py (see its docstring).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTokenizer } from '../src/tokenizer/hf-tokenizer.js';
import { loadTokenizer } from '../src/tokenizer/tokenizer-files.js';
import type { Tokenizer } from '../src/tokenizer/types.js';
import { trainWordPiece } from '../src/tokenizer/wordpiece-trainer.js';

const dir = path.join(import.meta.dirname, 'fixtures', 'tokenizer');
const sentences = JSON.parse(fs.readFileSync(path.join(dir, 'sentences.json'), 'utf8')) as string[];
const corpus = fs.readFileSync(path.join(dir, 'english.txt'), 'utf8').split(/\n\s*\n/);

interface RustEncodings {
  single: { ids: number[]; tokens: string[]; type_ids: number[]; decoded: string }[];
  pair: { ids: number[]; type_ids: number[] };
}
const rustOf = (name: string): RustEncodings => JSON.parse(fs.readFileSync(path.join(dir, name, 'rust-encodings.json'), 'utf8')) as RustEncodings;

function expectAgreement(tok: Tokenizer, rust: RustEncodings): void {
  sentences.forEach((s, i) => {
    const ours = tok.encode(s);
    const want = rust.single[i];
    expect(ours.ids, JSON.stringify(s)).toEqual(want.ids);
    expect(ours.typeIds, JSON.stringify(s)).toEqual(want.type_ids);
    expect(ours.tokens, JSON.stringify(s)).toEqual(ours.ids.map((id) => tok.idToToken(id)));
    expect(tok.decode(ours.ids, { skipSpecialTokens: true }), JSON.stringify(s)).toBe(want.decoded);
  });
  const pair = tok.encode(sentences[0], { pair: sentences[1] });
  expect(pair.ids).toEqual(rust.pair.ids);
  expect(pair.typeIds).toEqual(rust.pair.type_ids);
}

describe('agreement with the Rust tokenizers', () => {
  it('our trainer reproduces the committed tokenizer.json exactly (deterministic)', () => {
    const trained = trainWordPiece(corpus, { vocabSize: 300, minFrequency: 2 });
    const committed = JSON.parse(fs.readFileSync(path.join(dir, 'ours-wordpiece', 'tokenizer.json'), 'utf8'));
    expect(JSON.parse(JSON.stringify(trained.tokenizerJson))).toEqual(committed);
  });

  it('a tokenizer trained by us encodes and decodes exactly as Rust tokenizers does', () => {
    expectAgreement(loadTokenizer(path.join(dir, 'ours-wordpiece')), rustOf('ours-wordpiece'));
  });

  it('a WordPiece tokenizer trained and saved by Hugging Face', () => {
    const tok = loadTokenizer(path.join(dir, 'hf-wordpiece'));
    expect(tok.kind).toBe('wordpiece');
    expect(tok.specialIds).toEqual({ pad: 0, unk: 1, cls: 2, sep: 3, mask: 4 });
    expectAgreement(tok, rustOf('hf-wordpiece'));
  });

  it('a byte-level BPE (RoBERTa) tokenizer, including <mask> with lstrip', () => {
    const tok = loadTokenizer(path.join(dir, 'roberta-bpe'));
    expect(tok.kind).toBe('bpe');
    expect(tok.vocabSize).toBe(400);
    expect(tok.specialIds).toEqual({ cls: 0, pad: 1, sep: 2, eos: 2, unk: 3, mask: 4, bos: 0 });
    expectAgreement(tok, rustOf('roberta-bpe'));
  });

  it('our vocabulary overlaps Hugging Face’s trainer output on the same corpus by over 90%', () => {
    const ours = Object.keys(trainWordPiece(corpus, { vocabSize: 300 }).tokenizerJson.model.vocab);
    const hf = new Set(Object.keys(createTokenizer(JSON.parse(fs.readFileSync(path.join(dir, 'hf-wordpiece', 'tokenizer.json'), 'utf8'))).toJSON().model.vocab));
    const shared = ours.filter((t) => hf.has(t)).length;
    expect(shared / ours.length).toBeGreaterThan(0.9);
  });
});
