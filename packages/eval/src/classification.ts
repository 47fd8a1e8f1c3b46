/**
 * Classification metrics (ALGORITHMS.md "Evaluation"): mean cross-entropy, accuracy and macro-F1 on
 * a held-out split. The pure part ({@link classificationScores}) works on predictions; the model part
 * ({@link evaluateClassifier}, or {@link evaluateClassifierAsync} on any backend) runs the classifier
 * head over padded batches.
 */
import type { ClassificationBatch } from '@symfuse/data';
import { type EncoderConfig, forward } from '@symfuse/models';
import { type Tensor, ValueError, tidy } from '@symfuse/tensor';
import { deviceBackendOf, readHost } from './host-read.js';
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

type ClassifierModel = { readonly config: unknown; readonly params: Params };

/** Running sums over the scored rows. */
interface ClassifierTally {
  readonly predicted: number[];
  readonly gold: number[];
  nll: number;
  classes: number;
}

/** Classifier logits `[B, C]` of one batch (every other tensor of the pass is freed). */
function batchLogits(model: ClassifierModel, b: ClassificationBatch): Tensor {
  return tidy(() => forward({ config: model.config as EncoderConfig, params: new Map(model.params), head: 'classifier' }, { ids: b.ids, mask: b.mask, batch: b.batch, seqLen: b.seqLen }).logits!);
}

/** Adds the rows of one batch's `[B, c]` logits: arg-max prediction and `−log softmax[label]` in f64. */
function tallyBatch(t: ClassifierTally, logits: ArrayLike<number>, c: number, b: ClassificationBatch): void {
  t.classes = c;
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
    t.nll += mx + Math.log(s) - logits[off + label];
    t.predicted.push(arg);
    t.gold.push(label);
  }
}

function finish(t: ClassifierTally): ClassifierEvaluation {
  return { ...classificationScores(t.predicted, t.gold, t.classes), loss: t.nll / t.gold.length };
}

/**
 * Runs the classifier head of `model` on `batches` and scores it. Synchronous: the parameters must
 * live on a host backend (the CPU); use {@link evaluateClassifierAsync} for a device backend.
 * @param batches padded batches with labels (e.g. `classificationBatch` of a held-out split).
 * @throws ValueError for no batches, a label outside the classes, or parameters on a device backend.
 */
export function evaluateClassifier(model: ClassifierModel, batches: readonly ClassificationBatch[]): ClassifierEvaluation {
  if (batches.length === 0) throw new ValueError('evaluateClassifier', 'no batches to evaluate');
  const device = deviceBackendOf(model.params);
  if (device) throw new ValueError('evaluateClassifier', `the parameters live on backend '${device}', which cannot be read synchronously; use 'await evaluateClassifierAsync(…)'`);
  const t: ClassifierTally = { predicted: [], gold: [], nll: 0, classes: 0 };
  for (const b of batches) {
    const logits = batchLogits(model, b);
    try {
      tallyBatch(t, logits.dataSync(), logits.shape[1], b);
    } finally {
      logits.dispose();
    }
  }
  return finish(t);
}

/**
 * {@link evaluateClassifier} on any backend: each batch's logits are read back with one `await`
 * (the forward pass runs on the parameters' backend, e.g. WebGPU; the scores are taken on the host).
 */
export async function evaluateClassifierAsync(model: ClassifierModel, batches: readonly ClassificationBatch[]): Promise<ClassifierEvaluation> {
  if (batches.length === 0) throw new ValueError('evaluateClassifier', 'no batches to evaluate');
  const t: ClassifierTally = { predicted: [], gold: [], nll: 0, classes: 0 };
  for (const b of batches) {
    const logits = batchLogits(model, b);
    try {
      tallyBatch(t, await readHost(logits), logits.shape[1], b);
    } finally {
      logits.dispose();
    }
  }
  return finish(t);
}
