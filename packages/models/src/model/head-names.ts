/**
 * Parameter names of the task heads (exactly Hugging Face's), kept apart from `names.ts` so that
 * head resolution can use them without an import cycle.
 */
import type { EncoderModelType } from './types.js';

/** `{base}.weight` / `{base}.bias`. */
export const wb = (base: string) => ({ weight: `${base}.weight`, bias: `${base}.bias` });

/**
 * Names of the MLM head. `decoderWeight` is tied to the word embeddings and is never stored in a
 * {@link ParamMap}; it is listed so taps and loaders can name it.
 */
export function mlmHeadNames(modelType: EncoderModelType) {
  if (modelType === 'bert') {
    return {
      dense: wb('cls.predictions.transform.dense'),
      ln: wb('cls.predictions.transform.LayerNorm'),
      decoderWeight: 'cls.predictions.decoder.weight',
      decoderBiasAlias: 'cls.predictions.decoder.bias',
      bias: 'cls.predictions.bias',
    } as const;
  }
  return {
    dense: wb('lm_head.dense'),
    ln: wb('lm_head.layer_norm'),
    decoderWeight: 'lm_head.decoder.weight',
    decoderBiasAlias: 'lm_head.decoder.bias',
    bias: 'lm_head.bias',
  } as const;
}

/**
 * Names of the sequence-classification head: `first` acts on the first token's hidden state
 * (BERT's pooler, RoBERTa's `classifier.dense`), then tanh, then `out` gives the logits.
 */
export function classifierHeadNames(modelType: EncoderModelType) {
  if (modelType === 'bert') return { first: wb('bert.pooler.dense'), out: wb('classifier') } as const;
  return { first: wb('classifier.dense'), out: wb('classifier.out_proj') } as const;
}

