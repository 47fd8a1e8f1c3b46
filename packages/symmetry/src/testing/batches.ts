/**
 * Random token batches for collector, merger and pipeline tests (the statistics need real forward
 * passes, but no real text).
 */
import type { EncoderConfig } from '@symfuse/models';
import { Rng } from '@symfuse/tensor';
import type { ModelBatch } from '../interfaces.js';

/**
 * `count` random batches of `batch × seqLen` token ids in `[2, vocab)` (ids 0 and 1 are left to
 * special tokens), deterministic in `seed`. With `padding`, each row but the first has a random
 * number of trailing padding positions (mask 0, id = `config.padTokenId`); with `labels > 0`, each
 * row gets a random class label in `[0, labels)`.
 * @returns batches with `ids`, `mask` `[batch · seqLen]` and optional `labels` `[batch]`.
 */
export function randomBatches(config: EncoderConfig, seed: number, count: number, batch: number, seqLen: number, padding = true, labels = 0): ModelBatch[] {
  const rng = new Rng(seed);
  const out: ModelBatch[] = [];
  for (let j = 0; j < count; j++) {
    const ids = new Int32Array(batch * seqLen);
    const mask = new Int32Array(batch * seqLen).fill(1);
    for (let b = 0; b < batch; b++) {
      const len = padding && b > 0 ? 1 + Math.floor(rng.uniform() * seqLen) : seqLen;
      for (let t = 0; t < seqLen; t++) {
        if (t < len) ids[b * seqLen + t] = 2 + Math.floor(rng.uniform() * (config.vocabSize - 2));
        else {
          ids[b * seqLen + t] = config.padTokenId;
          mask[b * seqLen + t] = 0;
        }
      }
    }
    const lab = labels > 0 ? Int32Array.from({ length: batch }, () => Math.floor(rng.uniform() * labels)) : undefined;
    out.push({ ids, mask, batch, seqLen, ...(lab ? { labels: lab } : {}) });
  }
  return out;
}
