/**
 * Builds the Hugging Face `tokenizer.json` object of a BERT WordPiece tokenizer from a vocabulary, in
 * the form `transformers`' `BertTokenizerFast` saves: BertNormalizer, BertPreTokenizer, a
 * TemplateProcessing post-processor (`[CLS] A [SEP]` / `[CLS] A [SEP] B [SEP]`), WordPiece decoder.
 */
import type { AddedTokenJson, TokenizerJson } from './types.js';

/** Options of {@link wordPieceTokenizerJson}. */
export interface WordPieceJsonOptions {
  /** Lowercase input (BERT uncased; default true). */
  readonly lowercase?: boolean;
  /** Strip accents; undefined/null follows `lowercase`. */
  readonly stripAccents?: boolean | null;
  /** Special tokens (defaults: BERT's bracketed names). Each must be in the vocabulary. */
  readonly cls?: string;
  readonly sep?: string;
  readonly pad?: string;
  readonly mask?: string;
  readonly unk?: string;
  /** More special tokens to register as added tokens (they must be in the vocabulary). */
  readonly additionalSpecialTokens?: readonly string[];
  /** Continuation prefix (default `##`). */
  readonly continuingSubwordPrefix?: string;
  /** Longer words encode as the unknown token (default 100, as BERT). */
  readonly maxInputCharsPerWord?: number;
}

/**
 * The `tokenizer.json` object for `vocab` (token strings by id).
 * @throws RangeError when a special token is missing from the vocabulary or a token repeats
 */
export function wordPieceTokenizerJson(vocab: readonly string[], options: WordPieceJsonOptions = {}): TokenizerJson {
  const ids = new Map<string, number>();
  vocab.forEach((t, i) => {
    if (ids.has(t)) throw new RangeError(`wordPieceTokenizerJson: token ${JSON.stringify(t)} appears at ids ${ids.get(t)} and ${i}`);
    ids.set(t, i);
  });
  const special = {
    pad: options.pad ?? '[PAD]',
    unk: options.unk ?? '[UNK]',
    cls: options.cls ?? '[CLS]',
    sep: options.sep ?? '[SEP]',
    mask: options.mask ?? '[MASK]',
  };
  const idOf = (name: string, token: string): number => {
    const id = ids.get(token);
    if (id === undefined) throw new RangeError(`wordPieceTokenizerJson: ${name} token ${JSON.stringify(token)} is not in the vocabulary`);
    return id;
  };
  const addedNames = new Map<string, string>(Object.entries(special).map(([name, content]) => [content, name]));
  for (const t of options.additionalSpecialTokens ?? []) if (!addedNames.has(t)) addedNames.set(t, 'additional special');
  const added: AddedTokenJson[] = [...addedNames]
    .map(([content, name]) => ({ id: idOf(name, content), content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }))
    .sort((a, b) => a.id - b.id);
  const clsId = idOf('cls', special.cls);
  const sepId = idOf('sep', special.sep);
  // A prototype-less map, so a token like "__proto__" is just a key.
  const vocabObject: Record<string, number> = Object.create(null) as Record<string, number>;
  vocab.forEach((t, i) => (vocabObject[t] = i));
  const prefix = options.continuingSubwordPrefix ?? '##';
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: options.stripAccents ?? null,
      lowercase: options.lowercase !== false,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: special.cls, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: special.sep, type_id: 0 } }],
      pair: [
        { SpecialToken: { id: special.cls, type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: special.sep, type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: special.sep, type_id: 1 } },
      ],
      special_tokens: {
        [special.cls]: { id: special.cls, ids: [clsId], tokens: [special.cls] },
        [special.sep]: { id: special.sep, ids: [sepId], tokens: [special.sep] },
      },
    },
    decoder: { type: 'WordPiece', prefix, cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: special.unk,
      continuing_subword_prefix: prefix,
      max_input_chars_per_word: options.maxInputCharsPerWord ?? 100,
      vocab: vocabObject,
    },
  };
}
