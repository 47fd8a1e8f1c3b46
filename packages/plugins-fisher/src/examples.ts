/**
 * Splitting batches into examples (a batch of one sequence each, trailing padding trimmed so no work
 * is spent on it; positions of real tokens are unchanged) and the seeded choice of MLM positions.
 */
import type { EncoderBatch } from '@symfuse/models';
import type { ModelBatch } from '@symfuse/symmetry';
import type { Rng } from '@symfuse/tensor';

/** One example: a batch of one sequence, its label (classification) and where it came from. */
export interface Example {
  readonly batch: EncoderBatch & { readonly ids: Int32Array; readonly mask: Int32Array };
  readonly label?: number;
  /** Index of the example in the whole stream (stable under sharding). */
  readonly index: number;
}

/**
 * The examples of `batch`, the first numbered `firstIndex`. A sequence without real tokens is skipped.
 * @throws Error when the batch's arrays do not have `batch · seqLen` entries.
 */
export function splitExamples(batch: ModelBatch, firstIndex: number, where: string): Example[] {
  const { seqLen } = batch;
  const size = batch.batch * seqLen;
  if (batch.ids.length !== size || (batch.mask && batch.mask.length !== size)) {
    throw new Error(`${where}: ids has ${batch.ids.length} and mask ${batch.mask?.length ?? 'no'} entries; expected batch·seqLen = ${batch.batch}·${seqLen} = ${size}`);
  }
  const out: Example[] = [];
  for (let b = 0; b < batch.batch; b++) {
    const o = b * seqLen;
    let len = seqLen;
    if (batch.mask) while (len > 0 && batch.mask[o + len - 1] === 0) len--;
    if (len === 0) continue;
    const mask = batch.mask ? batch.mask.slice(o, o + len) : new Int32Array(len).fill(1);
    out.push({
      batch: { ids: batch.ids.slice(o, o + len), mask, ...(batch.typeIds ? { typeIds: batch.typeIds.slice(o, o + len) } : {}), batch: 1, seqLen: len },
      ...(batch.labels ? { label: batch.labels[b] } : {}),
      index: firstIndex + b,
    });
  }
  return out;
}

/**
 * The positions to mask in an example: each real, non-special position with probability `rate`; at
 * least one (drawn uniformly among the eligible ones) when any is eligible.
 * @returns positions in increasing order (empty when no position is eligible).
 */
export function choosePositions(ex: Example, rate: number, special: ReadonlySet<number>, rng: Rng): number[] {
  const eligible: number[] = [];
  const { ids, mask } = ex.batch;
  for (let t = 0; t < ids.length; t++) if (mask[t] !== 0 && !special.has(ids[t])) eligible.push(t);
  if (eligible.length === 0) return [];
  const chosen = eligible.filter(() => rng.uniform() < rate);
  if (chosen.length === 0) chosen.push(eligible[Math.min(eligible.length - 1, Math.floor(rng.uniform() * eligible.length))]);
  return chosen;
}

/** Draws a class from the softmax of `logits[row]` (row-major `[rows, C]`), in f64. */
export function sampleFromLogits(logits: ArrayLike<number>, row: number, classes: number, rng: Rng): number {
  const o = row * classes;
  let max = -Infinity;
  for (let c = 0; c < classes; c++) max = Math.max(max, logits[o + c]);
  let z = 0;
  for (let c = 0; c < classes; c++) z += Math.exp(logits[o + c] - max);
  let u = rng.uniform() * z;
  for (let c = 0; c < classes; c++) {
    u -= Math.exp(logits[o + c] - max);
    if (u < 0) return c;
  }
  return classes - 1;
}

/** Softmax of row `row` of `[rows, C]` logits, in f64. */
export function softmaxRow(logits: ArrayLike<number>, row: number, classes: number): Float64Array {
  const o = row * classes;
  let max = -Infinity;
  for (let c = 0; c < classes; c++) max = Math.max(max, logits[o + c]);
  const p = new Float64Array(classes);
  let z = 0;
  for (let c = 0; c < classes; c++) z += p[c] = Math.exp(logits[o + c] - max);
  for (let c = 0; c < classes; c++) p[c] /= z;
  return p;
}
