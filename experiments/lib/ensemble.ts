/**
 * The ensemble baseline of the RegMean paper: the classifiers' logits averaged before the argmax,
 * scored like a model (cross-entropy of the averaged logits' softmax, accuracy, macro-F1).
 */
import type { ClassificationBatch } from '@symfuse/data';
import { classificationScores } from '@symfuse/eval';
import { type EncoderConfig, forward } from '@symfuse/models';
import type { ModelWeights } from '@symfuse/symmetry';
import { tidy } from '@symfuse/tensor';
import type { Score } from './runs.js';

/** Scores the logit-averaging ensemble of `models` on `batches`. */
export function ensembleScore(models: readonly ModelWeights[], batches: readonly ClassificationBatch[]): Score {
  const predicted: number[] = [];
  const gold: number[] = [];
  let nll = 0;
  let classes = 0;
  for (const b of batches) {
    let sum: Float64Array | undefined;
    for (const m of models) {
      tidy(() => {
        const out = forward({ config: m.config as EncoderConfig, params: new Map(m.params), head: 'classifier' }, { ids: b.ids, mask: b.mask, batch: b.batch, seqLen: b.seqLen });
        const logits = out.logits!.dataSync();
        classes = out.logits!.shape[1];
        sum ??= new Float64Array(logits.length);
        for (let i = 0; i < logits.length; i++) sum[i] += logits[i] / models.length;
      });
    }
    for (let r = 0; r < b.batch; r++) {
      const off = r * classes;
      let mx = -Infinity;
      let arg = 0;
      for (let c = 0; c < classes; c++) {
        if (sum![off + c] > mx) {
          mx = sum![off + c];
          arg = c;
        }
      }
      let z = 0;
      for (let c = 0; c < classes; c++) z += Math.exp(sum![off + c] - mx);
      nll += mx + Math.log(z) - sum![off + b.labels[r]];
      predicted.push(arg);
      gold.push(b.labels[r]);
    }
  }
  const s = classificationScores(predicted, gold, classes);
  return { loss: nll / gold.length, accuracy: s.accuracy, macroF1: s.macroF1, count: gold.length };
}
