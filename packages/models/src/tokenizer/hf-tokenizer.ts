/**
 * The {@link Tokenizer} over `@huggingface/tokenizers` (a pure-JS port of HF tokenizers): that library
 * normalizes, pre-tokenizes and runs the WordPiece/BPE model; this wrapper adds what it lacks —
 * truncation, padded batches, special-token discovery, id-range checks, and serialization (the
 * library cannot write `tokenizer.json`, so the wrapper keeps the object it was built from).
 */
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { padAstralCjk } from './bert-text.js';
import type {
  BatchEncoding,
  DecodeOptions,
  EncodeBatchOptions,
  EncodeOptions,
  Encoding,
  SpecialTokenIds,
  SpecialTokens,
  Tokenizer,
  TokenizerJson,
  TokenizerKind,
} from './types.js';

/** A `tokenizer.json` or `tokenizer_config.json` that cannot be used, naming the field and the value. */
export class TokenizerError extends Error {
  constructor(message: string) {
    super(`tokenizer: ${message}`);
    this.name = 'TokenizerError';
  }
}

/** Conventional special-token strings, tried in order when tokenizer_config.json does not name them. */
const CONVENTIONS: Readonly<Record<keyof SpecialTokenIds, readonly string[]>> = {
  cls: ['[CLS]', '<s>'],
  sep: ['[SEP]', '</s>'],
  pad: ['[PAD]', '<pad>'],
  mask: ['[MASK]', '<mask>'],
  unk: ['[UNK]', '<unk>'],
  bos: ['<s>'],
  eos: ['</s>'],
};
const SPECIAL_KEYS = Object.keys(CONVENTIONS) as (keyof SpecialTokenIds)[];

/** A config entry is a string or an AddedToken-like object `{content: …}`. */
function tokenString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null && typeof (v as { content?: unknown }).content === 'string') return (v as { content: string }).content;
  return undefined;
}

function validateJson(json: unknown): TokenizerJson {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new TokenizerError(`tokenizer.json is ${JSON.stringify(json)?.slice(0, 40)}; expected an object`);
  const j = json as Record<string, unknown>;
  const model = j.model as Record<string, unknown> | undefined;
  if (typeof model !== 'object' || model === null) throw new TokenizerError('tokenizer.json has no "model" object');
  if (model.type !== 'WordPiece' && model.type !== 'BPE') {
    throw new TokenizerError(`model.type is ${JSON.stringify(model.type)}; supported: "WordPiece" (BERT), "BPE" (RoBERTa byte-level BPE)`);
  }
  if (typeof model.vocab !== 'object' || model.vocab === null || Array.isArray(model.vocab)) throw new TokenizerError('model.vocab is missing or not an object {token: id}');
  if (j.added_tokens !== undefined && !Array.isArray(j.added_tokens)) throw new TokenizerError('added_tokens is not an array');
  // The library reads these keys unconditionally; null means "none".
  return {
    added_tokens: [],
    normalizer: null,
    pre_tokenizer: null,
    post_processor: null,
    decoder: null,
    ...j,
  } as unknown as TokenizerJson;
}

/** Truncates a pair longest-first (HF's default strategy) so their lengths sum to at most `budget`. */
function truncatePair(a: string[], b: string[], budget: number): void {
  while (a.length + b.length > budget) {
    if (a.length >= b.length) a.pop();
    else b.pop();
  }
}

/**
 * Builds a tokenizer from a `tokenizer.json` object and, optionally, `tokenizer_config.json`
 * (special-token names, `clean_up_tokenization_spaces`).
 * @throws TokenizerError for an unsupported model type or a malformed file
 */
export function createTokenizer(tokenizerJson: unknown, tokenizerConfig: Readonly<Record<string, unknown>> = {}): Tokenizer {
  // A private copy: later changes to the caller's object cannot desynchronize toJSON() from the model.
  const json = structuredClone(validateJson(tokenizerJson));
  let lib: HfTokenizer;
  try {
    lib = new HfTokenizer(json, { ...tokenizerConfig });
  } catch (e) {
    throw new TokenizerError(`@huggingface/tokenizers could not load tokenizer.json: ${(e as Error).message}`);
  }
  const kind: TokenizerKind = json.model.type === 'WordPiece' ? 'wordpiece' : 'bpe';
  // HF's len(tokenizer): one past the largest id of the model vocabulary and the added tokens.
  let maxId = -1;
  for (const id of Object.values(json.model.vocab)) if (id > maxId) maxId = id;
  for (const t of json.added_tokens) if (t.id > maxId) maxId = t.id;
  const vocabSize = maxId + 1;

  const specialIds: Record<string, number> = {};
  const specialTokens: Record<string, string> = {};
  for (const key of SPECIAL_KEYS) {
    const named = tokenString(tokenizerConfig[`${key}_token`]);
    const candidates = named !== undefined ? [named] : CONVENTIONS[key];
    for (const c of candidates) {
      const id = lib.token_to_id(c);
      if (id !== undefined) {
        specialIds[key] = id;
        specialTokens[key] = c;
        break;
      }
    }
    if (named !== undefined && specialIds[key] === undefined) {
      throw new TokenizerError(`tokenizer_config.json names ${key}_token ${JSON.stringify(named)}, which is not in the vocabulary`);
    }
  }
  const unkId = specialIds.unk;
  const idOf = (t: string): number => {
    const id = lib.token_to_id(t) ?? unkId;
    if (id === undefined) throw new TokenizerError(`token ${JSON.stringify(t)} is not in the vocabulary and there is no unknown token`);
    return id;
  };
  const robertaTypes = (json.post_processor as { type?: string } | null)?.type === 'RobertaProcessing';
  const postProcess = (a: string[], b: string[] | null, add: boolean): { tokens: string[]; typeIds: number[] } => {
    if (!lib.post_processor) return { tokens: b ? [...a, ...b] : a, typeIds: [...a.map(() => 0), ...(b ?? []).map(() => 1)] };
    const out = lib.post_processor(a, b, add);
    // RoBERTa has no segment embeddings (type_vocab_size 1): Rust's RobertaProcessing gives every
    // token type 0, while @huggingface/tokenizers 0.2.0 marks the pair with 1.
    const typeIds = robertaTypes ? out.tokens.map(() => 0) : (out.token_type_ids ?? out.tokens.map(() => 0));
    return { tokens: out.tokens, typeIds };
  };
  // How many tokens the post-processor adds around one sequence or a pair.
  const addedSingle = postProcess([], null, true).tokens.length;
  const addedPair = postProcess([], [], true).tokens.length;

  const norm = json.normalizer as { type?: string; handle_chinese_chars?: boolean } | null;
  const fixCjk = norm?.type === 'BertNormalizer' && norm.handle_chinese_chars !== false;
  const tokenize = (text: string): string[] => lib.tokenize(fixCjk ? padAstralCjk(text) : text, { add_special_tokens: false });
  const encode = (text: string, options: EncodeOptions = {}): Encoding => {
    const add = options.addSpecialTokens !== false;
    const a = tokenize(text);
    const b = options.pair === undefined ? null : tokenize(options.pair);
    if (options.maxLength !== undefined) {
      const max = options.maxLength;
      const reserved = add ? (b ? addedPair : addedSingle) : 0;
      if (!Number.isInteger(max) || max < reserved) {
        throw new RangeError(`encode: maxLength is ${max}; at least ${reserved} needed for the special tokens`);
      }
      if (b) truncatePair(a, b, max - reserved);
      else if (a.length > max - reserved) a.length = max - reserved;
    }
    const { tokens, typeIds } = postProcess(a, b, add);
    return { ids: tokens.map(idOf), tokens, typeIds };
  };

  const tokenizer: Tokenizer = {
    kind,
    vocabSize,
    specialIds,
    specialTokens,
    config: { ...tokenizerConfig },
    encode,
    encodeBatch(texts: readonly string[], options: EncodeBatchOptions = {}): BatchEncoding {
      if (options.pairs !== undefined && options.pairs.length !== texts.length) {
        throw new RangeError(`encodeBatch: ${texts.length} texts but ${options.pairs.length} pairs`);
      }
      const encodings = texts.map((t, i) => encode(t, { ...options, pair: options.pairs?.[i] }));
      let seqLen = 0;
      for (const e of encodings) seqLen = Math.max(seqLen, e.ids.length);
      if (options.padding === 'max-length') {
        if (options.maxLength === undefined) throw new RangeError("encodeBatch: padding 'max-length' needs maxLength");
        seqLen = options.maxLength;
      }
      const pad = specialIds.pad ?? 0;
      const batch = texts.length;
      const ids = new Int32Array(batch * seqLen).fill(pad);
      const mask = new Uint8Array(batch * seqLen);
      const typeIds = new Int32Array(batch * seqLen);
      const lengths = new Int32Array(batch);
      encodings.forEach((e, r) => {
        const off = r * seqLen;
        lengths[r] = e.ids.length;
        for (let t = 0; t < e.ids.length; t++) {
          ids[off + t] = e.ids[t];
          typeIds[off + t] = e.typeIds[t];
          mask[off + t] = 1;
        }
      });
      return { batch, seqLen, ids, mask, typeIds, lengths };
    },
    decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
      const list = Array.from(ids);
      for (let i = 0; i < list.length; i++) {
        const id = list[i];
        if (!Number.isInteger(id) || id < 0 || id >= vocabSize || lib.id_to_token(id) === undefined) {
          throw new RangeError(`decode: ids[${i}] is ${id}; expected an id in [0, ${vocabSize})`);
        }
      }
      if (list.length === 0) return '';
      return lib.decode(list, {
        skip_special_tokens: options.skipSpecialTokens ?? false,
        ...(options.cleanUpTokenizationSpaces === undefined ? {} : { clean_up_tokenization_spaces: options.cleanUpTokenizationSpaces }),
      });
    },
    tokenToId: (token) => lib.token_to_id(token),
    idToToken: (id) => lib.id_to_token(id),
    toJSON: () => structuredClone(json),
  };
  return tokenizer;
}
