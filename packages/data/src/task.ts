/**
 * Labelled classification tasks: examples `{ text, label, domain }`, deterministic stratified
 * train / validation / test splits, optional majority-class down-sampling, and class counts.
 */
import { hashString, mixSeed, SeededRandom } from './seeded.js';
import { permutation, shuffleInPlace } from './shuffle.js';

/** Names of the three task splits. */
export const TASK_SPLITS = ['train', 'validation', 'test'] as const;

/** A task split name. */
export type TaskSplitName = (typeof TASK_SPLITS)[number];

/** One labelled example. */
export interface TaskExample {
  readonly text: string;
  /** Index into the task's `labels`. */
  readonly label: number;
  /** The domain it belongs to (an era of `party`, a collection set of `spam`, a user-given name). */
  readonly domain: string;
}

/** Per domain, per split, the number of examples of each label (`counts[domain][split][label]`). */
export type ClassCounts = Record<string, Record<TaskSplitName, number[]>>;

/** A labelled task with its fixed splits. */
export interface LabelledTask {
  /** Canonical name, e.g. `party:1853-1900`, `spam:easy-ham-1+spam-1`, `jsonl:data/reviews.jsonl`. */
  readonly name: string;
  /** Label names; example labels index this list. */
  readonly labels: readonly string[];
  /** Domains in a fixed order. */
  readonly domains: readonly string[];
  readonly train: readonly TaskExample[];
  readonly validation: readonly TaskExample[];
  readonly test: readonly TaskExample[];
  /** Class counts per domain and split. */
  readonly counts: ClassCounts;
  /** Examples dropped because the same text already occurred in the same domain. */
  readonly duplicatesDropped: number;
}

/** The seed every packaged task splits with unless told otherwise. Changing it changes every split. */
export const DEFAULT_SPLIT_SEED = 20240607;

/**
 * Majority-class cap the packaged tasks (`party`, `spam`) apply by default: within a domain no class has
 * more than 1.5 × the examples of the smallest one, so the majority baseline stays ≤ 60 % and accuracy
 * means something. Pass `maxImbalance: Infinity` to keep every example.
 */
export const PACKAGED_MAX_IMBALANCE = 1.5;

/** Options of {@link makeTask}. */
export interface TaskOptions {
  /** Seed of the split and down-sampling shuffles (default {@link DEFAULT_SPLIT_SEED}). */
  seed?: number;
  /** Fractions of [train, validation, test]; default [0.8, 0.1, 0.1]. Must sum to 1. */
  fractions?: readonly [number, number, number];
  /**
   * Within each domain, down-sample every class to at most `maxImbalance` × the size of the smallest
   * non-empty class (seeded, before splitting). Default: no down-sampling. A domain with a single class
   * (e.g. `hard-ham-1`) is left alone.
   */
  maxImbalance?: number;
  /**
   * Pre-assigned splits, parallel to `examples` (e.g. a JSONL `split` field). Examples with a split here
   * keep it; the rest are split by the fractions.
   */
  presetSplits?: readonly (TaskSplitName | undefined)[];
  /**
   * Keep only the first example of each (domain, text) (default true), so no text can be in two splits of
   * a domain (SOTU repeats boiler-plate paragraphs across years; mail corpora repeat messages).
   */
  dedupe?: boolean;
}

function checkFractions(f: readonly number[]): void {
  const sum = f[0] + f[1] + f[2];
  if (f.length !== 3 || f.some((x) => !(x >= 0)) || Math.abs(sum - 1) > 1e-9) {
    throw new RangeError(`makeTask: fractions must be three non-negative numbers summing to 1, got [${f.join(', ')}]`);
  }
}

/** Count labels per domain and split. */
export function classCounts(
  labels: readonly string[],
  domains: readonly string[],
  splits: Readonly<Record<TaskSplitName, readonly TaskExample[]>>,
): ClassCounts {
  const out: ClassCounts = {};
  for (const d of domains) {
    out[d] = { train: labels.map(() => 0), validation: labels.map(() => 0), test: labels.map(() => 0) };
  }
  for (const s of TASK_SPLITS) {
    for (const e of splits[s]) out[e.domain][s][e.label]++;
  }
  return out;
}

/**
 * Build a task from examples: validate labels and domains, drop repeated (domain, text) pairs, optionally
 * down-sample majority classes,
 * then split each (domain, label) group by a seeded shuffle into train / validation / test with sizes
 * `round(n·f_val)`, `round(n·f_test)` and the rest for train (stratified, so every split keeps each
 * domain's class balance). Each split is finally shuffled (seeded) so domains and classes interleave.
 * Deterministic in (examples in order, options).
 */
export function makeTask(
  name: string,
  labels: readonly string[],
  domains: readonly string[],
  examples: readonly TaskExample[],
  options: TaskOptions = {},
): LabelledTask {
  const seed = options.seed ?? DEFAULT_SPLIT_SEED;
  const fractions = options.fractions ?? [0.8, 0.1, 0.1];
  checkFractions(fractions);
  const domainIndex = new Map(domains.map((d, i) => [d, i]));
  // Group example indices by (domain, label).
  const groups: number[][][] = domains.map(() => labels.map(() => []));
  const preset: Record<TaskSplitName, TaskExample[]> = { train: [], validation: [], test: [] };
  const seen = domains.map(() => new Set<string>());
  let duplicatesDropped = 0;
  examples.forEach((e, i) => {
    const di = domainIndex.get(e.domain);
    if (di === undefined) {
      throw new Error(`makeTask(${name}): example ${i} has domain "${e.domain}", expected one of: ${domains.join(', ')}`);
    }
    if (!Number.isInteger(e.label) || e.label < 0 || e.label >= labels.length) {
      throw new Error(`makeTask(${name}): example ${i} has label ${e.label}, expected an integer in [0, ${labels.length})`);
    }
    if (options.dedupe !== false) {
      if (seen[di].has(e.text)) {
        duplicatesDropped++;
        return;
      }
      seen[di].add(e.text);
    }
    const p = options.presetSplits?.[i];
    if (p !== undefined) preset[p].push(e);
    else groups[di][e.label].push(i);
  });

  if (options.maxImbalance !== undefined) {
    if (!(options.maxImbalance >= 1)) {
      throw new RangeError(`makeTask(${name}): maxImbalance must be ≥ 1, got ${options.maxImbalance}`);
    }
    groups.forEach((byLabel, di) => {
      const sizes = byLabel.map((g) => g.length).filter((n) => n > 0);
      if (sizes.length < 2) return;
      const cap = Math.floor(Math.min(...sizes) * options.maxImbalance!);
      byLabel.forEach((g, li) => {
        if (g.length <= cap) return;
        // Keep a seeded random subset, in original order (so the later split shuffle alone decides order).
        const perm = permutation(g.length, new SeededRandom(mixSeed(seed, 0xba1a, hashString(domains[di]), li)).asFunction());
        const keep = Array.from(perm.subarray(0, cap)).sort((a, b) => a - b);
        byLabel[li] = keep.map((k) => g[k]);
      });
    });
  }

  const out: Record<TaskSplitName, TaskExample[]> = { train: [], validation: [], test: [] };
  groups.forEach((byLabel, di) => {
    byLabel.forEach((g, li) => {
      const n = g.length;
      const nVal = Math.round(n * fractions[1]);
      const nTest = Math.min(n - nVal, Math.round(n * fractions[2]));
      const perm = permutation(n, new SeededRandom(mixSeed(seed, hashString(domains[di]), li)).asFunction());
      for (let k = 0; k < n; k++) {
        const e = examples[g[perm[k]]];
        if (k < nTest) out.test.push(e);
        else if (k < nTest + nVal) out.validation.push(e);
        else out.train.push(e);
      }
    });
  });
  TASK_SPLITS.forEach((s, si) => {
    out[s].push(...preset[s]);
    shuffleInPlace(out[s], new SeededRandom(mixSeed(seed, 0x5b1, si)).asFunction());
    Object.freeze(out[s]);
  });
  return {
    name,
    labels: Object.freeze(labels.slice()),
    domains: Object.freeze(domains.slice()),
    train: out.train,
    validation: out.validation,
    test: out.test,
    counts: classCounts(labels, domains, out),
    duplicatesDropped,
  };
}

/** The examples of `split` that belong to `domain` (order kept). */
export function domainExamples(task: LabelledTask, split: TaskSplitName, domain: string): TaskExample[] {
  if (!task.domains.includes(domain)) {
    throw new Error(`domainExamples(${task.name}): unknown domain "${domain}"; known: ${task.domains.join(', ')}`);
  }
  return task[split].filter((e) => e.domain === domain);
}
