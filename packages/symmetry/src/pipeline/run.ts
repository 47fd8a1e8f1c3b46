/**
 * `runPipeline`: aligns every model to the anchor with the configured aligners, each on its own spaces
 * (later aligners see the model already transformed by earlier ones; transforms compose), then merges
 * the anchor and the aligned models, with their statistics moved into the anchor's basis.
 */
import { Rng, type Tensor } from '@symfuse/tensor';
import { applyTransform } from '../apply.js';
import { PipelineError, TransformError } from '../errors.js';
import type { ModelWeights, ProgressSink, StatNeed, StatsBundle, TraceEvent } from '../interfaces.js';
import type { SymmetryRegistry } from '../registry.js';
import type { SpaceSpec, SymmetrySpec } from '../spec.js';
import { assertValidSpec, validateSpec } from '../spec-validate.js';
import { transformStatsBundle } from '../stats-transform.js';
import type { Transform } from '../transform.js';
import { composeTransforms } from '../transform-ops.js';
import { validateTransform } from '../transform-validate.js';
import { type PipelineConfig, parsePipelineConfig } from './config.js';
import { selectSpaces, selectorsFor } from './select.js';

/** Context passed to a {@link StatsProvider}. */
export interface StatsRequestContext {
  readonly spec: SymmetrySpec;
  readonly need: StatNeed;
  /** Who asks: an aligner (by step index) or the merger. */
  readonly purpose: { readonly stage: 'align'; readonly step: number; readonly aligner: string } | { readonly stage: 'merge'; readonly merger: string };
}

/** A statistic the pipeline will ask for (see {@link StatsProvider.prefetch}). */
export interface PlannedStats {
  readonly kind: string;
  readonly model: ModelWeights;
  /** The anchor, for pairwise kinds. */
  readonly reference?: ModelWeights;
}

/**
 * How the pipeline obtains statistics: collect them (CLI: forward passes over data) or load them.
 * Pairwise kinds receive the anchor as `reference`. A plain function is a provider.
 */
export interface StatsProvider {
  (kind: string, model: ModelWeights, reference: ModelWeights | undefined, context: StatsRequestContext): Promise<StatsBundle>;
  /**
   * Optional: called once before anything is requested, with every statistic the pipeline knows it
   * will ask for on the models as given — the first alignment step's and the merger's statistics of
   * the original models — so that a provider can collect them together (`collectJointly`: one forward
   * pass per model for all kinds). Later requests for these must then be answered from its cache.
   */
  prefetch?(plan: readonly PlannedStats[], spec: SymmetrySpec): Promise<void>;
}

/**
 * What the pipeline will request on the models as given, before it aligns anything: the first step's
 * needs for every model (pairwise ones against the anchor), and the merger's — the anchor's own, and
 * the per-model statistics that are collected on the original models and moved into the anchor's basis.
 */
function plannedStats(firstStepNeeds: readonly StatNeed[], mergerNeeds: readonly StatNeed[], inputs: PipelineInputs): PlannedStats[] {
  const plan: PlannedStats[] = [];
  const add = (kind: string, model: ModelWeights, reference: ModelWeights | undefined) => {
    if (plan.some((p) => p.kind === kind && p.model === model && p.reference === reference)) return;
    plan.push({ kind, model, ...(reference ? { reference } : {}) });
  };
  for (const model of inputs.models) for (const need of firstStepNeeds) add(need.kind, model, need.pairwise ? inputs.anchor : undefined);
  for (const need of mergerNeeds) {
    add(need.kind, inputs.anchor, need.pairwise ? inputs.anchor : undefined);
    if (!need.pairwise) for (const model of inputs.models) add(need.kind, model, undefined);
  }
  return plan;
}

/** Inputs of {@link runPipeline}. */
export interface PipelineInputs {
  /** Model A: never changed; everything is aligned to its basis. */
  readonly anchor: ModelWeights;
  /** The models to align to the anchor (at least one). */
  readonly models: readonly ModelWeights[];
  readonly statsProvider?: StatsProvider;
  readonly progress?: ProgressSink;
  /** Used when the config has no seed (default 0). */
  readonly seed?: number;
  /** Use this spec instead of the registry's architecture provider's. */
  readonly spec?: SymmetrySpec;
}

/** What one aligner did to one model. */
export interface StepReport {
  readonly model: number;
  readonly step: number;
  readonly aligner: string;
  readonly spaces: readonly string[];
  readonly transform: Transform;
  readonly trace: readonly TraceEvent[];
  readonly diagnostics: Readonly<Record<string, unknown>>;
  readonly ms: number;
}

/** Output of {@link runPipeline}. */
export interface PipelineResult {
  readonly spec: SymmetrySpec;
  /** Per input model: the composed transform mapping it into the anchor's basis. */
  readonly transforms: readonly Transform[];
  /** Per input model: the model after its transform. */
  readonly aligned: readonly ModelWeights[];
  readonly steps: readonly StepReport[];
  /** The merged parameters (absent when the config has no `merge`). */
  readonly merged?: Map<string, Tensor>;
  readonly mergeDiagnostics?: Readonly<Record<string, unknown>>;
  /** Non-fatal remarks (e.g. a component selector that matched nothing). */
  readonly warnings: readonly string[];
}

function specFor(registry: SymmetryRegistry, inputs: PipelineInputs): SymmetrySpec {
  const a = inputs.anchor;
  const spec = inputs.spec ?? registry.architectureFor(a.config).buildSpec(a.config, { head: a.head, params: a.params });
  assertValidSpec(spec, a.params);
  inputs.models.forEach((m, k) => {
    const issues = validateSpec(spec, m.params).filter((i) => i.code !== 'unused-space');
    if (issues.length) throw new PipelineError(`model ${k}${m.id ? ` (${m.id})` : ''} does not fit spec '${spec.architecture}' of the anchor:\n- ${issues.map((i) => i.message).join('\n- ')}`);
  });
  return spec;
}

async function fetchStats(
  provider: StatsProvider | undefined,
  needs: readonly StatNeed[],
  model: ModelWeights,
  anchor: ModelWeights,
  ctx: Omit<StatsRequestContext, 'need'>,
  who: string,
): Promise<Map<string, StatsBundle>> {
  const out = new Map<string, StatsBundle>();
  if (needs.length === 0) return out;
  if (!provider) throw new PipelineError(`${who} needs statistics (${needs.map((n) => n.kind).join(', ')}) but no statsProvider was given`);
  for (const need of needs) out.set(need.kind, await provider(need.kind, model, need.pairwise ? anchor : undefined, { ...ctx, need }));
  return out;
}

/**
 * Runs the configured alignment steps for every model, then the merger.
 * @param config a plain object (validated: see `parsePipelineConfig`).
 * @throws PipelineError / RegistryError / TransformError naming the step, aligner, space or option.
 */
export async function runPipeline(registry: SymmetryRegistry, config: unknown, inputs: PipelineInputs): Promise<PipelineResult> {
  const cfg: PipelineConfig = parsePipelineConfig(config);
  if (inputs.models.length === 0) throw new PipelineError('runPipeline: no models to align (inputs.models is empty); merging needs the anchor and at least one other model');
  const spec = specFor(registry, inputs);
  const seed = cfg.seed ?? inputs.seed ?? 0;
  const rng = new Rng(seed);
  const solver = registry.solver(cfg.solver);
  const warnings: string[] = [];
  const progress = inputs.progress;

  // Resolve every step before any work, so configuration errors surface immediately.
  const steps = cfg.align.map((s, i) => {
    const aligner = registry.aligner(s.aligner);
    const where = `align[${i}] (aligner '${s.aligner}')`;
    const sel = selectSpaces(spec, s.spaces ?? selectorsFor(aligner.components));
    for (const e of sel.empty) warnings.push(`${where}: selector '${e}' matches no space of '${spec.architecture}'`);
    const bad = sel.spaces.filter((sp) => !aligner.components.includes(sp.component));
    if (bad.length) {
      throw new PipelineError(`${where} handles components ${aligner.components.join(', ')}; it cannot align ${bad.map((b) => `'${b.id}' (${b.component})`).join(', ')}`);
    }
    let options: unknown;
    try {
      options = aligner.options.parse(s.options ?? {});
    } catch (e) {
      throw new PipelineError(`${where} options: ${(e as Error).message}`);
    }
    const needs = aligner.needsFor?.(options, sel.spaces) ?? aligner.needs;
    return { aligner, spaces: sel.spaces, options, needs, where };
  });
  const merger = cfg.merge ? registry.merger(cfg.merge.method) : undefined;
  let mergeParams: unknown;
  if (merger && cfg.merge) {
    const { method: _m, ...rest } = cfg.merge;
    try {
      mergeParams = merger.params.parse(rest);
    } catch (e) {
      throw new PipelineError(`merge (merger '${merger.id}') params: ${(e as Error).message}`);
    }
  }

  if (inputs.statsProvider?.prefetch) {
    const mergerNeeds = merger ? (merger.needsFor?.(mergeParams) ?? merger.needs) : [];
    const plan = plannedStats(steps[0]?.needs ?? [], mergerNeeds, inputs);
    if (plan.length) await inputs.statsProvider.prefetch(plan, spec);
  }

  const transforms: Transform[] = [];
  const aligned: ModelWeights[] = [];
  const reports: StepReport[] = [];
  const total = inputs.models.length * steps.length;
  for (let k = 0; k < inputs.models.length; k++) {
    let current = inputs.models[k];
    let composed: Transform = { elements: new Map(), preservesFunction: true };
    for (let i = 0; i < steps.length; i++) {
      const { aligner, spaces, options, needs, where } = steps[i];
      progress?.({ stage: 'align', done: k * steps.length + i, total, detail: `model ${k}: ${aligner.id}` });
      const t0 = performance.now();
      const stats = await fetchStats(inputs.statsProvider, needs, current, inputs.anchor, { spec, purpose: { stage: 'align', step: i, aligner: aligner.id } }, where);
      const result = await aligner.align({
        spec,
        anchor: inputs.anchor,
        model: current,
        spaces,
        options,
        stats,
        solver,
        seed: rng.fork(`model.${k}/align.${i}`).seed,
        progress,
      });
      checkStepTransform(spec, result.transform, spaces, where);
      current = { ...current, params: applyTransform(spec, result.transform, current.params) };
      composed = composeTransforms(result.transform, composed);
      reports.push({
        model: k,
        step: i,
        aligner: aligner.id,
        spaces: spaces.map((s) => s.id),
        transform: result.transform,
        trace: result.trace,
        diagnostics: result.diagnostics,
        ms: performance.now() - t0,
      });
    }
    transforms.push(composed);
    aligned.push(current);
  }
  progress?.({ stage: 'align', done: total, total });

  if (!merger) return { spec, transforms, aligned, steps: reports, warnings };
  progress?.({ stage: 'merge', done: 0, total: 1, detail: merger.id });
  const needs = merger.needsFor?.(mergeParams) ?? merger.needs;
  const ctx = { spec, purpose: { stage: 'merge' as const, merger: merger.id } };
  const who = `merge (merger '${merger.id}')`;
  const stats: Map<string, StatsBundle>[] = [await fetchStats(inputs.statsProvider, needs, inputs.anchor, inputs.anchor, ctx, who)];
  for (let k = 0; k < inputs.models.length; k++) {
    const m = new Map<string, StatsBundle>();
    for (const need of needs) {
      if (need.pairwise) {
        m.set(need.kind, (await fetchStats(inputs.statsProvider, [need], aligned[k], inputs.anchor, ctx, who)).get(need.kind)!);
        continue;
      }
      // Statistics of the original model, moved into the anchor's basis by the composed transform.
      const layout = registry.collector(need.kind, false).layout;
      const original = (await fetchStats(inputs.statsProvider, [need], inputs.models[k], inputs.anchor, ctx, who)).get(need.kind)!;
      try {
        m.set(need.kind, transformStatsBundle(spec, transforms[k], original, layout));
      } catch (e) {
        if (!(e instanceof TransformError)) throw e;
        // Not movable exactly (e.g. Fisher under a rotation): collect on the aligned model instead.
        warnings.push(`${who}: '${need.kind}' statistics of model ${k} were collected again on the aligned model (${e.message.split('\n')[0]})`);
        m.set(need.kind, (await fetchStats(inputs.statsProvider, [need], aligned[k], inputs.anchor, ctx, who)).get(need.kind)!);
      }
    }
    stats.push(m);
  }
  const result = await merger.merge({ spec, models: [inputs.anchor, ...aligned], stats, params: mergeParams, seed: rng.fork('merge').seed, progress });
  progress?.({ stage: 'merge', done: 1, total: 1, detail: merger.id });
  return { spec, transforms, aligned, steps: reports, merged: result.params, mergeDiagnostics: result.diagnostics, warnings };
}

function checkStepTransform(spec: SymmetrySpec, t: Transform, spaces: readonly SpaceSpec[], where: string): void {
  const allowed = new Set(spaces.map((s) => s.id));
  const outside = [...t.elements.keys(), ...[...(t.paramOverrides?.values() ?? [])].flatMap((m) => [...m.keys()])].filter((id) => !allowed.has(id));
  if (outside.length) {
    throw new PipelineError(`${where} returned elements for spaces it was not given: ${[...new Set(outside)].join(', ')} (its spaces: ${[...allowed].join(', ') || 'none'})`);
  }
  const { structural, symmetry } = validateTransform(spec, t);
  const problems = t.preservesFunction ? [...structural, ...symmetry] : structural;
  if (problems.length) throw new PipelineError(`${where} returned a transform that does not fit spec '${spec.architecture}':\n- ${problems.join('\n- ')}`);
}
