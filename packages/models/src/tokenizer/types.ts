/**
 * The tokenizer interface the rest of symfuse uses, independent of the library underneath.
 */

/** Ids of the special tokens a tokenizer defines (absent when it has no such token). */
export interface SpecialTokenIds {
  readonly cls?: number;
  readonly sep?: number;
  readonly pad?: number;
  readonly mask?: number;
  readonly unk?: number;
  readonly bos?: number;
  readonly eos?: number;
}

/** The special tokens' strings, keyed like {@link SpecialTokenIds}. */
export type SpecialTokens = { readonly [K in keyof SpecialTokenIds]?: string };

/** Options of `encode`. */
export interface EncodeOptions {
  /**
   * Longest output, special tokens included. Longer inputs are truncated at the end
   * (pairs: longest-first, as Hugging Face's default). Default: no limit.
   */
  readonly maxLength?: number;
  /** Add `[CLS] … [SEP]` / `<s> … </s>` per the tokenizer's post-processor (default true). */
  readonly addSpecialTokens?: boolean;
  /** Second sequence of a pair (sentence-pair tasks). */
  readonly pair?: string;
}

/** One encoded sequence. */
export interface Encoding {
  /** Token ids. */
  readonly ids: number[];
  /** The token strings. */
  readonly tokens: string[];
  /** Segment ids: 0 for the first sequence, 1 for the pair. */
  readonly typeIds: number[];
}

/** Options of `encodeBatch`. */
export interface EncodeBatchOptions extends Omit<EncodeOptions, 'pair'> {
  /** Pad to the longest sequence of the batch (default) or to `maxLength`. */
  readonly padding?: 'longest' | 'max-length';
  /** Second sequences, one per text. */
  readonly pairs?: readonly string[];
}

/**
 * A padded batch, row-major `[batch, seqLen]`, in the shape the encoder's `EncoderBatch` takes.
 * Padding positions hold the pad id, mask 0 and type id 0.
 */
export interface BatchEncoding {
  readonly batch: number;
  readonly seqLen: number;
  /** `[batch, seqLen]` token ids. */
  readonly ids: Int32Array;
  /** `[batch, seqLen]`: 1 for real tokens, 0 for padding. */
  readonly mask: Uint8Array;
  /** `[batch, seqLen]` segment ids. */
  readonly typeIds: Int32Array;
  /** `[batch]` real lengths. */
  readonly lengths: Int32Array;
}

/** Options of `decode`. */
export interface DecodeOptions {
  /** Leave out special tokens (default false, as in Hugging Face). */
  readonly skipSpecialTokens?: boolean;
  /** Remove spaces before punctuation etc.; default from `tokenizer_config.json` (true if absent). */
  readonly cleanUpTokenizationSpaces?: boolean;
}

/** The model family of a tokenizer. */
export type TokenizerKind = 'wordpiece' | 'bpe';

/** A loaded tokenizer. */
export interface Tokenizer {
  /** `wordpiece` (BERT) or `bpe` (byte-level BPE, RoBERTa). */
  readonly kind: TokenizerKind;
  /** Number of ids, added tokens included (Hugging Face's `len(tokenizer)`). */
  readonly vocabSize: number;
  /** Ids of the special tokens. */
  readonly specialIds: SpecialTokenIds;
  /** Strings of the special tokens. */
  readonly specialTokens: SpecialTokens;
  /** Encodes one text (or a pair). */
  encode(text: string, options?: EncodeOptions): Encoding;
  /** Encodes texts into one padded batch. */
  encodeBatch(texts: readonly string[], options?: EncodeBatchOptions): BatchEncoding;
  /** Turns ids back into text. @throws RangeError for an id outside [0, vocabSize) */
  decode(ids: ArrayLike<number>, options?: DecodeOptions): string;
  /** The id of a token string, if it is in the vocabulary. */
  tokenToId(token: string): number | undefined;
  /** The token string of an id, if any. */
  idToToken(id: number): string | undefined;
  /** The `tokenizer.json` object this tokenizer was built from. */
  toJSON(): TokenizerJson;
  /** The `tokenizer_config.json` object (possibly empty). */
  readonly config: Readonly<Record<string, unknown>>;
}

/** A Hugging Face `tokenizer.json` object (the parts symfuse reads are typed). */
export interface TokenizerJson {
  readonly version?: string;
  readonly added_tokens: readonly AddedTokenJson[];
  readonly normalizer: unknown;
  readonly pre_tokenizer: unknown;
  readonly post_processor: unknown;
  readonly decoder: unknown;
  readonly model: { readonly type: string; readonly vocab: Readonly<Record<string, number>>; readonly [k: string]: unknown };
  readonly [k: string]: unknown;
}

/** An entry of `added_tokens`. */
export interface AddedTokenJson {
  readonly id: number;
  readonly content: string;
  readonly single_word: boolean;
  readonly lstrip: boolean;
  readonly rstrip: boolean;
  readonly normalized: boolean;
  readonly special: boolean;
}
