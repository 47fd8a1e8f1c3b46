/**
 * Masked-language-model corruption (BERT, Devlin et al. 2019, §3.1): each eligible position is selected
 * with probability `rate`; a selected position is replaced by `[MASK]` with probability 0.8, by a random
 * token with probability 0.1, and kept with probability 0.1. Labels hold the original id at selected
 * positions and −100 elsewhere (the ignore index of cross-entropy).
 */
import { mixSeed, SeededRandom, toUniform, type RandomSource } from './seeded.js';

/** Label value of positions that are not predicted. */
export const IGNORE_INDEX = -100;

/** Options of {@link maskTokens}. */
export interface MaskOptions {
  /** Id of `[MASK]`. */
  maskId: number;
  /** Vocabulary size; random replacements are drawn uniformly from `[0, vocabSize)` minus the special ids. */
  vocabSize: number;
  /** Ids never selected nor drawn as replacements (`[CLS]`, `[SEP]`, `[PAD]`, `[MASK]`, `[UNK]`, …). */
  specialIds: ArrayLike<number>;
  /** Per-position selection probability (default 0.15). */
  rate?: number;
  /** Probabilities of [mask, random, keep] for a selected position (default [0.8, 0.1, 0.1]; must sum to 1). */
  replace?: readonly [number, number, number];
  /** Seed or uniform [0, 1) generator. */
  rng: RandomSource;
  /** Positions where this is 0 (padding) are never selected; `[B*T]` like `ids`. */
  attentionMask?: ArrayLike<number>;
}

/** Corrupted inputs and their MLM labels. */
export interface MaskedTokens {
  /** `Int32Array [n]`: ids with the selected positions replaced. */
  inputIds: Int32Array;
  /** `Int32Array [n]`: the original id at selected positions, {@link IGNORE_INDEX} elsewhere. */
  labels: Int32Array;
}

function specialTable(specialIds: ArrayLike<number>, vocabSize: number): Uint8Array {
  let size = vocabSize;
  for (let i = 0; i < specialIds.length; i++) size = Math.max(size, specialIds[i] + 1);
  const t = new Uint8Array(size);
  for (let i = 0; i < specialIds.length; i++) {
    const s = specialIds[i];
    if (!Number.isInteger(s) || s < 0) throw new RangeError(`mask: special id ${s} is not a non-negative integer`);
    t[s] = 1;
  }
  return t;
}

/** Draws uniform non-special ids by rejection (special ids are a handful of a large vocabulary). */
function nonSpecialSampler(special: Uint8Array, vocabSize: number, u: () => number): () => number {
  let allowed = 0;
  for (let i = 0; i < vocabSize; i++) if (special[i] === 0) allowed++;
  if (allowed === 0) throw new RangeError(`maskTokens: every id in [0, ${vocabSize}) is special; nothing to sample`);
  if (allowed * 4 >= vocabSize) {
    return () => {
      for (;;) {
        const id = Math.floor(u() * vocabSize);
        if (special[id] === 0) return id;
      }
    };
  }
  // Mostly special: sample from an explicit list instead of rejecting forever.
  const list = new Int32Array(allowed);
  for (let i = 0, k = 0; i < vocabSize; i++) if (special[i] === 0) list[k++] = i;
  return () => list[Math.floor(u() * allowed)];
}

/**
 * Apply BERT masking to `ids` (any layout, e.g. a flat `[B*T]` batch).
 * Deterministic for a given seed. Special ids and padded positions are never selected.
 * @throws if an id is outside `[0, vocabSize)`, or rates are out of range.
 */
export function maskTokens(ids: ArrayLike<number>, options: MaskOptions): MaskedTokens {
  const rate = options.rate ?? 0.15;
  const [pMask, pRandom, pKeep] = options.replace ?? [0.8, 0.1, 0.1];
  const { maskId, vocabSize } = options;
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`maskTokens: rate must be in [0, 1], got ${rate}`);
  if (!(pMask >= 0 && pRandom >= 0 && pKeep >= 0) || Math.abs(pMask + pRandom + pKeep - 1) > 1e-9) {
    throw new RangeError(`maskTokens: replace must be three non-negative numbers summing to 1, got [${pMask}, ${pRandom}, ${pKeep}]`);
  }
  if (!Number.isInteger(vocabSize) || vocabSize < 1) throw new RangeError(`maskTokens: vocabSize must be a positive integer, got ${vocabSize}`);
  if (!Number.isInteger(maskId) || maskId < 0 || maskId >= vocabSize) {
    throw new RangeError(`maskTokens: maskId ${maskId} is outside the vocabulary [0, ${vocabSize})`);
  }
  const att = options.attentionMask;
  if (att !== undefined && att.length !== ids.length) {
    throw new RangeError(`maskTokens: attentionMask has length ${att.length}, ids have ${ids.length}`);
  }
  const special = specialTable(options.specialIds, vocabSize);
  const u = toUniform(options.rng);
  const sample = pRandom > 0 ? nonSpecialSampler(special, vocabSize, u) : () => 0;
  const n = ids.length;
  const inputIds = new Int32Array(n);
  const labels = new Int32Array(n).fill(IGNORE_INDEX);
  const cutMask = pMask;
  const cutRandom = pMask + pRandom;
  for (let i = 0; i < n; i++) {
    const id = ids[i];
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
      throw new RangeError(`maskTokens: position ${i} holds id ${id}, outside the vocabulary [0, ${vocabSize})`);
    }
    inputIds[i] = id;
    if (special[id] === 1 || (att !== undefined && att[i] === 0)) continue;
    if (u() >= rate) continue;
    labels[i] = id;
    const r = u();
    if (r < cutMask) inputIds[i] = maskId;
    else if (r < cutRandom) inputIds[i] = sample();
    // else: keep the original id (the model must still predict it)
  }
  return { inputIds, labels };
}

/** Options of {@link fixedMasks}. */
export interface FixedMaskOptions {
  maskId: number;
  /** Ids never masked (`[CLS]`, `[SEP]`, `[PAD]`, …). */
  specialIds: ArrayLike<number>;
  /** Fraction of eligible positions masked per block (default 0.15). */
  rate?: number;
}

/** One block with its fixed evaluation mask. */
export interface FixedMaskedBlock {
  /** `Int32Array [T]`: the block with masked positions set to `[MASK]`. */
  inputIds: Int32Array;
  /** `Int32Array [T]`: original ids at masked positions, {@link IGNORE_INDEX} elsewhere. */
  labels: Int32Array;
  /** `Int32Array [k]`: the masked positions, ascending. */
  positions: Int32Array;
}

/**
 * Deterministic evaluation masks for MLM pseudo-perplexity: in each block exactly
 * `max(1, round(rate · eligible))` eligible (non-special) positions are replaced by `[MASK]` (no 80/10/10:
 * every target is hidden). Block `i`'s positions are drawn from `mixSeed(seed, i)` alone, so the masks are
 * identical on every call and for every model being compared (e.g. each λ of an interpolation curve),
 * and do not change when other blocks are added or removed.
 */
export function fixedMasks(blocks: readonly ArrayLike<number>[], seed: number, options: FixedMaskOptions): FixedMaskedBlock[] {
  const rate = options.rate ?? 0.15;
  if (!(rate > 0 && rate <= 1)) throw new RangeError(`fixedMasks: rate must be in (0, 1], got ${rate}`);
  let maxSpecial = 0;
  for (let i = 0; i < options.specialIds.length; i++) maxSpecial = Math.max(maxSpecial, options.specialIds[i] + 1);
  const special = specialTable(options.specialIds, maxSpecial);
  return blocks.map((block, bi) => {
    const T = block.length;
    const inputIds = Int32Array.from(block);
    const labels = new Int32Array(T).fill(IGNORE_INDEX);
    const eligible: number[] = [];
    for (let t = 0; t < T; t++) {
      const id = inputIds[t];
      if (!(id < special.length && special[id] === 1)) eligible.push(t);
    }
    if (eligible.length === 0) return { inputIds, labels, positions: new Int32Array(0) };
    const k = Math.max(1, Math.round(rate * eligible.length));
    // Partial Fisher–Yates: the first k entries become a uniform k-subset.
    const rng = new SeededRandom(mixSeed(seed, bi));
    for (let j = 0; j < k; j++) {
      const r = j + rng.nextInt(eligible.length - j);
      const tmp = eligible[j];
      eligible[j] = eligible[r];
      eligible[r] = tmp;
    }
    const positions = Int32Array.from(eligible.slice(0, k)).sort();
    for (const t of positions) {
      labels[t] = inputIds[t];
      inputIds[t] = options.maskId;
    }
    return { inputIds, labels, positions };
  });
}
