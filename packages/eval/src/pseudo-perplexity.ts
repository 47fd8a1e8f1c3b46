/**
 * MLM pseudo-perplexity (ALGORITHMS.md "Evaluation"): blocks of 128 tokens, 15% of positions masked
 * with a fixed seed (the same masks for every model and every λ), `PPPL = exp(mean NLL of the masked
 * tokens)`. Also the unigram baseline on the same positions, for the fixture quality bar.
 *
 * Two entry points share the batching and the scoring: {@link pseudoPerplexity} reads the logits
 * synchronously (parameters on the CPU), {@link pseudoPerplexityAsync} reads them once per batch with
 * an `await` and so also runs on a device backend (WebGPU).
 */
import { type FixedMaskedBlock, fixedMasks } from '@symfuse/data';
import { type EncoderModel, forwardMlmAt } from '@symfuse/models';
import { type Tensor, ValueError, tidy } from '@symfuse/tensor';
import { deviceBackendOf, readHost } from './host-read.js';

/** Result of {@link pseudoPerplexity}. */
export interface PseudoPerplexity {
  /** exp(mean NLL). */
  readonly pppl: number;
  /** Mean negative log-likelihood (nats) of the masked tokens. */
  readonly nll: number;
  /** Number of masked tokens scored. */
  readonly tokens: number;
}

/** The fixed evaluation masks of `blocks` (15% of non-special positions, seeded per block). */
export function mlmEvalMasks(blocks: readonly Int32Array[], seed: number, tokens: { maskId: number; specialIds: readonly number[] }): FixedMaskedBlock[] {
  return fixedMasks(blocks, seed, { maskId: tokens.maskId, specialIds: tokens.specialIds, rate: 0.15 });
}

/** One forward pass worth of masked blocks: ids `[batch·seqLen]`, the flat masked rows and their gold ids. */
interface MlmBatch {
  readonly ids: Int32Array;
  readonly batch: number;
  readonly seqLen: number;
  readonly rows: Int32Array;
  readonly labels: Int32Array;
}

/** Groups the blocks into batches of `batchSize` (blocks without a masked position add nothing). */
function* mlmBatches(masked: readonly FixedMaskedBlock[], batchSize: number): Generator<MlmBatch> {
  if (masked.length === 0) throw new ValueError('pseudoPerplexity', 'no blocks to evaluate');
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ValueError('pseudoPerplexity', `batchSize = ${batchSize}; expected a positive integer`);
  const seqLen = masked[0].inputIds.length;
  for (let start = 0; start < masked.length; start += batchSize) {
    const group = masked.slice(start, start + batchSize);
    const ids = new Int32Array(group.length * seqLen);
    let n = 0;
    group.forEach((m, b) => {
      if (m.inputIds.length !== seqLen) throw new ValueError('pseudoPerplexity', `block ${start + b} has ${m.inputIds.length} tokens; expected ${seqLen}`);
      ids.set(m.inputIds, b * seqLen);
      n += m.positions.length;
    });
    if (n === 0) continue;
    const rows = new Int32Array(n);
    const labels = new Int32Array(n);
    let r = 0;
    group.forEach((m, b) => {
      for (const p of m.positions) {
        rows[r] = b * seqLen + p;
        labels[r++] = m.labels[p];
      }
    });
    yield { ids, batch: group.length, seqLen, rows, labels };
  }
}

/** Logits `[rows, V]` at the batch's masked rows (every other tensor of the pass is freed). */
function maskedLogits(model: EncoderModel, b: MlmBatch): Tensor {
  return tidy(() => forwardMlmAt(model, { ids: b.ids, batch: b.batch, seqLen: b.seqLen }, b.rows).logits!);
}

/** `Σ_r −log softmax(logits_r)[labels_r]` over `[rows, v]` row-major logits, stable in f64. */
function sumNll(logits: ArrayLike<number>, v: number, labels: Int32Array): number {
  let nll = 0;
  for (let r = 0; r < labels.length; r++) {
    const off = r * v;
    let mx = -Infinity;
    for (let j = 0; j < v; j++) if (logits[off + j] > mx) mx = logits[off + j];
    let s = 0;
    for (let j = 0; j < v; j++) s += Math.exp(logits[off + j] - mx);
    nll += mx + Math.log(s) - logits[off + labels[r]];
  }
  return nll;
}

function result(nll: number, count: number): PseudoPerplexity {
  const mean = nll / count;
  return { pppl: Math.exp(mean), nll: mean, tokens: count };
}

/**
 * Scores `model` on pre-masked blocks: for each block, the log-probability of the original token at
 * each masked position given the corrupted block. Synchronous: the parameters must live on a host
 * backend (the CPU); use {@link pseudoPerplexityAsync} for a device backend.
 * @throws ValueError for no blocks, blocks of different lengths, or parameters on a device backend.
 */
export function pseudoPerplexity(model: EncoderModel, masked: readonly FixedMaskedBlock[], options: { batchSize?: number } = {}): PseudoPerplexity {
  const device = deviceBackendOf(model.params);
  if (device) throw new ValueError('pseudoPerplexity', `the parameters live on backend '${device}', which cannot be read synchronously; use 'await pseudoPerplexityAsync(…)'`);
  let nll = 0;
  let count = 0;
  for (const b of mlmBatches(masked, options.batchSize ?? 16)) {
    const logits = maskedLogits(model, b);
    try {
      nll += sumNll(logits.dataSync(), logits.shape[1], b.labels);
    } finally {
      logits.dispose();
    }
    count += b.rows.length;
  }
  return result(nll, count);
}

/**
 * {@link pseudoPerplexity} on any backend: the logits of each batch are read back with one `await`
 * (a device such as WebGPU computes the forward pass; the log-softmax of the masked rows is taken on
 * the host in f64, as on the CPU), so the numbers agree with the CPU's up to the device's f32 rounding.
 */
export async function pseudoPerplexityAsync(model: EncoderModel, masked: readonly FixedMaskedBlock[], options: { batchSize?: number } = {}): Promise<PseudoPerplexity> {
  let nll = 0;
  let count = 0;
  for (const b of mlmBatches(masked, options.batchSize ?? 16)) {
    const logits = maskedLogits(model, b);
    try {
      nll += sumNll(await readHost(logits), logits.shape[1], b.labels);
    } finally {
      logits.dispose();
    }
    count += b.rows.length;
  }
  return result(nll, count);
}

/**
 * Perplexity of an add-one-smoothed unigram model (counts from `trainBlocks`, special ids excluded)
 * on the masked positions of `masked`: the baseline a useful MLM must beat by far.
 */
export function unigramPerplexity(trainBlocks: readonly Int32Array[], masked: readonly FixedMaskedBlock[], vocabSize: number): PseudoPerplexity {
  const counts = new Float64Array(vocabSize).fill(1);
  let total = vocabSize;
  for (const b of trainBlocks) for (const id of b) {
    counts[id]++;
    total++;
  }
  let nll = 0;
  let n = 0;
  for (const m of masked) for (const p of m.positions) {
    nll -= Math.log(counts[m.labels[p]] / total);
    n++;
  }
  return { pppl: Math.exp(nll / n), nll: nll / n, tokens: n };
}
