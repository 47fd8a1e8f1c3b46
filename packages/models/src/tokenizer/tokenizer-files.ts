/**
 * Tokenizer files as Hugging Face lays them out in a model directory: `tokenizer.json` (the full
 * pipeline), `tokenizer_config.json` (class, special-token names, lengths), `special_tokens_map.json`,
 * and the slow tokenizers' vocabulary files (`vocab.txt` for WordPiece; `vocab.json` + `merges.txt`
 * for byte-level BPE), which older `transformers` versions and other tools still read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../io/writer.js';
import { createTokenizer, TokenizerError } from './hf-tokenizer.js';
import type { SpecialTokenIds, Tokenizer, TokenizerJson } from './types.js';

/** The vocabulary as tokens by id, with every id in [0, vocabSize) filled. */
export function vocabularyOf(tokenizer: Tokenizer): string[] {
  const out: string[] = [];
  for (let id = 0; id < tokenizer.vocabSize; id++) {
    const t = tokenizer.idToToken(id);
    if (t === undefined) throw new TokenizerError(`id ${id} has no token; the vocabulary has a gap`);
    out.push(t);
  }
  return out;
}

/** BERT's `vocab.txt`: one token per line, line number = id. */
export function vocabTxt(tokenizer: Tokenizer): string {
  const vocab = vocabularyOf(tokenizer);
  const bad = vocab.findIndex((t) => /[\n\r]/.test(t));
  if (bad >= 0) throw new TokenizerError(`token ${JSON.stringify(vocab[bad])} (id ${bad}) contains a line break and cannot be written to vocab.txt`);
  return `${vocab.join('\n')}\n`;
}

/** Reads a `vocab.txt` back into tokens by id. */
export function parseVocabTxt(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => l.replace(/\r$/, ''));
}

const HF_NAMES: Readonly<Record<keyof SpecialTokenIds, string>> = {
  bos: 'bos_token',
  eos: 'eos_token',
  unk: 'unk_token',
  sep: 'sep_token',
  pad: 'pad_token',
  cls: 'cls_token',
  mask: 'mask_token',
};

/** `special_tokens_map.json`: the special-token names (RoBERTa's mask keeps its `lstrip`). */
export function specialTokensMapJson(tokenizer: Tokenizer): Record<string, unknown> {
  const json = tokenizer.toJSON();
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(HF_NAMES).sort() as (keyof SpecialTokenIds)[]) {
    const token = tokenizer.specialTokens[key];
    if (token === undefined) continue;
    const added = json.added_tokens.find((a) => a.content === token);
    out[HF_NAMES[key]] =
      added && (added.lstrip || added.rstrip)
        ? { content: token, lstrip: added.lstrip, normalized: added.normalized, rstrip: added.rstrip, single_word: added.single_word }
        : token;
  }
  return out;
}

interface NormalizerJson {
  type?: string;
  lowercase?: boolean;
  strip_accents?: boolean | null;
  handle_chinese_chars?: boolean;
}

/**
 * `tokenizer_config.json` as `transformers` writes it for BERT (`BertTokenizer`) or RoBERTa
 * (`RobertaTokenizer`). Keys of the tokenizer's own config are kept and win over the defaults.
 */
export function tokenizerConfigJson(tokenizer: Tokenizer, options: { modelMaxLength?: number } = {}): Record<string, unknown> {
  const json = tokenizer.toJSON();
  const base: Record<string, unknown> = { clean_up_tokenization_spaces: true };
  if (tokenizer.kind === 'wordpiece') {
    const norm = (json.normalizer ?? {}) as NormalizerJson;
    Object.assign(base, {
      tokenizer_class: 'BertTokenizer',
      do_lower_case: norm.type === 'BertNormalizer' ? norm.lowercase !== false : false,
      strip_accents: norm.strip_accents ?? null,
      tokenize_chinese_chars: norm.handle_chinese_chars !== false,
    });
  } else {
    const pre = (json.pre_tokenizer ?? {}) as { add_prefix_space?: boolean; trim_offsets?: boolean };
    Object.assign(base, {
      tokenizer_class: 'RobertaTokenizer',
      add_prefix_space: pre.add_prefix_space ?? false,
      trim_offsets: pre.trim_offsets ?? true,
      errors: 'replace',
    });
  }
  for (const [key, name] of Object.entries(HF_NAMES)) {
    const token = tokenizer.specialTokens[key as keyof SpecialTokenIds];
    if (token !== undefined) base[name] = token;
  }
  // Older transformers read added-token flags from here; newer ones from tokenizer.json.
  const decoder: Record<string, unknown> = {};
  for (const a of json.added_tokens) {
    decoder[String(a.id)] = { content: a.content, lstrip: a.lstrip, normalized: a.normalized, rstrip: a.rstrip, single_word: a.single_word, special: a.special };
  }
  base.added_tokens_decoder = decoder;
  if (options.modelMaxLength !== undefined) base.model_max_length = options.modelMaxLength;
  const merged: Record<string, unknown> = { ...base, ...tokenizer.config };
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(merged).sort()) sorted[k] = merged[k];
  return sorted;
}

const text = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`;

function writeText(file: string, content: string): void {
  writeFileAtomic(file, (write) => write(new TextEncoder().encode(content)));
}

/**
 * Writes a tokenizer into `dir`: `tokenizer.json`, `tokenizer_config.json`,
 * `special_tokens_map.json`, and `vocab.txt` (WordPiece) or `vocab.json` + `merges.txt` (BPE).
 * Each file is written atomically. Returns the file names written.
 */
export function saveTokenizer(dir: string, tokenizer: Tokenizer, options: { modelMaxLength?: number } = {}): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const json = tokenizer.toJSON();
  const files: [string, string][] = [
    ['tokenizer.json', text(json)],
    ['tokenizer_config.json', text(tokenizerConfigJson(tokenizer, options))],
    ['special_tokens_map.json', text(specialTokensMapJson(tokenizer))],
  ];
  if (tokenizer.kind === 'wordpiece') files.push(['vocab.txt', vocabTxt(tokenizer)]);
  else {
    files.push(['vocab.json', `${JSON.stringify(json.model.vocab)}\n`]);
    const merges = (json.model.merges ?? []) as (string | [string, string])[];
    files.push(['merges.txt', `#version: 0.2\n${merges.map((m) => (typeof m === 'string' ? m : m.join(' '))).join('\n')}\n`]);
  }
  for (const [name, content] of files) writeText(path.join(dir, name), content);
  return files.map(([name]) => name);
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code) throw e;
    throw new TokenizerError(`${file} is not valid JSON (${(e as Error).message})`);
  }
}

/**
 * Loads a tokenizer from a model directory: `tokenizer.json` (required), `tokenizer_config.json` and
 * `special_tokens_map.json` (optional; the latter fills special-token names the former lacks).
 * @throws TokenizerError naming the missing or malformed file
 */
export function loadTokenizer(dir: string): Tokenizer {
  const tokFile = path.join(dir, 'tokenizer.json');
  if (!fs.existsSync(tokFile)) {
    const present = fs.existsSync(dir) ? fs.readdirSync(dir).join(', ') : 'the directory does not exist';
    throw new TokenizerError(`no tokenizer.json in ${dir} (found: ${present || 'nothing'}); symfuse loads fast-tokenizer files only`);
  }
  const config: Record<string, unknown> = {};
  const mapFile = path.join(dir, 'special_tokens_map.json');
  if (fs.existsSync(mapFile)) Object.assign(config, readJson(mapFile) as Record<string, unknown>);
  const cfgFile = path.join(dir, 'tokenizer_config.json');
  if (fs.existsSync(cfgFile)) Object.assign(config, readJson(cfgFile) as Record<string, unknown>);
  try {
    return createTokenizer(readJson(tokFile) as TokenizerJson, config);
  } catch (e) {
    if (e instanceof TokenizerError) throw new TokenizerError(`${dir}: ${e.message.replace(/^tokenizer: /, '')}`);
    throw e;
  }
}
