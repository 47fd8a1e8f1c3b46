/**
 * Data for statistics and evaluation, from a data source string (`sotu`, `moby-dick`,
 * `spam:easy-ham-1+spam-1`, `party:1853-1900`, a `.txt` or `.jsonl` path):
 * - statistics are collected on the training side (corpus train documents, task train split);
 * - evaluation uses the held-out side (corpus held-out documents, task test split), so the numbers
 *   are never measured on the text the statistics came from.
 * MLM models get 128-token blocks (masked with a fixed seed for evaluation, the same masks for every
 * model and λ); classifiers get `[CLS] text [SEP]` batches with labels. A task source given to an MLM
 * model is used as plain text.
 */
import { type ClassificationBatch, classificationBatch, type DataSource, type LabelledTask, packBlocks, resolveDataSource, type TaskExample } from '@symfuse/data';
import { classificationEvaluator, type Evaluator, mlmEvalMasks, mlmEvaluator } from '@symfuse/eval';
import type { HeadKind, ModelConfig, Tokenizer } from '@symfuse/models';
import type { ModelBatch } from '@symfuse/symmetry';
import { CliError, UsageError } from './errors.js';

/** Sizes and seeds of a sample. */
export interface SampleSettings {
  /** MLM: number of blocks. */
  readonly blocks: number;
  /** Classification: number of examples. */
  readonly examples: number;
  /** Sequences per forward pass. */
  readonly batchSize: number;
  /** Seed of the fixed evaluation masks. */
  readonly seed: number;
  /** Tokens per MLM block and longest classification input (capped by the model's positions). */
  readonly blockLength: number;
}

/** Defaults of statistics collection. */
export const STATS_DEFAULTS: SampleSettings = { blocks: 32, examples: 256, batchSize: 8, seed: 1234, blockLength: 128 };
/** Defaults of evaluation. */
export const EVAL_DEFAULTS: SampleSettings = { blocks: 24, examples: 256, batchSize: 8, seed: 1234, blockLength: 128 };

/**
 * Resolves a source string now, so an unknown name fails before any work.
 * @throws UsageError listing the known sources.
 */
export function resolveSource(spec: string, command: string, key = '--data'): DataSource {
  try {
    return resolveDataSource(spec);
  } catch (e) {
    throw new UsageError(`${key}: ${(e as Error).message}`, command);
  }
}

interface Specials {
  readonly cls: number;
  readonly sep: number;
  readonly pad: number;
  readonly mask?: number;
  readonly all: number[];
}

function specials(tok: Tokenizer, where: string): Specials {
  const s = tok.specialIds;
  const cls = s.cls ?? s.bos;
  const sep = s.sep ?? s.eos;
  if (cls === undefined || sep === undefined || s.pad === undefined) throw new CliError(`${where}: the tokenizer has no [CLS]/[SEP]/[PAD] (or <s>/</s>/<pad>) tokens`);
  const all = [s.pad, s.unk, cls, sep, s.mask, s.bos, s.eos].filter((x): x is number => x !== undefined);
  return { cls, sep, pad: s.pad, mask: s.mask, all: [...new Set(all)] };
}

function texts(source: DataSource, side: 'train' | 'heldout'): readonly string[] {
  if (source.kind === 'corpus') {
    const c = source.load();
    return side === 'train' ? c.train() : c.heldout();
  }
  const t = source.load();
  return (side === 'train' ? t.train : t.test.length ? t.test : t.validation).map((e) => e.text);
}

function blocksOf(source: DataSource, side: 'train' | 'heldout', tok: Tokenizer, sp: Specials, count: number, length: number): Int32Array[] {
  const docs: number[][] = [];
  let tokens = 0;
  const want = count * (length - 1) + length;
  for (const t of texts(source, side)) {
    const ids = tok.encode(t, { addSpecialTokens: false }).ids;
    if (ids.length === 0) continue;
    docs.push(ids);
    tokens += ids.length + 1;
    if (tokens > want) break;
  }
  const blocks = packBlocks(docs, length, { cls: sp.cls, sep: sp.sep }).slice(0, count);
  if (blocks.length === 0) throw new CliError(`data ${source.spec}: its ${side} text gives no full block of ${length} tokens`);
  return blocks;
}

function taskExamples(task: LabelledTask, side: 'train' | 'heldout', count: number, domain?: string): TaskExample[] {
  const split = side === 'train' ? task.train : task.test.length ? task.test : task.validation;
  return split.filter((e) => domain === undefined || e.domain === domain).slice(0, count);
}

function classificationBatches(examples: readonly TaskExample[], tok: Tokenizer, sp: Specials, s: SampleSettings): ClassificationBatch[] {
  const out: ClassificationBatch[] = [];
  for (let i = 0; i < examples.length; i += s.batchSize) {
    const b = classificationBatch(examples.slice(i, i + s.batchSize), (t) => tok.encode(t, { addSpecialTokens: false }).ids, { cls: sp.cls, sep: sp.sep, pad: sp.pad, maxLength: s.blockLength });
    out.push(b);
  }
  return out;
}

function headOf(head: string): 'mlm' | 'classifier' {
  if (head === 'mlm' || head === 'classifier') return head;
  return 'mlm';
}

function checkLabels(task: LabelledTask, config: ModelConfig, where: string): void {
  if (task.labels.length !== config.numLabels) throw new CliError(`${where}: task '${task.name}' has ${task.labels.length} labels (${task.labels.join(', ')}) but the classifier has ${config.numLabels} outputs`);
}

/** What {@link statsSample} returns. */
export interface StatsSample {
  readonly batches: ModelBatch[];
  readonly description: string;
}

/**
 * Batches to collect statistics on (the training side of the source).
 * @param head the model's head: classifiers need a labelled task.
 */
export function statsSample(source: DataSource, tok: Tokenizer, config: ModelConfig, head: HeadKind | string, settings: SampleSettings): StatsSample {
  const sp = specials(tok, `data ${source.spec}`);
  const length = Math.min(settings.blockLength, config.maxSequenceLength);
  if (headOf(head) === 'classifier' && source.kind === 'task') {
    const task = source.load();
    checkLabels(task, config, `data ${source.spec}`);
    const ex = taskExamples(task, 'train', settings.examples);
    return { batches: classificationBatches(ex, tok, sp, { ...settings, blockLength: length }), description: `${source.spec} train: ${ex.length} examples` };
  }
  if (headOf(head) === 'classifier') throw new CliError(`data ${source.spec} is a text corpus; a classifier needs a labelled task (e.g. spam:easy-ham-1+spam-1, party:1853-1900 or a .jsonl file with labels)`);
  const blocks = blocksOf(source, 'train', tok, sp, settings.blocks, length);
  const batches: ModelBatch[] = [];
  for (let i = 0; i < blocks.length; i += settings.batchSize) {
    const group = blocks.slice(i, i + settings.batchSize);
    const ids = new Int32Array(group.length * length);
    group.forEach((b, k) => ids.set(b, k * length));
    batches.push({ ids, mask: new Int32Array(ids.length).fill(1), batch: group.length, seqLen: length });
  }
  return { batches, description: `${source.spec} train: ${blocks.length} blocks × ${length} tokens` };
}

/** An evaluator plus the settings that rebuild its sample. */
export interface EvalSample {
  readonly evaluator: Evaluator;
  readonly sample: Record<string, string | number>;
}

/**
 * The held-out evaluator of a source for a model with `head` (optionally one domain of a task).
 */
export function evalSample(source: DataSource, tok: Tokenizer, config: ModelConfig, head: HeadKind | string, settings: SampleSettings, domain?: string): EvalSample {
  const sp = specials(tok, `data ${source.spec}`);
  const length = Math.min(settings.blockLength, config.maxSequenceLength);
  if (headOf(head) === 'classifier') {
    if (source.kind !== 'task') throw new CliError(`data ${source.spec} is a text corpus; evaluating a classifier needs a labelled task`);
    const task = source.load();
    checkLabels(task, config, `data ${source.spec}`);
    const ex = taskExamples(task, 'heldout', settings.examples, domain);
    if (ex.length === 0) throw new CliError(`data ${source.spec}${domain ? ` domain ${domain}` : ''}: no held-out examples`);
    const desc = `${source.spec}${domain ? ` [${domain}]` : ''} test split: ${ex.length} examples (≤ ${length} tokens)`;
    return { evaluator: classificationEvaluator(classificationBatches(ex, tok, sp, { ...settings, blockLength: length }), desc), sample: { data: source.spec, ...(domain ? { domain } : {}), split: 'test', examples: ex.length, maxLength: length } };
  }
  if (sp.mask === undefined) throw new CliError(`data ${source.spec}: the tokenizer has no [MASK] token; MLM evaluation needs one`);
  const blocks = blocksOf(source, 'heldout', tok, sp, settings.blocks, length);
  const masked = mlmEvalMasks(blocks, settings.seed, { maskId: sp.mask, specialIds: sp.all });
  const desc = `${source.spec} held-out: ${blocks.length} blocks × ${length} tokens, 15% masked (seed ${settings.seed})`;
  return { evaluator: mlmEvaluator(masked, desc, { batchSize: settings.batchSize }), sample: { data: source.spec, split: 'heldout', blocks: blocks.length, blockLength: length, maskRate: 0.15, seed: settings.seed } };
}

/** The domains of a task source (empty for a corpus). */
export function sourceDomains(source: DataSource): string[] {
  return source.kind === 'task' ? [...source.load().domains] : [];
}
