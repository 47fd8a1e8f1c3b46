/**
 * Consistency between a tokenizer and a model configuration: a mismatch here means token ids that
 * index past the embedding matrix, or padding that the model does not treat as padding.
 */
import type { ModelConfig } from '../config/model-config.js';
import { TokenizerError } from './hf-tokenizer.js';
import type { Tokenizer } from './types.js';

/** Options of {@link checkTokenizerMatchesConfig}. */
export interface TokenizerConfigCheckOptions {
  /**
   * Accept an embedding matrix larger than the vocabulary (rows padded, e.g. to a multiple of 8);
   * default false: the sizes must be equal.
   */
  readonly allowLargerEmbedding?: boolean;
}

/**
 * Checks that `tokenizer` fits `config`: vocabulary size equals `vocab_size` (or is at most it with
 * `allowLargerEmbedding`), the pad token is `pad_token_id`, and RoBERTa's bos/eos ids agree.
 * @throws TokenizerError naming both numbers
 */
export function checkTokenizerMatchesConfig(
  tokenizer: Pick<Tokenizer, 'vocabSize' | 'specialIds'>,
  config: Pick<ModelConfig, 'vocabSize' | 'padTokenId' | 'bosTokenId' | 'eosTokenId' | 'modelType'>,
  options: TokenizerConfigCheckOptions = {},
): void {
  const problems: string[] = [];
  const v = tokenizer.vocabSize;
  if (options.allowLargerEmbedding ? v > config.vocabSize : v !== config.vocabSize) {
    problems.push(
      `tokenizer vocabulary size ${v} ${options.allowLargerEmbedding ? 'exceeds' : 'does not match'} the config's vocab_size ${config.vocabSize}`,
    );
  }
  const pad = tokenizer.specialIds.pad;
  if (pad !== undefined && pad !== config.padTokenId) {
    problems.push(`tokenizer pad token id ${pad} does not match the config's pad_token_id ${config.padTokenId}`);
  }
  if (config.modelType === 'roberta') {
    const { bos, eos } = tokenizer.specialIds;
    if (bos !== undefined && config.bosTokenId !== null && bos !== config.bosTokenId) {
      problems.push(`tokenizer bos token id ${bos} does not match the config's bos_token_id ${config.bosTokenId}`);
    }
    if (eos !== undefined && config.eosTokenId !== null && eos !== config.eosTokenId) {
      problems.push(`tokenizer eos token id ${eos} does not match the config's eos_token_id ${config.eosTokenId}`);
    }
  }
  if (problems.length > 0) throw new TokenizerError(problems.join('; '));
}
