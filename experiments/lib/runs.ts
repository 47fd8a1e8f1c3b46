/**
 * The cached units of work the experiments are made of:
 * - {@link scoreRun}: one model on one evaluation sample;
 * - {@link curveRun}: align B to A with a pipeline configuration, then the interpolation curve
 *   A ↔ aligned B and both barriers;
 * - {@link mergeRun}: align and merge N models, then score the merged model on several samples.
 * Each is keyed by everything that determines it (model fingerprints, configuration, samples, seed),
 * in canonical form (`run-key.ts`), so one run spelt two ways is computed once.
 */
import { correlationSites, type EvalScore, type Evaluator, interpolationCurve, lossBarrier, type SiteCorrelationSummary } from '@symfuse/eval';
import type { ModelWeights, PipelineResult, StatsProvider } from '@symfuse/symmetry';
import type { Tokenizer } from '@symfuse/models';
import { stableStringify } from './cache.js';
import { type ClassificationSpec, classificationEvalSet, type MlmEvalSpec, mlmEvalSet } from './data.js';
import type { Context } from './experiment.js';
import { type CollectTimes, createStatsProvider, pipeline, type PipelineConfigInput, type StatsSpec } from './pipeline.js';
import { canonicalConfig, canonicalStats } from './run-key.js';
import type { ZooModel } from './zoo.js';

/** An evaluation sample: MLM pseudo-perplexity or a classification split. */
export type EvalSpec = ({ readonly kind: 'mlm' } & MlmEvalSpec) | ({ readonly kind: 'classification' } & ClassificationSpec);

/** The evaluator of a sample. */
export function evaluatorFor(tok: Tokenizer, spec: EvalSpec): Evaluator {
  if (spec.kind === 'mlm') return mlmEvalSet(tok, spec);
  const { kind: _k, ...cls } = spec;
  return classificationEvalSet(tok, cls);
}

/** A score as JSON (the evaluator's numbers). */
export type Score = EvalScore;

/** One model on one sample (cached). */
export async function scoreRun(ctx: Context<unknown>, model: ZooModel, spec: EvalSpec): Promise<Score> {
  return ctx.cache.get(`score ${model.id} on ${label(spec)}`, { unit: 'score', v: 1, model: model.fingerprint, eval: spec }, async () => evaluatorFor(ctx.zoo.tokenizer, spec).evaluate(model));
}

/** A short label of a sample. */
export function label(spec: EvalSpec): string {
  return spec.kind === 'mlm' ? `mlm ${spec.blocks}×${spec.length}` : `${spec.task}:${spec.domain} ${spec.split}`;
}

const providers = new Map<string, { provider: StatsProvider; times: CollectTimes }>();

/** The statistics provider of a sample (one per process and spec, so statistics are reused). */
export function statsFor(ctx: Context<unknown>, spec: StatsSpec): { provider: StatsProvider; times: CollectTimes } {
  const key = `${ctx.zoo.kind}/${stableStringify(spec)}`;
  let p = providers.get(key);
  if (!p) {
    const times: CollectTimes = {};
    p = { provider: createStatsProvider(ctx.zoo.tokenizer, spec, times), times };
    providers.set(key, p);
  }
  return p;
}

/** What a curve run keeps. */
export interface CurveData {
  readonly lambdas: number[];
  readonly losses: number[];
  readonly pppl?: number[];
  readonly accuracy?: number[];
  readonly macroF1?: number[];
  readonly lossA: number;
  readonly lossB: number;
  /** Loss of B before alignment: equal to `lossB` when the alignment preserves the function. */
  readonly lossBOriginal: number;
  readonly barrier: number;
  readonly barrierLambda: number;
  readonly barrierLinear: number;
  readonly barrierLinearLambda: number;
  /** Seconds of the alignment (statistics included). */
  readonly alignSeconds: number;
  readonly preservesFunction: boolean;
  /** Correlation diagnostics of the Verma–Elbayad aligner (Fig. 4), when it ran. */
  readonly sites: SiteCorrelationSummary[];
}

/** Inputs of {@link curveRun}. */
export interface CurveInputs {
  readonly a: ZooModel;
  readonly b: ZooModel;
  /** Human label of the alignment (`vanilla`, `ffn+mha`…). */
  readonly name: string;
  /** Alignment steps (none: vanilla averaging). */
  readonly align: PipelineConfigInput['align'];
  readonly eval: EvalSpec;
  readonly points: number;
  readonly stats: StatsSpec;
}

/** Aligns B to A (when steps are given): the aligned model and what the pipeline reported. */
export async function alignRun(ctx: Context<unknown>, a: ModelWeights, b: ModelWeights, align: PipelineConfigInput['align'], stats: StatsSpec): Promise<{ aligned: ModelWeights; result?: PipelineResult; seconds: number }> {
  if (!align || align.length === 0) return { aligned: b, seconds: 0 };
  const { result, seconds } = await pipeline({ align }, a, [b], statsFor(ctx, stats).provider, ctx.seed);
  return { aligned: result.aligned[0], result, seconds };
}

/**
 * The cache key of a curve: the two models, the canonical alignment (`run-key.ts`: options parsed by
 * the aligners' schemas, defaults and aliases resolved), the evaluation sample, the grid, and the
 * statistics fields the alignment reads. Equal runs described differently get equal keys.
 */
export function curveKey(ctx: Pick<Context<unknown>, 'seed'>, inputs: Pick<CurveInputs, 'a' | 'b' | 'align' | 'eval' | 'stats'>, points: number): unknown {
  const config = canonicalConfig({ align: inputs.align ?? [] }, ctx.seed);
  return { unit: 'curve', v: 2, a: inputs.a.fingerprint, b: inputs.b.fingerprint, config, eval: inputs.eval, points, stats: canonicalStats(inputs.stats, [inputs.a.head, inputs.b.head], config) };
}

/** The key curves had before keys were canonical (v1): read as a fallback so existing caches stay valid. */
function legacyCurveKey(ctx: Context<unknown>, inputs: CurveInputs, points: number): unknown {
  const aligning = !!inputs.align?.length;
  return { unit: 'curve', v: 1, a: inputs.a.fingerprint, b: inputs.b.fingerprint, align: inputs.align ?? [], eval: inputs.eval, points, stats: aligning ? inputs.stats : undefined, seed: ctx.seed };
}

/**
 * The same curve on a coarser grid, taken from a cached finer one when there is one (the 11-point
 * grid is every other point of the 21-point grid), with both barriers recomputed on the coarse grid.
 */
function fromFinerCurve(ctx: Context<unknown>, inputs: CurveInputs): CurveData | undefined {
  // Grids that contain the requested one: 21 ⊃ 11, 5 ⊃ 3 (k·(points − 1) + 1 points).
  for (const k of [2, 3, 4]) {
    const fine = k * (inputs.points - 1) + 1;
    const c = ctx.cache.peek<CurveData>(curveKey(ctx, inputs, fine), [legacyCurveKey(ctx, inputs, fine)]);
    if (!c) continue;
    const step = (fine - 1) / (inputs.points - 1);
    const take = <T>(xs: T[] | undefined) => xs?.filter((_, i) => i % step === 0);
    const losses = take(c.losses)!;
    const b = lossBarrier(take(c.lambdas)!, losses);
    return { ...c, lambdas: take(c.lambdas)!, losses, ...(c.pppl ? { pppl: take(c.pppl) } : {}), ...(c.accuracy ? { accuracy: take(c.accuracy) } : {}), ...(c.macroF1 ? { macroF1: take(c.macroF1) } : {}), barrier: b.barrier, barrierLambda: b.barrierLambda, barrierLinear: b.barrierLinear, barrierLinearLambda: b.barrierLinearLambda };
  }
  return undefined;
}

/** The interpolation curve between A and B aligned by `inputs.align` (cached; or cut from a cached finer grid). */
export async function curveRun(ctx: Context<unknown>, inputs: CurveInputs): Promise<CurveData> {
  const aligning = !!inputs.align?.length;
  const key = curveKey(ctx, inputs, inputs.points);
  const legacy = [legacyCurveKey(ctx, inputs, inputs.points)];
  const name = `curve ${inputs.a.id} × ${inputs.b.id} ${inputs.name} (${label(inputs.eval)})`;
  const coarse = ctx.cache.peek<CurveData>(key, legacy) ? undefined : fromFinerCurve(ctx, inputs);
  if (coarse) {
    ctx.cache.records.push({ label: `${name}, ${inputs.points} of a finer grid's points`, key: 'finer', startedAt: new Date().toISOString(), seconds: 0, cached: true });
    return coarse;
  }
  return ctx.cache.get(name, key, async () => {
    const evaluator = evaluatorFor(ctx.zoo.tokenizer, inputs.eval);
    const [scoreA, scoreB] = [await scoreRun(ctx, inputs.a, inputs.eval), await scoreRun(ctx, inputs.b, inputs.eval)];
    const { aligned, result, seconds } = await alignRun(ctx, inputs.a, inputs.b, inputs.align, inputs.stats);
    const preservesFunction = result ? result.transforms.every((t) => t.preservesFunction) : true;
    const c = await interpolationCurve(inputs.a, aligned, evaluator, { points: inputs.points, endpoints: { a: scoreA, ...(aligning ? {} : { b: scoreB }) } });
    const sites = result ? result.steps.flatMap((s) => correlationSites(s.diagnostics)) : [];
    const pick = (k: 'pppl' | 'accuracy' | 'macroF1') => (c.scores.every((s) => s[k] !== undefined) ? { [k]: c.scores.map((s) => s[k] as number) } : {});
    const out: CurveData = {
      lambdas: [...c.lambdas],
      losses: [...c.losses],
      ...pick('pppl'),
      ...pick('accuracy'),
      ...pick('macroF1'),
      lossA: c.lossA,
      lossB: c.lossB,
      lossBOriginal: scoreB.loss,
      barrier: c.barrier,
      barrierLambda: c.barrierLambda,
      barrierLinear: c.barrierLinear,
      barrierLinearLambda: c.barrierLinearLambda,
      alignSeconds: seconds,
      preservesFunction,
      sites,
    };
    ctx.log(`${inputs.a.id} × ${inputs.b.id} ${inputs.name}: barrier ${out.barrier.toFixed(3)} (align ${seconds.toFixed(1)} s, curve ${(c.ms / 1000).toFixed(1)} s)`);
    return out;
  }, legacy);
}

/** What a merge run keeps. */
export interface MergeData {
  /** Scores of the merged model, by sample label (the keys of `inputs.evals`). */
  readonly scores: Record<string, Score>;
  /** Seconds: alignment steps (all models), merging, statistics collected during the run. */
  readonly alignSeconds: number;
  readonly mergeSeconds: number;
  readonly collectSeconds: Record<string, number>;
  readonly warnings: string[];
}

/** Inputs of {@link mergeRun}. */
export interface MergeInputs {
  readonly anchor: ZooModel;
  readonly models: readonly ZooModel[];
  readonly name: string;
  readonly config: PipelineConfigInput;
  /** Samples to score the merged model on, by label. */
  readonly evals: Readonly<Record<string, EvalSpec>>;
  readonly stats: StatsSpec;
}

/** The cache key of a merge run: models, canonical configuration (`run-key.ts`), samples, the statistics fields read. */
export function mergeKey(ctx: Pick<Context<unknown>, 'seed'>, inputs: Pick<MergeInputs, 'anchor' | 'models' | 'config' | 'evals' | 'stats'>): unknown {
  const config = canonicalConfig(inputs.config, ctx.seed);
  const heads = [inputs.anchor, ...inputs.models].map((m) => m.head);
  return { unit: 'merge', v: 2, anchor: inputs.anchor.fingerprint, models: inputs.models.map((m) => m.fingerprint), config, evals: inputs.evals, stats: canonicalStats(inputs.stats, heads, config) };
}

/** Aligns and merges, then scores the merged model (cached). */
export async function mergeRun(ctx: Context<unknown>, inputs: MergeInputs): Promise<MergeData> {
  const key = mergeKey(ctx, inputs);
  // The v1 key, read as a fallback so caches filled before keys were canonical stay valid.
  const legacy = { unit: 'merge', v: 1, anchor: inputs.anchor.fingerprint, models: inputs.models.map((m) => m.fingerprint), config: inputs.config, evals: inputs.evals, stats: inputs.stats, seed: ctx.seed };
  const ids = [inputs.anchor, ...inputs.models].map((m) => m.id).join(' + ');
  return ctx.cache.get(`merge ${ids} ${inputs.name}`, key, async () => {
    const { provider, times } = statsFor(ctx, inputs.stats);
    const before = { ...times };
    const { result, seconds } = await pipeline(inputs.config, inputs.anchor, inputs.models, provider, ctx.seed);
    const collect: Record<string, number> = {};
    for (const [k, v] of Object.entries(times)) if (v - (before[k] ?? 0) > 0) collect[k] = v - (before[k] ?? 0);
    const alignSeconds = result.steps.reduce((s, x) => s + x.ms, 0) / 1000;
    const mergeCollect = Object.entries(collect)
      .filter(([k]) => k !== 'correlation')
      .reduce((s, [, v]) => s + v, 0);
    if (!result.merged) throw new Error(`merge run '${inputs.name}': the pipeline returned no merged model (config has no merge step?)`);
    const merged = { config: inputs.anchor.config, params: result.merged };
    const scores: Record<string, Score> = {};
    for (const [name, spec] of Object.entries(inputs.evals)) scores[name] = await evaluatorFor(ctx.zoo.tokenizer, spec).evaluate(merged);
    const out: MergeData = { scores, alignSeconds, mergeSeconds: Math.max(0, seconds - alignSeconds - mergeCollect), collectSeconds: collect, warnings: [...result.warnings] };
    ctx.log(`merge ${ids} ${inputs.name}: ${Object.entries(scores).map(([k, s]) => `${k} ${s.macroF1 !== undefined ? `F1 ${s.macroF1.toFixed(3)}` : `loss ${s.loss.toFixed(3)}`}`).join(', ')}`);
    return out;
  }, [legacy]);
}
