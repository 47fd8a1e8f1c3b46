/**
 * The main job (`symfuse merge`, `symfuse demo`): load the models and their statistics, align every
 * model to the anchor and merge (the symmetry pipeline, in a per-run DI container), evaluate the
 * endpoints, the vanilla and aligned interpolation curves and the merged model, and write the merged
 * model directory with `symfuse.yaml`, `report.json`, `report.md` and `plots/*.svg` — all into a
 * staging directory renamed into place at the end.
 */
import path from 'node:path';
import { type RunReport, toJsonSafe } from '@symfuse/eval';
import { saveModelDir } from '@symfuse/models';
import type { ModelWeights, StatsBundle, SymmetryRegistry } from '@symfuse/symmetry';
import type { Tensor } from '@symfuse/tensor';
import type { MergeConfig } from '../config.js';
import { EVAL_DEFAULTS, resolveSource, STATS_DEFAULTS } from '../data.js';
import type { DeviceModels } from '../device.js';
import { CliError, UsageError } from '../errors.js';
import { describeModel, loadCliModel } from '../models.js';
import type { Console } from '../progress.js';
import { createRun } from '../registry.js';
import { stageOutput } from '../staging.js';
import { readStats } from '../stats-files.js';
import { cliVersion } from '../version.js';
import { evaluate, evaluateDomains } from './evaluate.js';
import { alignSteps, distances, mergeReportHeader, stepMatrices, writeReport } from './report-parts.js';
import { createStatsProvider } from './stats-provider.js';
import { runStreamingMergeJob } from './streaming-merge-job.js';

/** How a job runs. */
export interface JobContext {
  readonly registry: SymmetryRegistry;
  readonly console: Console;
  readonly command: string;
  readonly force: boolean;
  /** The backend's name, for the record. */
  readonly backend: string;
  /** Where forward passes (statistics, evaluation) run; default: on the host models. */
  readonly device?: DeviceModels;
  readonly maxShardSize?: string;
  /** Also write `plots/*.png` beside the SVGs (`--png`). */
  readonly png?: boolean;
}

/** What {@link runMergeJob} returns. */
export interface MergeJobResult {
  readonly report: RunReport;
  readonly output: string;
}

/** Throws a CliError naming the first non-finite value of `params`. */
export function assertFinite(params: ReadonlyMap<string, Tensor>, what: string): void {
  for (const [name, t] of params) {
    const d = t.dataSync();
    for (let i = 0; i < d.length; i++) {
      if (!Number.isFinite(d[i])) throw new CliError(`${what}: parameter '${name}' has a non-finite value (${d[i]}) at flat index ${i}; nothing was written`);
    }
  }
}

/** Runs the job described by `cfg` (layer by layer when `cfg.streaming`: see `streaming-merge-job.ts`). */
export async function runMergeJob(cfg: MergeConfig, ctx: JobContext): Promise<MergeJobResult> {
  if (cfg.streaming) return runStreamingMergeJob(cfg, ctx);
  const { console: out } = ctx;
  const timings: Record<string, number> = {};
  const t0 = performance.now();
  // Sources are resolved first: an unknown name is a usage error, before any loading.
  const statsSource = cfg.data ? resolveSource(cfg.data, ctx.command, 'data') : undefined;
  const evalSpec = cfg.eval?.data ?? cfg.data;
  const evalSource = evalSpec ? resolveSource(evalSpec, ctx.command, 'eval.data') : undefined;
  const oodSource = cfg.eval?.ood ? resolveSource(cfg.eval.ood, ctx.command, 'eval.ood') : undefined;
  const staged = stageOutput(cfg.output, { force: ctx.force });
  try {
    const anchorIdx = cfg.anchor ?? 0;
    const order = [anchorIdx, ...cfg.models.map((_, i) => i).filter((i) => i !== anchorIdx)];
    out.info(`loading ${cfg.models.length} models`);
    const loaded = order.map((i) => loadCliModel(cfg.models[i].path));
    const published = new Map<ModelWeights, Map<string, StatsBundle>>();
    const statsFiles: string[][] = [];
    order.forEach((i, k) => {
      const files = cfg.models[i].stats === undefined ? [] : ([] as string[]).concat(cfg.models[i].stats!);
      statsFiles.push(files);
      const byKind = new Map<string, StatsBundle>();
      for (const f of files) {
        const b = readStats(f);
        if (byKind.has(b.kind)) throw new UsageError(`models[${i}].stats: two files hold '${b.kind}' statistics (${files.join(', ')})`, ctx.command);
        byKind.set(b.kind, b);
      }
      if (byKind.size) published.set(loaded[k].weights, byKind);
    });
    timings.load = performance.now() - t0;
    const [anchor, ...rest] = loaded;
    const tokenizer = anchor.tokenizer ?? loaded.find((m) => m.tokenizer)?.tokenizer;

    const t1 = performance.now();
    const run = createRun(ctx.registry, { seed: cfg.seed, progress: out.progress, solver: cfg.solver });
    let result;
    try {
      const statsProvider = createStatsProvider({
        registry: ctx.registry,
        source: statsSource,
        tokenizer,
        settings: { ...STATS_DEFAULTS, ...cfg.collect },
        published,
        progress: out.progress,
        device: ctx.device,
        onCollect: (kind, model, desc) => out.info(`collecting ${kind} statistics of ${model.id} on ${desc}`),
      });
      const pipelineConfig = { align: cfg.align, merge: cfg.merge, ...(cfg.solver ? { solver: cfg.solver } : {}), ...(cfg.seed !== undefined ? { seed: cfg.seed } : {}) };
      out.info(`aligning ${rest.length} model(s) to ${anchor.dir}${cfg.align.length ? ` with ${cfg.align.map((a) => a.aligner).join(' → ')}` : ' (no alignment)'}, merging with ${cfg.merge.method}`);
      result = await run.pipeline(pipelineConfig, { anchor: anchor.weights, models: rest.map((m) => m.weights), statsProvider });
    } finally {
      await run.dispose();
    }
    timings.pipeline = performance.now() - t1;
    for (const w of result.warnings) out.warn(w);
    const merged = result.merged;
    if (!merged) throw new CliError('the pipeline returned no merged model');
    assertFinite(merged, 'merged model');

    const t2 = performance.now();
    const mergedModel = { config: anchor.loaded.config, params: merged };
    saveModelDir(staged.dir, { ...mergedModel, tokenizer }, { force: true, metadata: { symfuse: cliVersion(), merge: cfg.merge.method }, ...(ctx.maxShardSize ? { maxShardSize: ctx.maxShardSize } : {}) });
    timings.save = performance.now() - t2;

    let evaluation;
    let outOfDomain;
    if (evalSource && tokenizer) {
      const t3 = performance.now();
      const settings = { ...EVAL_DEFAULTS, ...pick(cfg.eval, ['blocks', 'examples', 'batchSize', 'seed']) };
      const aligned = cfg.align.length ? result.aligned[0] : undefined;
      evaluation = await evaluate({
        source: evalSource,
        tokenizer,
        config: anchor.loaded.config,
        head: anchor.loaded.head,
        settings,
        points: cfg.eval?.points ?? 21,
        anchor: anchor.weights,
        models: rest.map((m) => m.weights),
        aligned,
        merged: mergedModel,
        curves: cfg.eval?.curves ?? ['vanilla', 'aligned'],
        progress: out.progress,
        device: ctx.device,
      });
      timings.evaluate = performance.now() - t3;
      if (oodSource) {
        const t4 = performance.now();
        const roles: Record<string, { config: unknown; params: ReadonlyMap<string, Tensor> }> = { anchor: anchor.weights };
        rest.forEach((m, k) => (roles[`model ${k + 1}`] = m.weights));
        roles.merged = mergedModel;
        outOfDomain = await evaluateDomains(oodSource, { tokenizer, config: anchor.loaded.config, head: anchor.loaded.head, settings, progress: out.progress, device: ctx.device }, roles);
        timings.outOfDomain = performance.now() - t4;
      }
    } else if (!evalSource) {
      out.warn("no evaluation data ('eval.data' or 'data'): the report has no loss barrier");
    } else {
      out.warn(`${anchor.dir} has no tokenizer: the report has no evaluation`);
    }

    const { header, method, mergeParams } = mergeReportHeader(staged, cfg, ctx);
    const report = writeReport(
      staged,
      {
        ...header,
        models: [
          ...loaded.map((m, k) => ({ role: k === 0 ? ('anchor' as const) : ('model' as const), path: m.dir, ...describeModel(m), ...(statsFiles[k].length ? { stats: statsFiles[k] } : {}) })),
          { role: 'merged' as const, path: cfg.output },
        ],
        ...(statsSource ? { statsData: statsSource.spec } : {}),
        alignment: alignSteps(result),
        merge: { method, params: mergeParams, ms: timings.pipeline, diagnostics: toJsonSafe(result.mergeDiagnostics ?? {}) },
        ...(evaluation ? { evaluation } : {}),
        ...(outOfDomain ? { outOfDomain } : {}),
        distances: distances(anchor.weights.params, rest[0].weights.params, cfg.align.length ? result.aligned[0].params : undefined),
        timings: { ...timings, total: performance.now() - t0 },
        warnings: [...result.warnings],
      },
      stepMatrices(result),
      { png: ctx.png },
    );
    staged.commit();
    return { report, output: path.resolve(cfg.output) };
  } catch (e) {
    staged.discard();
    throw e;
  }
}

function pick<T extends object>(o: T | undefined, keys: readonly string[]): Partial<Record<string, number>> {
  const r: Record<string, number> = {};
  for (const k of keys) {
    const v = (o as Record<string, unknown> | undefined)?.[k];
    if (typeof v === 'number') r[k] = v;
  }
  return r;
}
