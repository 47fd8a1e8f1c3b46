/** Tokenizers: Hugging Face tokenizer.json (WordPiece, byte-level BPE) load/save, and a WordPiece trainer. */
export { bertNormalize, bertPreTokenize, type BertNormalizerOptions } from './bert-text.js';
export { checkTokenizerMatchesConfig, type TokenizerConfigCheckOptions } from './check-config.js';
export { createTokenizer, TokenizerError } from './hf-tokenizer.js';
export {
  loadTokenizer,
  parseVocabTxt,
  saveTokenizer,
  specialTokensMapJson,
  tokenizerConfigJson,
  vocabTxt,
  vocabularyOf,
} from './tokenizer-files.js';
export type {
  AddedTokenJson,
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
export { wordPieceTokenizerJson, type WordPieceJsonOptions } from './wordpiece-json.js';
export { BERT_SPECIAL_TOKENS, countWords, trainWordPiece, type TrainedWordPiece, type WordPieceTrainerOptions } from './wordpiece-trainer.js';
