/**
 * The streaming merge: the alignment/merge pipeline run unit by unit (embeddings, each encoder layer,
 * the top) so that memory holds one unit of each model at a time instead of whole models.
 *
 * The hidden states of every model over the statistics tokens are kept (`[tokens, d]` per model and
 * batch). For each unit, its parameters are read from each model (tensor by tensor), the unit runs on
 * each model's hidden states while its statistics accumulate in place (Grams; correlation moments of
 * the anchor against each model), the layer's permutations are solved by the Verma–Elbayad aligner on
 * that layer's spaces only, applied to each model's unit (`applyTransform`) and to its Grams
 * (`transformStatsBundle`), the unit is merged (RegMean or the mean, `merge-unit.ts`), handed to
 * `write` and freed. Peak memory: one unit's parameters and statistics per model, plus the hidden
 * states — independent of the number of layers.
 *
 * This is exact, not an approximation, in the cases `support.ts` admits: with the residual stream
 * left as it is, a layer's FFN and attention permutations depend on that layer's correlations only,
 * and RegMean and the mean work parameter by parameter. The statistics use the collectors' arithmetic
 * and the same batches, so the result equals `runPipeline`'s with the `correlation` and `gram`
 * collectors on those batches (tests/streaming-merge.test.ts checks it weight by weight).
 */
import { createForwardContext, embedTokens, encoderLayer, encoderOutput, classifierHead, mlmHeadNames, type EncoderModelType, type ParamMap } from '@symfuse/models';
import { correlationBundle, siteOfSpace } from '@symfuse/plugins-permutation';
import { GramAccumulator, type RegmeanParams, type SimpleParams } from '@symfuse/plugins-regmean';
import {
  applyTransform,
  type Aligner,
  type ModelBatch,
  type ModelWeights,
  parsePipelineConfig,
  type ProgressSink,
  selectSpaces,
  type SpaceElement,
  type SpaceSpec,
  type StatsBundle,
  type StepReport,
  type SymmetryRegistry,
  type SymmetrySpec,
  type TraceEvent,
  type Transform,
  transformStatsBundle,
  validateTransform,
} from '@symfuse/symmetry';
import { type CrossMoments, Rng, type Tensor } from '@symfuse/tensor';
import { MergeTally, mergeUnit, type UnitMerger } from './merge-unit.js';
import type { StreamingModel } from './model-source.js';
import { STREAMING_ALIGNER, streamingProblems } from './support.js';
import { addCorrelation, type SiteRows, UnitTaps } from './unit-taps.js';
import { type MergeUnit, planUnits } from './units.js';

/** A configuration a streaming merge cannot run; `problems` names each reason (see `support.ts`). */
export class StreamingUnsupportedError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`a streaming merge does not support this configuration: ${problems.join('; ')}`);
    this.name = 'StreamingUnsupportedError';
  }
}

/** Inputs of {@link streamingMerge}. */
export interface StreamingMergeRequest {
  readonly registry: SymmetryRegistry;
  /** The models, anchor first (at least two), with the anchor's parameter names and shapes. */
  readonly models: readonly StreamingModel[];
  /** The statistics tokens (what the collectors of the in-memory pipeline would see). */
  readonly batches: readonly ModelBatch[];
  /** The pipeline configuration `{align?, merge, solver?, seed?}` (the schema of `runPipeline`). */
  readonly config: unknown;
  /**
   * Receives every merged parameter once (f32, canonical name), in unit order. The tensor is valid
   * during the call only (it is disposed afterwards): write or copy it.
   */
  readonly write: (name: string, tensor: Tensor) => void;
  /** Used when the config has no seed (default 0). */
  readonly seed?: number;
  readonly progress?: ProgressSink;
  /** Called after each unit has been written (memory probes, logs). */
  readonly onUnit?: (unit: MergeUnit, index: number, total: number) => void;
}

/** Milliseconds spent per part, summed over units. */
export interface StreamingTimes {
  read: number;
  /** Forward passes with the statistics accumulated at the taps. */
  forward: number;
  /** The aligner's calls (correlation matrices and assignment solves). */
  solves: number;
  /** Of which assignment solves (as the aligner's trace reports them). */
  assignment: number;
  /** `applyTransform` on the unit and `transformStatsBundle` on its Grams. */
  apply: number;
  merge: number;
  write: number;
}

/** What {@link streamingMerge} returns (no parameters: they went to `write`). */
export interface StreamingMergeResult {
  readonly spec: SymmetrySpec;
  /** Per non-anchor model, the transform into the anchor's basis (every layer's elements). */
  readonly transforms: readonly Transform[];
  /** Per non-anchor model, its alignment step with the layers' traces and diagnostics joined. */
  readonly steps: readonly StepReport[];
  /** The merger's diagnostics, as the in-memory merger reports them. */
  readonly mergeDiagnostics: Readonly<Record<string, unknown>>;
  readonly warnings: readonly string[];
  readonly times: StreamingTimes;
  /** Number of units (embeddings, layers, top). */
  readonly units: number;
}

/** One model's alignment, joined over layers. */
interface StepAcc {
  readonly elements: Map<string, SpaceElement>;
  readonly trace: TraceEvent[];
  readonly sites: unknown[];
  readonly solves: unknown[];
  readonly warnings: string[];
  readonly matrices: Record<string, unknown>;
  readonly perLayerMs: Record<string, number>;
  preservesFunction: boolean;
  ms: number;
  solveMs: number;
}

function disposeAll(maps: readonly ParamMap[]): void {
  const seen = new Set<Tensor>();
  for (const m of maps) {
    for (const t of m.values()) {
      if (seen.has(t)) continue;
      seen.add(t);
      if (!t.isDisposed) t.dispose();
    }
  }
}

function gramBundle(acc: GramAccumulator): StatsBundle {
  const meta: Record<string, string | number> = { normalization: 'tokens' };
  for (const [site, c] of acc.counts) meta[`count.${site}`] = c;
  return { kind: 'gram', meta, entries: acc.entries(true) };
}

/**
 * Runs the merge unit by unit (see the module comment).
 * @throws StreamingUnsupportedError naming what the configuration asks that streaming cannot do;
 *   PipelineError / RegistryError for an invalid configuration; the aligner's or merger's errors.
 */
export async function streamingMerge(request: StreamingMergeRequest): Promise<StreamingMergeResult> {
  const { registry, models, batches } = request;
  const cfg = parsePipelineConfig(request.config);
  if (models.length < 2) throw new StreamingUnsupportedError([`${models.length} model(s) given; merging needs the anchor and at least one other model`]);
  const problems = streamingProblems({ registry, config: cfg, models });
  if (problems.length) throw new StreamingUnsupportedError(problems);
  const anchor = models[0];
  const spec = registry.architectureFor(anchor.config).buildSpec(anchor.config, { head: anchor.head });
  const rng = new Rng(cfg.seed ?? request.seed ?? 0);
  const solver = registry.solver(cfg.solver);
  const warnings: string[] = [];

  // The alignment step, resolved as runPipeline resolves it.
  const stepCfg = cfg.align[0];
  let aligner: Aligner<unknown> | undefined;
  let options: unknown;
  let selected: readonly SpaceSpec[] = [];
  let aligning = false;
  if (stepCfg) {
    aligner = registry.aligner(stepCfg.aligner) as Aligner<unknown>;
    const where = `align[0] (aligner '${STREAMING_ALIGNER}')`;
    const sel = selectSpaces(spec, stepCfg.spaces ?? aligner.components);
    for (const e of sel.empty) warnings.push(`${where}: selector '${e}' matches no space of '${spec.architecture}'`);
    selected = sel.spaces;
    options = aligner.options.parse(stepCfg.options ?? {});
    aligning = (aligner.needsFor?.(options, selected) ?? aligner.needs).length > 0;
  }
  const { method, ...rest } = cfg.merge!;
  const merger: UnitMerger = method === 'regmean' ? { method, params: registry.merger(method).params.parse(rest) as RegmeanParams } : { method: 'simple', params: registry.merger(method).params.parse(rest) as SimpleParams };
  const needsGrams = merger.method === 'regmean';
  const seeds = models.slice(1).map((_, k) => rng.fork(`model.${k}/align.0`).seed);
  const mlmDense = anchor.head === 'mlm' ? mlmHeadNames(anchor.config.modelType as EncoderModelType).dense.weight : undefined;

  const units = planUnits(anchor.config, anchor.head, [...anchor.shapes.keys()]);
  const times: StreamingTimes = { read: 0, forward: 0, solves: 0, assignment: 0, apply: 0, merge: 0, write: 0 };
  const clock = <T>(k: keyof StreamingTimes, fn: () => T): T => {
    const t0 = performance.now();
    try {
      return fn();
    } finally {
      times[k] += performance.now() - t0;
    }
  };
  const tally = new MergeTally();
  const accs: StepAcc[] = models.slice(1).map(() => ({ elements: new Map(), trace: [], sites: [], solves: [], warnings: [], matrices: {}, perLayerMs: {}, preservesFunction: true, ms: 0, solveMs: 0 }));
  // Forward passes are needed when some statistic is: Grams for RegMean, correlations for the aligner.
  const forwardNeeded = needsGrams || aligning;
  if (forwardNeeded && batches.length === 0) {
    throw new Error(`streaming merge: ${aligning ? `aligner '${STREAMING_ALIGNER}' (correlations)` : ''}${aligning && needsGrams ? ' and ' : ''}${needsGrams ? "merger 'regmean' (Grams)" : ''} need statistics, but no batches were given`);
  }
  const hidden: Tensor[][] = models.map(() => []);
  const wrap = (k: number, params: ParamMap): ModelWeights => ({ config: models[k].config, params, head: models[k].head, id: models[k].id });

  try {
    for (let u = 0; u < units.length; u++) {
      const unit = units[u];
      request.progress?.({ stage: 'streaming', done: u, total: units.length, detail: unit.label });
      if (unit.names.length === 0 && unit.kind === 'top') {
        // Post-LN without a head: nothing left to merge; the hidden states are no longer needed.
        break;
      }
      const params = clock('read', () => models.map((m) => m.read(unit.names)));
      const layerSpaces = unit.kind === 'layer' ? selected.filter((s) => s.layer === unit.layer) : [];
      const corrSites = new Set<string>();
      if (aligning) {
        for (const s of layerSpaces) {
          if (s.component === 'ffn' || s.component === 'attention-qk' || s.component === 'attention-vo') corrSites.add(siteOfSpace(spec, s)!);
        }
      }
      const dims = new Map(unit.gramSites.map((s) => [s, anchor.shapes.get(s)![1]] as [string, number]));
      const grams = needsGrams && dims.size ? models.map(() => new GramAccumulator(dims)) : undefined;
      const moments = models.slice(1).map(() => new Map<string, CrossMoments>());
      const runTop = unit.kind === 'top' && grams !== undefined;
      if (forwardNeeded && (unit.kind !== 'top' || runTop)) {
        clock('forward', () => {
          for (let b = 0; b < batches.length; b++) {
            const rows: Map<string, SiteRows>[] = [];
            for (let k = 0; k < models.length; k++) {
              const taps = new UnitTaps(grams?.[k], corrSites, mlmDense);
              const ctx = createForwardContext(models[k].config, batches[b], { taps });
              try {
                if (unit.kind === 'embeddings') hidden[k][b] = embedTokens(params[k], ctx);
                else if (unit.kind === 'layer') {
                  const next = encoderLayer(params[k], unit.layer!, hidden[k][b], ctx);
                  hidden[k][b].dispose();
                  hidden[k][b] = next;
                } else {
                  const y = encoderOutput(params[k], hidden[k][b], ctx);
                  if (models[k].head === 'classifier') {
                    const out = classifierHead(params[k], y, ctx);
                    out.logits.dispose();
                    out.pooled.dispose();
                  }
                  if (y !== hidden[k][b]) y.dispose();
                }
              } finally {
                ctx.dispose();
              }
              rows.push(taps.rows);
            }
            for (let k = 1; k < models.length; k++) for (const site of corrSites) addCorrelation(moments[k - 1], site, rows[0].get(site), rows[k].get(site));
          }
        });
      }
      if (unit.kind === 'top') for (const hs of hidden) for (const h of hs.splice(0)) h.dispose();

      // Align the layer of every model to the anchor's.
      const aligned: ParamMap[] = [params[0]];
      const gramBundles = grams?.map(gramBundle);
      for (let k = 1; k < models.length; k++) {
        if (!aligner || layerSpaces.length === 0) {
          aligned.push(params[k]);
          continue;
        }
        const t0 = performance.now();
        const stats = new Map<string, StatsBundle>(corrSites.size ? [['correlation', correlationBundle(moments[k - 1])]] : []);
        const r = await aligner.align({ spec, anchor: wrap(0, params[0]), model: wrap(k, params[k]), spaces: layerSpaces, options, stats, solver, seed: seeds[k - 1], progress: request.progress });
        const ms = performance.now() - t0;
        times.solves += ms;
        checkLayerTransform(spec, r.transform, layerSpaces, unit.label);
        const acc = accs[k - 1];
        joinStep(acc, r.transform, r.trace, r.diagnostics, ms);
        times.assignment += r.trace.reduce((s, e) => s + (e.ms ?? 0), 0);
        aligned.push(clock('apply', () => applyTransform(spec, r.transform, params[k])));
        if (gramBundles) gramBundles[k] = clock('apply', () => transformStatsBundle(spec, r.transform, gramBundles[k], 'linear-input-gram'));
      }

      const t1 = performance.now();
      const merged = await mergeUnit({ spec, names: unit.names, models: aligned.map((p, k) => wrap(k, p)), grams: gramBundles, merger, tally });
      times.merge += performance.now() - t1;
      try {
        clock('write', () => {
          for (const name of unit.names) request.write(name, merged.get(name)!);
        });
      } finally {
        disposeAll([...params, ...aligned, merged]);
      }
      request.onUnit?.(unit, u, units.length);
    }
    request.progress?.({ stage: 'streaming', done: units.length, total: units.length });
  } finally {
    for (const hs of hidden) for (const h of hs) if (!h.isDisposed) h.dispose();
  }

  const transforms: Transform[] = [];
  const steps: StepReport[] = [];
  accs.forEach((acc, k) => {
    const transform: Transform = { elements: acc.elements, preservesFunction: acc.preservesFunction, provenance: { aligner: STREAMING_ALIGNER, options: options as Record<string, unknown>, seed: seeds[k], solver: solver.id, streaming: true } };
    transforms.push(transform);
    if (!aligner) return;
    steps.push({
      model: k,
      step: 0,
      aligner: aligner.id,
      spaces: selected.map((s) => s.id),
      transform,
      trace: acc.trace,
      diagnostics: {
        aligner: aligner.id,
        options,
        sites: acc.sites,
        ...(Object.keys(acc.matrices).length ? { correlationMatrices: acc.matrices } : {}),
        solves: acc.solves,
        timings: { totalMs: acc.ms, solveMs: acc.solveMs, perLayerMs: acc.perLayerMs },
        preservesFunction: acc.preservesFunction,
        warnings: [...new Set(acc.warnings)],
      },
      ms: acc.ms,
    });
  });
  return { spec, transforms, steps, mergeDiagnostics: tally.diagnostics(merger, models.length), warnings, times, units: units.length };
}

/** The pipeline's check of a step's transform, for one layer's spaces. */
function checkLayerTransform(spec: SymmetrySpec, t: Transform, spaces: readonly SpaceSpec[], where: string): void {
  const allowed = new Set(spaces.map((s) => s.id));
  const outside = [...t.elements.keys(), ...[...(t.paramOverrides?.values() ?? [])].flatMap((m) => [...m.keys()])].filter((id) => !allowed.has(id));
  if (outside.length) throw new Error(`streaming merge, ${where}: the aligner returned elements for spaces outside the layer: ${[...new Set(outside)].join(', ')}`);
  const { structural, symmetry } = validateTransform(spec, t);
  const problems = t.preservesFunction ? [...structural, ...symmetry] : structural;
  if (problems.length) throw new Error(`streaming merge, ${where}: the aligner returned a transform that does not fit spec '${spec.architecture}': ${problems.join('; ')}`);
}

/** Adds one layer's alignment to the model's joined step. */
function joinStep(acc: StepAcc, t: Transform, trace: readonly TraceEvent[], diagnostics: Readonly<Record<string, unknown>>, ms: number): void {
  for (const [id, e] of t.elements) acc.elements.set(id, e);
  if (!t.preservesFunction) acc.preservesFunction = false;
  acc.trace.push(...trace);
  acc.ms += ms;
  const d = diagnostics as { sites?: unknown[]; solves?: unknown[]; warnings?: string[]; correlationMatrices?: Record<string, unknown>; timings?: { solveMs?: number; perLayerMs?: Record<string, number> } };
  acc.sites.push(...(d.sites ?? []));
  acc.solves.push(...(d.solves ?? []));
  acc.warnings.push(...(d.warnings ?? []));
  Object.assign(acc.matrices, d.correlationMatrices ?? {});
  acc.solveMs += d.timings?.solveMs ?? 0;
  for (const [layer, v] of Object.entries(d.timings?.perLayerMs ?? {})) acc.perLayerMs[layer] = (acc.perLayerMs[layer] ?? 0) + v;
}
