/**
 * @symfuse/models — the BERT/RoBERTa encoder family (post-LN and pre-LN) over `@symfuse/tensor`:
 * parameters under Hugging Face names, init, tolerant loading, forward with activation taps,
 * summaries; safetensors and HF config/tokenizer IO.
 */
export * from './model/index.js';
