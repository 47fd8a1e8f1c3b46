/**
 * MLM pseudo-perplexity (ALGORITHMS.md "Evaluation"): blocks of 128 tokens, 15% of positions masked
 * with a fixed seed (the same masks for every model and every λ), `PPPL = exp(mean NLL of the masked
 * tokens)`. Also the unigram baseline on the same positions, for the fixture quality bar.
 */
import { type FixedMaskedBlock, fixedMasks } from '@symfuse/data';
import { type EncoderModel, forwardMlmAt } from '@symfuse/models';
import { ValueError, tidy } from '@symfuse/tensor';

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

/**
 * Scores `model` on pre-masked blocks: for each block, the log-probability of the original token at
 * each masked position given the corrupted block.
 */
export function pseudoPerplexity(model: EncoderModel, masked: readonly FixedMaskedBlock[], options: { batchSize?: number } = {}): PseudoPerplexity {
  if (masked.length === 0) throw new ValueError('pseudoPerplexity', 'no blocks to evaluate');
  const batchSize = options.batchSize ?? 16;
  const seqLen = masked[0].inputIds.length;
  let nll = 0;
  let count = 0;
  for (let start = 0; start < masked.length; start += batchSize) {
    const group = masked.slice(start, start + batchSize);
    const ids = new Int32Array(group.length * seqLen);
    const rows: number[] = [];
    const labels: number[] = [];
    group.forEach((m, b) => {
      if (m.inputIds.length !== seqLen) throw new ValueError('pseudoPerplexity', `block ${start + b} has ${m.inputIds.length} tokens; expected ${seqLen}`);
      ids.set(m.inputIds, b * seqLen);
      for (const p of m.positions) {
        rows.push(b * seqLen + p);
        labels.push(m.labels[p]);
      }
    });
    if (rows.length === 0) continue;
    tidy(() => {
      const out = forwardMlmAt(model, { ids, batch: group.length, seqLen }, Int32Array.from(rows));
      const logits = out.logits!.dataSync();
      const v = out.logits!.shape[1];
      for (let r = 0; r < rows.length; r++) {
        const off = r * v;
        let mx = -Infinity;
        for (let j = 0; j < v; j++) if (logits[off + j] > mx) mx = logits[off + j];
        let s = 0;
        for (let j = 0; j < v; j++) s += Math.exp(logits[off + j] - mx);
        nll += mx + Math.log(s) - logits[off + labels[r]];
      }
      count += rows.length;
    });
  }
  const mean = nll / count;
  return { pppl: Math.exp(mean), nll: mean, tokens: count };
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
