/**
 * Seeded permutations and epoch/batch iterators. Each epoch's order is derived from `(seed, epoch)` alone,
 * so training can resume at any epoch and get exactly the order it would have had.
 */
import { mixSeed, SeededRandom, toUniform, type RandomSource } from './seeded.js';

/**
 * Uniformly random permutation of `0..n-1` (Fisher–Yates).
 * @returns `Uint32Array [n]`
 */
export function permutation(n: number, rng: RandomSource): Uint32Array {
  if (!Number.isInteger(n) || n < 0) {
    throw new RangeError(`permutation: n must be a non-negative integer, got ${n}`);
  }
  const u = toUniform(rng);
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(u() * (i + 1));
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}

/** Shuffle `items` in place (Fisher–Yates) and return it. */
export function shuffleInPlace<T>(items: T[], rng: RandomSource): T[] {
  const u = toUniform(rng);
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(u() * (i + 1));
    const t = items[i];
    items[i] = items[j];
    items[j] = t;
  }
  return items;
}

/** A shuffled copy of `items` (the input is not modified). */
export function shuffled<T>(items: readonly T[], rng: RandomSource): T[] {
  return shuffleInPlace(items.slice(), rng);
}

/**
 * The order of epoch `epoch` for `n` items under `seed`: a permutation that depends only on
 * `(n, seed, epoch)`. @returns `Uint32Array [n]`
 */
export function epochPermutation(n: number, seed: number, epoch: number): Uint32Array {
  return permutation(n, new SeededRandom(mixSeed(seed, epoch)).asFunction());
}

/** Options of {@link batchIndices} and {@link epochBatches}. */
export interface BatchIterOptions {
  /** Seed of the shuffles. */
  seed: number;
  /** Shuffle each epoch (default true); false iterates in index order. */
  shuffle?: boolean;
  /** Drop a final batch smaller than `batchSize` (default false). */
  dropLast?: boolean;
}

/**
 * Batches of indices for one epoch: a seeded permutation of `0..n-1` cut into runs of `batchSize`.
 * Each yielded array is `Uint32Array [≤ batchSize]` (a view of the epoch's permutation: copy it if kept
 * beyond the epoch).
 */
export function* batchIndices(
  n: number,
  batchSize: number,
  epoch: number,
  options: BatchIterOptions,
): Generator<Uint32Array, void, undefined> {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchIndices: batchSize must be a positive integer, got ${batchSize}`);
  }
  let order: Uint32Array;
  if (options.shuffle === false) {
    order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
  } else {
    order = epochPermutation(n, options.seed, epoch);
  }
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    if (end - start < batchSize && options.dropLast) return;
    yield order.subarray(start, end);
  }
}

/** One batch from {@link epochBatches}. */
export interface EpochBatch<T> {
  epoch: number;
  /** Index of this batch within its epoch. */
  step: number;
  /** Item indices into the source array, `Uint32Array [batch]`. */
  indices: Uint32Array;
  items: T[];
}

/**
 * Iterate `epochs` epochs of shuffled batches over `items`, epoch `e` ordered by
 * {@link epochPermutation}`(items.length, seed, e)`. Starts at `startEpoch` (default 0) for resuming.
 */
export function* epochBatches<T>(
  items: readonly T[],
  batchSize: number,
  epochs: number,
  options: BatchIterOptions & { startEpoch?: number },
): Generator<EpochBatch<T>, void, undefined> {
  const first = options.startEpoch ?? 0;
  for (let epoch = first; epoch < first + epochs; epoch++) {
    let step = 0;
    for (const idx of batchIndices(items.length, batchSize, epoch, options)) {
      const batch = new Array<T>(idx.length);
      for (let k = 0; k < idx.length; k++) batch[k] = items[idx[k]];
      yield { epoch, step: step++, indices: idx, items: batch };
    }
  }
}
