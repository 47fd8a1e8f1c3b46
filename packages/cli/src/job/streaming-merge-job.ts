/**
 * `symfuse merge` with `streaming: true`: the merge runs unit by unit (`streaming/`), so memory holds
 * one layer of each model instead of whole models; the output directory gets the same model files a
 * non-streaming merge writes (config.json, model.safetensors or shards, tokenizer files) plus
 * `symfuse.yaml`, `report.json`, `report.md` and the plots the report supports, all staged and renamed
 * into place at the end.
 *
 * Evaluation loads one model at a time (the anchor, each model, the merged model) and scores it, so
 * memory stays below the size of the models being merged. The interpolation curves are not computed:
 * each point needs two whole models and their interpolation in memory at once.
 */
import path from 'node:path';
import { type EvalScore, type ReportDomainEvaluation, type ReportEvaluation, type RunReport, toJsonSafe } from '@symfuse/eval';
import { type LazyModelDir, openModelDir } from '@symfuse/models';
import type { ModelBatch } from '@symfuse/symmetry';
import { type MergeConfig, streamingConfigProblems } from '../config.js';
import { EVAL_DEFAULTS, evalSample, resolveSource, STATS_DEFAULTS, sourceDomains, statsSample } from '../data.js';
import { CliError, UsageError } from '../errors.js';
import { loadCliModel } from '../models.js';
import { stageOutput } from '../staging.js';
import { cliVersion } from '../version.js';
import type { JobContext, MergeJobResult } from './merge-job.js';
import { alignSteps, mergeReportHeader, stepMatrices, writeReport } from './report-parts.js';
import { modelFromDir, streamingMergeToDir, streamingProblems, StreamingUnsupportedError } from './streaming/index.js';

/** Opens a model directory lazily with the CLI's one-line errors. */
function openCliModel(dir: string): LazyModelDir {
  let m: LazyModelDir;
  try {
    m = openModelDir(dir);
  } catch (e) {
    const msg = (e as Error).message;
    throw new CliError(msg.startsWith(dir) ? msg : `${dir}: ${msg}`);
  }
  if (m.report.missing.length) {
    m.close();
    throw new CliError(`${dir}: missing tensors ${m.report.missing.slice(0, 5).join(', ')}${m.report.missing.length > 5 ? ', …' : ''}`);
  }
  return m;
}

function describe(m: LazyModelDir): { architecture: string; head: string; params: number } {
  let params = 0;
  for (const s of m.shapes.values()) params += s.reduce((a, b) => a * b, 1);
  const family = m.config.modelType === 'roberta' ? 'Roberta' : 'Bert';
  const suffix = m.head === 'mlm' ? 'ForMaskedLM' : m.head === 'classifier' ? 'ForSequenceClassification' : 'Model';
  return { architecture: m.config.architectures?.[0] ?? `${family}${suffix}`, head: m.head, params };
}

/** Yields to the event loop (Ctrl-C stays responsive between long synchronous stretches). */
const breathe = () => new Promise((r) => setImmediate(r));

/** Runs the streaming job described by `cfg` (`cfg.streaming` is true). */
export async function runStreamingMergeJob(cfg: MergeConfig, ctx: JobContext): Promise<MergeJobResult> {
  const { console: out } = ctx;
  const timings: Record<string, number> = {};
  const t0 = performance.now();
  const early = streamingConfigProblems(cfg, ctx.registry, ctx.backend);
  if (early.length) throw new UsageError(`streaming = true is not supported for this configuration: ${early.join('; ')} (remove 'streaming' to merge in memory)`, ctx.command);
  const statsSource = cfg.data ? resolveSource(cfg.data, ctx.command, 'data') : undefined;
  const evalSpec = cfg.eval?.data ?? cfg.data;
  const evalSource = evalSpec ? resolveSource(evalSpec, ctx.command, 'eval.data') : undefined;
  const oodSource = cfg.eval?.ood ? resolveSource(cfg.eval.ood, ctx.command, 'eval.ood') : undefined;
  const staged = stageOutput(cfg.output, { force: ctx.force });
  const opened: LazyModelDir[] = [];
  try {
    const anchorIdx = cfg.anchor ?? 0;
    const order = [anchorIdx, ...cfg.models.map((_, i) => i).filter((i) => i !== anchorIdx)];
    out.info(`opening ${cfg.models.length} models (streaming: weights are read layer by layer)`);
    for (const i of order) opened.push(openCliModel(cfg.models[i].path));
    const models = opened.map(modelFromDir);
    const problems = streamingProblems({ registry: ctx.registry, config: cfg, models });
    if (problems.length) throw new UsageError(`streaming = true is not supported for these models: ${problems.join('; ')} (remove 'streaming' to merge in memory)`, ctx.command);
    const anchor = opened[0];
    const tokenizer = anchor.tokenizer ?? opened.find((m) => m.tokenizer)?.tokenizer;
    timings.load = performance.now() - t0;

    // Statistics: what the aligner (correlations) or RegMean (Grams) need, on the configured data.
    const needsStats = cfg.align.length > 0 || cfg.merge.method === 'regmean';
    let batches: ModelBatch[] = [];
    if (needsStats) {
      const who = cfg.align.length ? `aligner '${cfg.align[0].aligner}'` : `merger '${cfg.merge.method}'`;
      if (!statsSource) throw new CliError(`${who} needs statistics, but no data was given to collect them (set 'data')`);
      if (!tokenizer) throw new CliError(`collecting statistics on ${statsSource.spec} needs a tokenizer; ${anchor.dir} has no tokenizer.json`);
      const sample = statsSample(statsSource, tokenizer, anchor.config, anchor.head, { ...STATS_DEFAULTS, ...cfg.collect });
      batches = sample.batches;
      out.info(`statistics on ${sample.description}, collected layer by layer`);
    }
    out.info(`merging ${opened.length} models layer by layer${cfg.align.length ? ` with ${cfg.align[0].aligner}` : ' (no alignment)'}, merging with ${cfg.merge.method}`);
    const t1 = performance.now();
    const pipelineConfig = { align: cfg.align, merge: cfg.merge, ...(cfg.solver ? { solver: cfg.solver } : {}), ...(cfg.seed !== undefined ? { seed: cfg.seed } : {}) };
    let result;
    try {
      result = await streamingMergeToDir({
        registry: ctx.registry,
        models,
        batches,
        config: pipelineConfig,
        dir: staged.ensure(),
        modelConfig: anchor.config,
        tokenizer,
        metadata: { symfuse: cliVersion(), merge: cfg.merge.method },
        ...(ctx.maxShardSize ? { maxShardSize: ctx.maxShardSize } : {}),
        progress: out.progress,
      });
    } catch (e) {
      if (e instanceof StreamingUnsupportedError) throw new UsageError(`streaming = true: ${e.message}`, ctx.command);
      throw e;
    }
    timings.pipeline = performance.now() - t1;
    for (const m of opened) m.close();
    for (const w of result.warnings) out.warn(w);

    let evaluation: ReportEvaluation | undefined;
    let outOfDomain: ReportDomainEvaluation[] | undefined;
    const warnings = [...result.warnings];
    if (evalSource && tokenizer) {
      const t3 = performance.now();
      if (cfg.eval?.curves === undefined || cfg.eval.curves.length > 0) {
        const w = 'streaming: the interpolation curves (and their barriers) are not computed — each point needs two whole models in memory; the report scores the endpoints and the merged model';
        out.warn(w);
        warnings.push(w);
      }
      const settings = { ...EVAL_DEFAULTS, ...pick(cfg.eval, ['blocks', 'examples', 'batchSize', 'seed']) };
      const ev = evalSample(evalSource, tokenizer, anchor.config, anchor.head, settings);
      const dirs = [...order.map((i) => cfg.models[i].path), staged.dir];
      const roles = ['anchor', ...order.slice(1).map((_, k) => `model ${k + 1}`), 'merged'];
      const domains = oodSource ? sourceDomains(oodSource).map((d) => ({ domain: d, sample: evalSample(oodSource, tokenizer, anchor.config, anchor.head, settings, d) })) : [];
      const scores: EvalScore[] = [];
      const ood = domains.map(() => ({} as Record<string, EvalScore>));
      // One model in memory at a time: load, score (on every held-out set), drop.
      for (let k = 0; k < dirs.length; k++) {
        const m = loadCliModel(dirs[k]);
        const model = ctx.device?.model(m.weights) ?? m.weights;
        scores.push(await ev.evaluator.evaluate(model));
        out.progress({ stage: 'evaluate', done: k + 1, total: dirs.length, detail: roles[k] });
        for (let j = 0; j < domains.length; j++) ood[j][roles[k]] = await domains[j].sample.evaluator.evaluate(model);
        ctx.device?.release(m.weights.params);
        for (const t of m.weights.params.values()) t.dispose();
        await breathe();
      }
      evaluation = { kind: ev.evaluator.kind, description: ev.evaluator.description, sample: ev.sample, anchor: scores[0], models: scores.slice(1, -1), merged: scores[scores.length - 1] };
      if (oodSource) outOfDomain = domains.map((d, j) => ({ domain: d.domain, description: d.sample.evaluator.description, scores: ood[j] }));
      timings.evaluate = performance.now() - t3;
    } else if (!evalSource) {
      out.warn("no evaluation data ('eval.data' or 'data'): the report has no evaluation");
    } else {
      out.warn(`${anchor.dir} has no tokenizer: the report has no evaluation`);
    }

    const { header, method, mergeParams } = mergeReportHeader(staged, cfg, ctx);
    const report: RunReport = writeReport(
      staged,
      {
        ...header,
        models: [
          ...opened.map((m, k) => ({ role: k === 0 ? ('anchor' as const) : ('model' as const), path: m.dir, ...describe(m) })),
          { role: 'merged' as const, path: cfg.output },
        ],
        ...(needsStats && statsSource ? { statsData: statsSource.spec } : {}),
        alignment: alignSteps(result),
        merge: { method, params: mergeParams, ms: timings.pipeline, diagnostics: toJsonSafe({ ...result.mergeDiagnostics, streaming: { units: result.units, times: result.times, files: result.checkpoint.files } }) },
        ...(evaluation ? { evaluation } : {}),
        ...(outOfDomain ? { outOfDomain } : {}),
        timings: { ...timings, total: performance.now() - t0 },
        warnings,
      },
      stepMatrices(result),
      { png: ctx.png },
    );
    staged.commit();
    return { report, output: path.resolve(cfg.output) };
  } catch (e) {
    staged.discard();
    throw e;
  } finally {
    for (const m of opened) m.close();
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
