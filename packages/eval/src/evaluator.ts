/**
 * Evaluators: one loss (and its companion metrics) of a model on a fixed held-out sample, the same for
 * every model compared (endpoints, every λ of a curve, the merged model). Asynchronous so that they
 * run on whatever backend the parameters live on (the CPU, or a device such as WebGPU whose results
 * are read back once per batch).
 */
import type { ClassificationBatch, FixedMaskedBlock } from '@symfuse/data';
import type { EncoderConfig } from '@symfuse/models';
import { evaluateClassifierAsync } from './classification.js';
import type { Params } from './interpolate.js';
import { pseudoPerplexityAsync } from './pseudo-perplexity.js';

/** A model as evaluators see it. */
export interface EvalModel {
  readonly config: unknown;
  readonly params: Params;
}

/** What an evaluator measures on one model. */
export interface EvalScore {
  /** The loss of the barrier: mean NLL of masked tokens (MLM) or mean cross-entropy (classification). */
  readonly loss: number;
  /** MLM: `exp(loss)`. */
  readonly pppl?: number;
  readonly accuracy?: number;
  readonly macroF1?: number;
  /** Masked tokens (MLM) or examples (classification) scored. */
  readonly count: number;
}

/** Scores models on a fixed sample. */
export interface Evaluator {
  readonly kind: 'mlm' | 'classification';
  /** E.g. `sotu held-out: 24 blocks × 128 tokens, 15% masked (seed 1234)`. */
  readonly description: string;
  /** Scores `model` on the evaluator's sample, on the backend its parameters live on. */
  evaluate(model: EvalModel): Promise<EvalScore>;
}

/** MLM pseudo-perplexity on fixed masked blocks (see `mlmEvalMasks`). */
export function mlmEvaluator(masked: readonly FixedMaskedBlock[], description: string, options: { batchSize?: number } = {}): Evaluator {
  return {
    kind: 'mlm',
    description,
    async evaluate(model) {
      const r = await pseudoPerplexityAsync({ config: model.config as EncoderConfig, params: new Map(model.params), head: 'mlm' }, masked, options);
      return { loss: r.nll, pppl: r.pppl, count: r.tokens };
    },
  };
}

/** Cross-entropy, accuracy and macro-F1 of the classifier head on labelled batches. */
export function classificationEvaluator(batches: readonly ClassificationBatch[], description: string): Evaluator {
  return {
    kind: 'classification',
    description,
    async evaluate(model) {
      const r = await evaluateClassifierAsync(model, batches);
      return { loss: r.loss, accuracy: r.accuracy, macroF1: r.macroF1, count: r.examples };
    },
  };
}
