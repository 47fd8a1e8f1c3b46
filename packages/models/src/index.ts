/**
 * @symfuse/models — the BERT/RoBERTa encoder family (post-LN and pre-LN) over `@symfuse/tensor`:
 * parameters under Hugging Face names, init, tolerant loading, forward with activation taps and
 * summaries (`model/`); safetensors IO (`io/`); HF config.json (`config/`); tokenizers
 * (`tokenizer/`); model directories (`checkpoint/`); training (`train/`).
 */
export * from './model/index.js';
export * from './config/index.js';
export * from './io/index.js';
export * from './tokenizer/index.js';
export * from './train/index.js';
export * from './checkpoint/index.js';
// Both io/ and tokenizer/ name an options type `DecodeOptions`: the package exports the tokenizer's
// (ids → text) under that name and both under unambiguous ones.
export type { DecodeOptions as TensorDecodeOptions } from './io/index.js';
export type { DecodeOptions, DecodeOptions as TokenizerDecodeOptions } from './tokenizer/index.js';
