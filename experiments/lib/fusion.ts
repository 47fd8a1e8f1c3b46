/**
 * Shared pieces of the classifier-fusion experiments (rotation paper Table 1, RegMean tables):
 * mergers, matchings (pipeline alignment steps), samples, and cached runs of merged models,
 * individual models and the logit ensemble on a task's domains.
 */
import { classificationScores } from '@symfuse/eval';
import type { Context } from './experiment.js';
import type { PipelineConfigInput, StatsSpec } from './pipeline.js';
import { ensembleScore } from './ensemble.js';
import { classificationSample, type TaskName } from './data.js';
import { type EvalSpec, type MergeData, mergeRun, type Score, scoreRun } from './runs.js';

/** Settings shared by the fusion experiments. */
export interface FusionSettings {
  /** Test examples per domain (the first ones of the domain's test split). */
  readonly testExamples: number;
  /** Training examples per model for Grams and Fisher (each model's own domain). */
  readonly statsExamples: number;
  /** Longest input, `[CLS]` and `[SEP]` included. */
  readonly maxLength: number;
  /** RegMean's α (scaling of the Grams' off-diagonal entries; the paper's default 0.9). */
  readonly alpha: number;
}

/** Full and quick defaults of {@link FusionSettings}. */
export function fusionDefaults(quick: boolean): FusionSettings {
  return quick ? { testExamples: 16, statsExamples: 8, maxLength: 64, alpha: 0.9 } : { testExamples: 100, statsExamples: 64, maxLength: 128, alpha: 0.9 };
}

/** The party task's eras (fixtures `party-<era>`), oldest first. */
export const PARTY_ERAS: readonly string[] = ['1853-1900', '1901-1945', '1946-1980', '1981-2021'];
/** The two spam collections with a fixture classifier each, and the held-out all-ham collection. */
export const SPAM_DOMAINS: readonly string[] = ['easy-ham-1+spam-1', 'easy-ham-2+spam-2'];
export const SPAM_OOD = 'hard-ham-1';

/** The party eras an experiment uses: all of them, or the oldest `quickCount` in a quick run. */
export function partyEras(quick: boolean, quickCount = 3): string[] {
  return PARTY_ERAS.slice(0, quick ? quickCount : PARTY_ERAS.length);
}

/** Merger ids and their parameters. */
export type MergerId = 'simple' | 'fisher' | 'regmean';

/** The `merge` step of a merger. */
export function mergeStep(id: MergerId, alpha: number): NonNullable<PipelineConfigInput['merge']> {
  return id === 'regmean' ? { method: 'regmean', alpha } : { method: id };
}

/** Named matchings: the alignment steps run before merging. */
export const MATCHINGS = {
  none: [],
  /** The rotation paper's matching: per-head Procrustes of the attention only. */
  rotation: [{ aligner: 'rotation', options: { rescale: false } }],
  /** The same followed by the rescaling of each head (the paper's "scaling matching"). */
  'rotation+rescale': [{ aligner: 'rotation', options: { rescale: true } }],
  /** Dataless: weight matching of the FFNs, then attention rotation with rescaling (heads paired first). */
  'wm+rotation': [
    { aligner: 'weight-matching', spaces: ['ffn'] },
    { aligner: 'rotation', options: { rescale: true, headPairing: true } },
  ],
  /** Dataless: weight matching of every space (residual stream included), then per-head rotation with rescaling. */
  'wm-all+rotation': [{ aligner: 'weight-matching' }, { aligner: 'rotation', options: { rescale: true } }],
  /** Verma–Elbayad correlation matching of FFN + head-perm MHA + residual (first). */
  permutation: [{ aligner: 'verma-elbayad', options: { ffn: true, mha: 'head-perm', residual: 'first', classifierHead: false } }],
  /** Verma–Elbayad FFN + head-perm MHA (residual identity), then per-head rotation with rescaling. */
  'permutation+rotation': [
    { aligner: 'verma-elbayad', options: { ffn: true, mha: 'head-perm', residual: 'identity', classifierHead: false } },
    { aligner: 'rotation', options: { rescale: true } },
  ],
} as const satisfies Record<string, NonNullable<PipelineConfigInput['align']>>;

/** A matching's name. */
export type MatchingId = keyof typeof MATCHINGS;

/** A domain of a task. */
export interface Domain {
  readonly task: TaskName;
  readonly domain: string;
}

/** Domains no fixture was trained on: evaluated on all their examples, not only the test split. */
export const UNSEEN_DOMAINS: readonly string[] = ['hard-ham-1'];

/** The evaluation sample of a domain (its test split; every split of an unseen domain). */
export function testSpec(d: Domain, s: FusionSettings): EvalSpec {
  const split = UNSEEN_DOMAINS.includes(d.domain) ? 'all' : 'test';
  return { kind: 'classification', task: d.task, domain: d.domain, split, examples: s.testExamples, maxLength: s.maxLength };
}

/** The statistics sample (each classifier's own training split). */
export function fusionStats(s: FusionSettings, seed: number): StatsSpec {
  return { mlmBlocks: 0, mlmLength: 128, examples: s.statsExamples, maxLength: s.maxLength, seed };
}

/** Merges `names` (the first is the anchor) with a matching and a merger; scores on `domains`. */
export async function fuse(ctx: Context<unknown>, s: FusionSettings, names: readonly string[], merger: MergerId, matching: MatchingId, domains: readonly Domain[]): Promise<MergeData> {
  const [anchor, ...rest] = names.map((n) => ctx.zoo.classifier(n));
  return mergeRun(ctx, {
    anchor,
    models: rest,
    name: `${merger}${matching === 'none' ? '' : ` + ${matching}`}`,
    config: { align: MATCHINGS[matching], merge: mergeStep(merger, s.alpha) },
    evals: Object.fromEntries(domains.map((d) => [d.domain, testSpec(d, s)])),
    stats: fusionStats(s, ctx.seed),
  });
}

/** One classifier on one domain's test sample (cached). */
export function individual(ctx: Context<unknown>, s: FusionSettings, name: string, d: Domain): Promise<Score> {
  return scoreRun(ctx, ctx.zoo.classifier(name), testSpec(d, s));
}

/** The logit ensemble of `names` on one domain (cached). */
export function ensemble(ctx: Context<unknown>, s: FusionSettings, names: readonly string[], d: Domain): Promise<Score> {
  const models = names.map((n) => ctx.zoo.classifier(n));
  const spec = testSpec(d, s);
  return ctx.cache.get(`ensemble ${names.join(' + ')} on ${d.task}:${d.domain}`, { unit: 'ensemble', v: 1, models: models.map((m) => m.fingerprint), eval: spec }, async () =>
    ensembleScore(models, classificationSample(ctx.zoo.tokenizer, { task: d.task, domain: d.domain, split: spec.kind === 'classification' ? spec.split : 'test', examples: s.testExamples, maxLength: s.maxLength })),
  );
}

/**
 * The best constant predictor on a domain's evaluation sample (always the same class): the floor a
 * classifier must beat. Returns its macro-F1 and accuracy (each maximised over the class predicted).
 */
export function constantBaseline(ctx: Context<unknown>, s: FusionSettings, d: Domain): { macroF1: number; accuracy: number } {
  const spec = testSpec(d, s);
  if (spec.kind !== 'classification') throw new Error('constantBaseline: not a classification sample');
  const gold = classificationSample(ctx.zoo.tokenizer, { task: spec.task, domain: spec.domain, split: spec.split, examples: spec.examples, maxLength: spec.maxLength }).flatMap((b) => [...b.labels]);
  const classes = 2;
  let best = { macroF1: 0, accuracy: 0 };
  for (let c = 0; c < classes; c++) {
    const r = classificationScores(gold.map(() => c), gold, classes);
    best = { macroF1: Math.max(best.macroF1, r.macroF1), accuracy: Math.max(best.accuracy, r.accuracy) };
  }
  return best;
}

/** Mean of a metric over domains of a merge's scores (`macroF1` by default). */
export function meanOver(scores: Readonly<Record<string, Score>>, domains: readonly Domain[], metric: 'macroF1' | 'accuracy' | 'loss' = 'macroF1'): number {
  return domains.reduce((t, d) => t + (scores[d.domain][metric] ?? Number.NaN), 0) / domains.length;
}
