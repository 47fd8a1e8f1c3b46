/**
 * Data samples of the experiments, built from the public `@symfuse/data` / `@symfuse/eval` API:
 * - MLM evaluation: held-out `sotu+moby-dick` text packed into blocks, spread evenly over the held-out
 *   set, with fixed 15% masks (the same for every model and λ);
 * - MLM statistics (correlations, Grams, Fisher): blocks from a seeded sample of training documents;
 * - classification: a domain's `test` split (evaluation) or `train` split (statistics), the split of
 *   the task exactly as the fixtures were trained on it (all domains of the task loaded together),
 *   batched by length so that padding stays small.
 * Everything is memoised per process: several experiments in one process share the tokenisation.
 */
import { type ClassificationBatch, classificationBatch, type FixedMaskedBlock, loadCorpus, loadPartyTask, loadSpamTask, type LabelledTask, packBlocks, permutation, SeededRandom, type TaskExample } from '@symfuse/data';
import { classificationEvaluator, type Evaluator, mlmEvalMasks, mlmEvaluator, unigramPerplexity } from '@symfuse/eval';
import type { Tokenizer } from '@symfuse/models';
import type { ModelBatch } from '@symfuse/symmetry';

/** The two classification tasks of the fixtures. */
export type TaskName = 'party' | 'spam';

/** Token ids of the special tokens the samples need. */
interface Specials {
  readonly cls: number;
  readonly sep: number;
  readonly pad: number;
  readonly mask: number;
  readonly all: number[];
}

function specials(tok: Tokenizer): Specials {
  const s = tok.specialIds;
  if (s.cls === undefined || s.sep === undefined || s.pad === undefined || s.mask === undefined) {
    throw new Error(`experiments: the tokenizer lacks [CLS]/[SEP]/[PAD]/[MASK] (has ${JSON.stringify(s)})`);
  }
  const all = [s.pad, s.unk, s.cls, s.sep, s.mask].filter((x): x is number => x !== undefined);
  return { cls: s.cls, sep: s.sep, pad: s.pad, mask: s.mask, all };
}

const memo = new Map<string, unknown>();
function memoised<T>(key: string, make: () => T): T {
  if (!memo.has(key)) memo.set(key, make());
  return memo.get(key) as T;
}

/** A tokenizer's identity for memo keys (the same object → the same id). */
const tokIds = new WeakMap<Tokenizer, number>();
let nextTokId = 1;
function tokKey(tok: Tokenizer): number {
  if (!tokIds.has(tok)) tokIds.set(tok, nextTokId++);
  return tokIds.get(tok)!;
}

const encode = (tok: Tokenizer, text: string) => tok.encode(text, { addSpecialTokens: false }).ids;

/**
 * `count` held-out blocks of `length` tokens, taken at evenly spaced positions of the packed held-out
 * set (so both corpora of `sotu+moby-dick` are represented).
 * @throws Error when the held-out side gives fewer blocks than asked.
 */
export function heldoutBlocks(tok: Tokenizer, count: number, length: number): Int32Array[] {
  const all = memoised(`heldout/${tokKey(tok)}/${length}`, () => {
    const sp = specials(tok);
    const docs = loadCorpus('sotu+moby-dick').heldout().map((t) => encode(tok, t)).filter((d) => d.length > 0);
    return packBlocks(docs, length, { cls: sp.cls, sep: sp.sep });
  });
  if (all.length < count) throw new Error(`held-out sotu+moby-dick gives ${all.length} blocks of ${length} tokens; ${count} asked`);
  return Array.from({ length: count }, (_, i) => all[Math.floor((i * all.length) / count)]);
}

/**
 * `count` training blocks of `length` tokens from training documents in a seeded random order; block
 * `i` is the same for every `count` (a larger sample extends a smaller one).
 */
export function trainBlocks(tok: Tokenizer, count: number, length: number, seed: number): Int32Array[] {
  const docs = loadCorpus('sotu+moby-dick').train();
  const cached = memoised(`train/${tokKey(tok)}/${length}/${seed}`, () => ({ blocks: [] as Int32Array[], next: 0, order: permutation(docs.length, new SeededRandom(seed).asFunction()) }));
  const sp = specials(tok);
  // Pack documents in chunks until enough blocks exist; packing chunk by chunk keeps earlier blocks fixed.
  while (cached.blocks.length < count && cached.next < docs.length) {
    const chunk: number[][] = [];
    let tokens = 0;
    while (cached.next < docs.length && tokens < 64 * length) {
      const ids = encode(tok, docs[cached.order[cached.next++]]);
      if (ids.length) {
        chunk.push(ids);
        tokens += ids.length + 1;
      }
    }
    cached.blocks.push(...packBlocks(chunk, length, { cls: sp.cls, sep: sp.sep }));
  }
  if (cached.blocks.length < count) throw new Error(`training sotu+moby-dick gives ${cached.blocks.length} blocks of ${length} tokens; ${count} asked`);
  return cached.blocks.slice(0, count);
}

/** Blocks as model batches of `batchSize` sequences (no padding). */
export function blockBatches(blocks: readonly Int32Array[], batchSize: number): ModelBatch[] {
  const out: ModelBatch[] = [];
  for (let i = 0; i < blocks.length; i += batchSize) {
    const group = blocks.slice(i, i + batchSize);
    const seqLen = group[0].length;
    const ids = new Int32Array(group.length * seqLen);
    group.forEach((b, k) => ids.set(b, k * seqLen));
    out.push({ ids, mask: new Int32Array(ids.length).fill(1), batch: group.length, seqLen });
  }
  return out;
}

/** Settings of an MLM evaluation sample. */
export interface MlmEvalSpec {
  readonly blocks: number;
  readonly length: number;
  readonly seed: number;
}

/** The fixed masked held-out blocks of an MLM evaluation sample. */
export function mlmEvalMasked(tok: Tokenizer, spec: MlmEvalSpec): FixedMaskedBlock[] {
  return memoised(`mlm-masked/${tokKey(tok)}/${spec.blocks}/${spec.length}/${spec.seed}`, () => {
    const sp = specials(tok);
    return mlmEvalMasks(heldoutBlocks(tok, spec.blocks, spec.length), spec.seed, { maskId: sp.mask, specialIds: sp.all });
  });
}

/** A pseudo-perplexity evaluator on fixed masked held-out blocks. */
export function mlmEvalSet(tok: Tokenizer, spec: MlmEvalSpec): Evaluator {
  return memoised(`mlm-eval/${tokKey(tok)}/${spec.blocks}/${spec.length}/${spec.seed}`, () =>
    mlmEvaluator(mlmEvalMasked(tok, spec), `sotu+moby-dick held-out: ${spec.blocks} blocks × ${spec.length} tokens, 15% masked (seed ${spec.seed})`, { batchSize: 8 }),
  );
}

/** PPPL of an add-one unigram model (counts from `trainBlocks` training blocks) on the sample's masked tokens: the floor a useful MLM must beat. */
export function unigramBaseline(tok: Tokenizer, spec: MlmEvalSpec, trainBlockCount = 256): number {
  return unigramPerplexity(trainBlocks(tok, trainBlockCount, spec.length, 0), mlmEvalMasked(tok, spec), tok.vocabSize).pppl;
}

/** The task with every domain the fixtures were prepared with (so the splits are theirs). */
export function loadTask(task: TaskName): LabelledTask {
  return memoised(`task/${task}`, () => (task === 'party' ? loadPartyTask() : loadSpamTask(['easy-ham-1+spam-1', 'easy-ham-2+spam-2', 'hard-ham-1'])));
}

/** A split of a task, or `all` (every split: for a domain no model was trained on, e.g. `hard-ham-1`). */
export type SplitName = 'train' | 'validation' | 'test' | 'all';

/** The first `count` examples of a domain's split (all of them when fewer). */
export function domainExamples(task: TaskName, domain: string, split: SplitName, count: number): TaskExample[] {
  const t = loadTask(task);
  if (!t.domains.includes(domain)) throw new Error(`task ${task} has no domain '${domain}'; domains: ${t.domains.join(', ')}`);
  const pool = split === 'all' ? [...t.test, ...t.validation, ...t.train] : t[split];
  return pool.filter((e) => e.domain === domain).slice(0, count);
}

/**
 * Labelled batches of `examples` (`[CLS] text [SEP]`, at most `maxLength` tokens), grouped by length
 * so that a batch pads little; the order of examples does not matter to any metric or statistic.
 */
export function classificationBatches(examples: readonly TaskExample[], tok: Tokenizer, maxLength: number, batchSize: number): ClassificationBatch[] {
  const sp = specials(tok);
  const enc = examples.map((e) => ({ e, n: Math.min(encode(tok, e.text).length, maxLength - 2) }));
  enc.sort((a, b) => a.n - b.n);
  const out: ClassificationBatch[] = [];
  for (let i = 0; i < enc.length; i += batchSize) {
    const group = enc.slice(i, i + batchSize).map((x) => x.e);
    out.push(classificationBatch(group, (t) => encode(tok, t), { cls: sp.cls, sep: sp.sep, pad: sp.pad, maxLength }));
  }
  return out;
}

/** Settings of a classification sample. */
export interface ClassificationSpec {
  readonly task: TaskName;
  readonly domain: string;
  readonly split: SplitName;
  readonly examples: number;
  readonly maxLength: number;
}

/** Batches of a domain's split. */
export function classificationSample(tok: Tokenizer, spec: ClassificationSpec): ClassificationBatch[] {
  return memoised(`cls/${tokKey(tok)}/${spec.task}/${spec.domain}/${spec.split}/${spec.examples}/${spec.maxLength}`, () => {
    const ex = domainExamples(spec.task, spec.domain, spec.split, spec.examples);
    if (ex.length === 0) throw new Error(`task ${spec.task} domain ${spec.domain} has no ${spec.split} examples`);
    return classificationBatches(ex, tok, spec.maxLength, 16);
  });
}

/** Cross-entropy / accuracy / macro-F1 evaluator on a domain's test split. */
export function classificationEvalSet(tok: Tokenizer, spec: ClassificationSpec): Evaluator {
  return memoised(`cls-eval/${tokKey(tok)}/${spec.task}/${spec.domain}/${spec.split}/${spec.examples}/${spec.maxLength}`, () => {
    const batches = classificationSample(tok, spec);
    const n = batches.reduce((s, b) => s + b.batch, 0);
    return classificationEvaluator(batches, `${spec.task}:${spec.domain} ${spec.split}: ${n} examples (≤ ${spec.maxLength} tokens)`);
  });
}
