/** Shared fixtures of the plugins-regmean tests: random batches and small comparisons. */
import type { EncoderConfig } from '@symfuse/models';
import { createRng, type ModelBatch } from '@symfuse/symmetry';
import type { Tensor } from '@symfuse/tensor';

/**
 * `count` random batches of `batch × seqLen` token ids in `[2, vocab)`; with `padding`, each row
 * but the first has a random number of trailing padding positions (mask 0, id = pad).
 */
export function randomBatches(config: EncoderConfig, seed: number, count: number, batch: number, seqLen: number, padding = true, labels = 0): ModelBatch[] {
  const rng = createRng(seed);
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

/** Largest |a − b| relative to max(1, |a|). */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(a[i])));
  return d;
}

/** Largest relative difference over every parameter of two maps with the same keys. */
export function maxParamDiff(a: ReadonlyMap<string, Tensor>, b: ReadonlyMap<string, Tensor>): { diff: number; name: string } {
  let worst = { diff: 0, name: '' };
  for (const [k, t] of a) {
    const u = b.get(k);
    const d = u ? maxRelDiff(t.dataSync(), u.dataSync()) : Infinity;
    if (d > worst.diff) worst = { diff: d, name: k };
  }
  if (a.size !== b.size) return { diff: Infinity, name: `(${a.size} vs ${b.size} parameters)` };
  return worst;
}
