/**
 * Classification metrics (ALGORITHMS.md "Evaluation"): mean cross-entropy, accuracy and macro-F1 on
 * a held-out split. The pure part ({@link classificationScores}) works on predictions; the model part
 * ({@link evaluateClassifier}) runs the classifier head over padded batches.
 */
import type { ClassificationBatch } from '@symfuse/data';
import { type EncoderConfig, forward } from '@symfuse/models';
import { ValueError, tidy } from '@symfuse/tensor';
import type { Params } from './interpolate.js';

/** Accuracy and F1 of a set of predictions. */
export interface ClassificationScores {
  readonly examples: number;
  /** Fraction of correct predictions. */
  readonly accuracy: number;
  /**
   * Unweighted mean over classes of F1 = 2·TP / (2·TP + FP + FN). A class with no example and no
   * prediction (TP = FP = FN = 0) is left out of the mean, as scikit-learn does with `labels` unset.
   */
  readonly macroF1: number;
  /** Per class F1 (NaN for a class left out). */
  readonly f1: readonly number[];
  /** `confusion[gold][predicted]` counts. */
  readonly confusion: readonly (readonly number[])[];
}

/**
 * Accuracy, per-class F1 and macro-F1.
 * @param predicted predicted class per example; @param gold true class per example (same length).
 * @throws ValueError for different lengths, no examples, or a class outside `[0, classes)`.
 */
export function classificationScores(predicted: ArrayLike<number>, gold: ArrayLike<number>, classes: number): ClassificationScores {
  if (predicted.length !== gold.length) throw new ValueError('classificationScores', `${predicted.length} predictions for ${gold.length} labels`);
  if (gold.length === 0) throw new ValueError('classificationScores', 'no examples');
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let correct = 0;
  for (let i = 0; i < gold.length; i++) {
    const g = gold[i];
    const p = predicted[i];
    if (!(g >= 0 && g < classes && Number.isInteger(g)) || !(p >= 0 && p < classes && Number.isInteger(p))) {
      throw new ValueError('classificationScores', `example ${i} has gold ${g} and prediction ${p}; expected integers in [0, ${classes})`);
    }
    confusion[g][p]++;
    if (g === p) correct++;
  }
  const f1: number[] = [];
  let sum = 0;
  let used = 0;
  for (let c = 0; c < classes; c++) {
    const tp = confusion[c][c];
    let fp = 0;
    let fn = 0;
    for (let o = 0; o < classes; o++) {
      if (o === c) continue;
      fp += confusion[o][c];
      fn += confusion[c][o];
    }
    const denom = 2 * tp + fp + fn;
    if (denom === 0) {
      f1.push(Number.NaN);
      continue;
    }
    const v = (2 * tp) / denom;
    f1.push(v);
    sum += v;
    used++;
  }
  return { examples: gold.length, accuracy: correct / gold.length, macroF1: used ? sum / used : 0, f1, confusion };
}

/** Result of {@link evaluateClassifier}. */
export interface ClassifierEvaluation extends ClassificationScores {
  /** Mean cross-entropy (nats) of the gold labels. */
  readonly loss: number;
}

/**
 * Runs the classifier head of `model` on `batches` and scores it.
 * @param batches padded batches with labels (e.g. `classificationBatch` of a held-out split).
 */
export function evaluateClassifier(model: { readonly config: unknown; readonly params: Params }, batches: readonly ClassificationBatch[]): ClassifierEvaluation {
  if (batches.length === 0) throw new ValueError('evaluateClassifier', 'no batches to evaluate');
  const config = model.config as EncoderConfig;
  const predicted: number[] = [];
  const gold: number[] = [];
  let nll = 0;
  let classes = 0;
  for (const b of batches) {
    tidy(() => {
      const out = forward({ config, params: new Map(model.params), head: 'classifier' }, { ids: b.ids, mask: b.mask, batch: b.batch, seqLen: b.seqLen });
      const logits = out.logits!.dataSync();
      const c = out.logits!.shape[1];
      classes = c;
      for (let r = 0; r < b.batch; r++) {
        const off = r * c;
        let mx = -Infinity;
        let arg = 0;
        for (let j = 0; j < c; j++) {
          if (logits[off + j] > mx) {
            mx = logits[off + j];
            arg = j;
          }
        }
        let s = 0;
        for (let j = 0; j < c; j++) s += Math.exp(logits[off + j] - mx);
        const label = b.labels[r];
        if (!(label >= 0 && label < c)) throw new ValueError('evaluateClassifier', `label ${label} of row ${r} is outside the model's ${c} classes`);
        nll += mx + Math.log(s) - logits[off + label];
        predicted.push(arg);
        gold.push(label);
      }
    });
  }
  return { ...classificationScores(predicted, gold, classes), loss: nll / gold.length };
}
