import { IGNORE_INDEX, classificationBatch, epochPermutation, maskTokens, mixSeed } from '@symfuse/data';
import { type Tensor, ValueError } from '@symfuse/tensor';
import { forward, forwardMlmAt } from '../model/forward.js';
import type { EncoderConfig } from '../model/types.js';
import { crossEntropy } from './losses.js';
import type { StepLoss } from './train-loop.js';

/** Special token ids the MLM objective needs. */
export interface MlmTokens {
  readonly maskId: number;
  /** Ids never masked nor sampled as replacements ([CLS], [SEP], [PAD], [MASK], [UNK]). */
  readonly specialIds: readonly number[];
}

/**
 * The masked-LM objective over fixed-length blocks (each `[CLS] … [SEP]`, all the same length):
 * step s takes the next `batchSize` blocks of a seeded per-epoch shuffle, masks 15% of positions
 * with BERT's 80/10/10 rule (seeded by step), and returns the mean cross-entropy of the original
 * tokens at the selected positions. Deterministic in (seed, step), so resuming is exact.
 */
export function mlmObjective(
  config: EncoderConfig,
  blocks: readonly Int32Array[],
  tokens: MlmTokens,
  options: { batchSize: number; seed: number; rate?: number },
): (params: ReadonlyMap<string, Tensor>, step: number) => StepLoss {
  if (blocks.length < options.batchSize) throw new ValueError('mlmObjective', `${blocks.length} blocks; need at least batchSize=${options.batchSize}`);
  const seqLen = blocks[0].length;
  const perEpoch = Math.floor(blocks.length / options.batchSize);
  let cachedEpoch = -1;
  let order: Uint32Array = new Uint32Array(0);
  return (params, step) => {
    const epoch = Math.floor((step - 1) / perEpoch);
    if (epoch !== cachedEpoch) {
      order = epochPermutation(blocks.length, options.seed, epoch);
      cachedEpoch = epoch;
    }
    const first = ((step - 1) % perEpoch) * options.batchSize;
    const ids = new Int32Array(options.batchSize * seqLen);
    for (let b = 0; b < options.batchSize; b++) ids.set(blocks[order[first + b]], b * seqLen);
    const masked = maskTokens(ids, {
      maskId: tokens.maskId,
      vocabSize: config.vocabSize,
      specialIds: tokens.specialIds,
      rate: options.rate ?? 0.15,
      rng: mixSeed(options.seed, 0x6d6c6d, step),
    });
    const rows: number[] = [];
    const labels: number[] = [];
    masked.labels.forEach((l, i) => {
      if (l !== IGNORE_INDEX) {
        rows.push(i);
        labels.push(l);
      }
    });
    if (rows.length === 0) {
      rows.push(1);
      labels.push(ids[1]);
    }
    const out = forwardMlmAt({ config, params: new Map(params) }, { ids: masked.inputIds, batch: options.batchSize, seqLen }, Int32Array.from(rows));
    return { loss: crossEntropy(out.logits!, Int32Array.from(labels)), tokens: ids.length };
  };
}

/**
 * The sequence-classification objective: step s takes the next `batchSize` examples of a seeded
 * per-epoch shuffle, encodes and pads them, and returns the mean cross-entropy of the labels.
 */
export function classificationObjective(
  config: EncoderConfig,
  examples: readonly { readonly text: string; readonly label: number }[],
  encode: (text: string) => ArrayLike<number>,
  special: { cls: number; sep: number; pad: number },
  options: { batchSize: number; seed: number; maxLength: number },
): (params: ReadonlyMap<string, Tensor>, step: number) => StepLoss {
  if (examples.length < options.batchSize) throw new ValueError('classificationObjective', `${examples.length} examples; need at least batchSize=${options.batchSize}`);
  const perEpoch = Math.floor(examples.length / options.batchSize);
  const encoded = new Map<string, ArrayLike<number>>();
  const cachedEncode = (text: string): ArrayLike<number> => {
    let e = encoded.get(text);
    if (!e) encoded.set(text, (e = encode(text)));
    return e;
  };
  let cachedEpoch = -1;
  let order: Uint32Array = new Uint32Array(0);
  return (params, step) => {
    const epoch = Math.floor((step - 1) / perEpoch);
    if (epoch !== cachedEpoch) {
      order = epochPermutation(examples.length, options.seed, epoch);
      cachedEpoch = epoch;
    }
    const first = ((step - 1) % perEpoch) * options.batchSize;
    const idx = Array.from({ length: options.batchSize }, (_, b) => order[first + b]);
    const batch = classificationBatch(idx.map((i) => examples[i]), cachedEncode, { ...special, maxLength: options.maxLength });
    const out = forward({ config, params: new Map(params), head: 'classifier' }, batch);
    let tokens = 0;
    for (let i = 0; i < batch.mask.length; i++) tokens += batch.mask[i];
    return { loss: crossEntropy(out.logits!, batch.labels), tokens };
  };
}
