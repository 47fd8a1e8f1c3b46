/**
 * Trains symfuse's WordPiece tokenizer on the committed English corpus and saves it (tokenizer.json,
 * tokenizer_config.json, special_tokens_map.json, vocab.txt) into OUT_DIR, with `ours.json` holding our
 * encodings of `sentences.json`, for `tokenizer_reference.py verify OUT_DIR`.
 *
 *   node --import tsx packages/models/scripts/write-tokenizer-samples.ts /tmp/symfuse-tok
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createTokenizer } from '../src/tokenizer/hf-tokenizer.js';
import { saveTokenizer } from '../src/tokenizer/tokenizer-files.js';
import { trainWordPiece } from '../src/tokenizer/wordpiece-trainer.js';

const out = process.argv[2];
if (!out) {
  console.error('usage: write-tokenizer-samples.ts OUT_DIR');
  process.exit(2);
}
const fixtures = path.join(import.meta.dirname, '..', 'test', 'fixtures', 'tokenizer');
const corpus = fs.readFileSync(path.join(fixtures, 'english.txt'), 'utf8').split(/\n\s*\n/);
const sentences = JSON.parse(fs.readFileSync(path.join(fixtures, 'sentences.json'), 'utf8')) as string[];

const trained = trainWordPiece(corpus, { vocabSize: 300, minFrequency: 2 });
const tokenizer = createTokenizer(trained.tokenizerJson, {});
saveTokenizer(out, tokenizer, { modelMaxLength: 128 });
const single = sentences.map((text) => ({ text, ...tokenizer.encode(text) }));
fs.writeFileSync(path.join(out, 'ours.json'), `${JSON.stringify({ single }, null, 1)}\n`);
console.log(`trained ${trained.vocab.length} tokens (${trained.merges} merges); wrote ${out}`);
