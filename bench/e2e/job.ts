/**
 * The end-to-end job at BERT-base size, stage by stage, as `symfuse merge` runs it:
 * load two model directories → collect statistics (anchor × model correlations for Verma–Elbayad,
 * Grams of both models for RegMean) over the same tokens → align (FFN + head-perm attention) and merge
 * (RegMean) with `runPipeline` → evaluate the loss barrier over λ → write the merged model.
 *
 * Each stage reports its wall time, its FLOP count (matrix products) and GFLOP/s, its exact peak
 * resident memory (`VmHWM`, reset per stage) and the live memory after it (after a full GC). The
 * pipeline's own steps are timed by wrapping the aligner and merger objects and by the progress
 * events `runPipeline` emits, so nothing in the packages is changed to measure them.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fixedMasks } from '@symfuse/data';
import { interpolationCurve, mlmEvaluator } from '@symfuse/eval';
import { type ModelConfig, initParams, loadModelDir, openCheckpoint, parseModelConfig, saveModelDir } from '@symfuse/models';
import { permutationPlugin } from '@symfuse/plugins-permutation';
import { regmeanPlugin } from '@symfuse/plugins-regmean';
import {
  type Aligner,
  type Merger,
  type ModelBatch,
  type ModelWeights,
  type StatsBundle,
  type SymmetryPlugin,
  collectJointly,
  coreSymmetryPlugin,
  createRegistry,
  runPipeline,
} from '@symfuse/symmetry';
import { Rng, type Tensor } from '@symfuse/tensor';
import { startGemmPool } from '@symfuse/tensor/gemm';
import { type Dims, forwardFlops, gramProductFlops, jointStatsFlops, regmeanFlops } from './flops.js';
import { MiB, RssSampler, fullGc, procStatus, resetPeak, snapshot } from './memory.js';
import { type StreamingTimes, streamingMerge } from './streaming.js';

/** Sizes and switches of one run. */
export interface JobOptions {
  readonly layers: number;
  readonly d: number;
  readonly dff: number;
  readonly heads: number;
  readonly vocab: number;
  /** Tokens of the statistics sample (sequences of `seqLen`). */
  readonly tokens: number;
  readonly seqLen: number;
  /** Sequences per forward batch. */
  readonly batchSeqs: number;
  /** Evaluation blocks of `seqLen` tokens (15% masked) and λ points of the barrier. */
  readonly evalBlocks: number;
  readonly points: number;
  readonly skipEval: boolean;
  /**
   * `pipeline`: the job as `symfuse merge` runs it (whole models and statistics in memory);
   * `streaming`: the layer-by-layer merge (`streaming.ts`, the public `streamingMergeDirs`; no evaluation).
   */
  readonly mode: 'pipeline' | 'streaming';
  /** After the pipeline job, also run the streaming merge and compare the merged weights. */
  readonly checkStreaming: boolean;
  /** Directory for the model directories (a fresh temp dir inside it, removed at the end unless `keep`). */
  readonly workDir: string;
  readonly keep: boolean;
  readonly log: (line: string) => void;
}

/** One stage's measurements. */
export interface StageResult {
  readonly stage: string;
  readonly seconds: number;
  readonly gflop?: number;
  readonly gflops?: number;
  /** Bytes read or written (load, write), GB. */
  readonly gbytes?: number;
  /** Peak RSS during the stage (kernel high-water mark, reset at its start), MiB. */
  readonly peakMiB: number;
  /** Peak RSS seen by the sampler thread, MiB (a lower bound of the true peak). */
  readonly sampledPeakMiB: number;
  /** RSS after the stage and a full GC, MiB (includes memory the allocator keeps after frees). */
  readonly liveMiB: number;
  /** Array buffers and other off-heap memory V8 still references after the stage and a full GC, MiB. */
  readonly externalMiB?: number;
  readonly detail?: string;
}

/** What is held, in MiB, by kind. */
export interface MemoryAccount {
  /** Parameters of one model (f32). */
  readonly modelMiB: number;
  /** Correlation moments of the pair. */
  readonly correlationMiB: number;
  /** Grams of one model. */
  readonly gramMiB: number;
  /** RSS of the process before loading anything (runtime, code, worker pool), MiB. */
  readonly baselineMiB: number;
}

/** The result of a run. */
export interface JobResult {
  readonly options: Omit<JobOptions, 'log' | 'workDir' | 'keep' | 'checkStreaming'>;
  readonly params: number;
  readonly stages: StageResult[];
  /** Sum of the job's stages (generation excluded), seconds. */
  readonly totalSeconds: number;
  readonly peakMiB: number;
  readonly sampledPeakMiB: number;
  readonly memory: MemoryAccount;
  readonly barrier?: { readonly barrier: number; readonly barrierLinear: number; readonly lambdas: readonly number[]; readonly losses: readonly number[]; readonly mergedLoss: number };
  readonly pipeline: { readonly assignmentSolveMs: number; readonly alignMs: number; readonly spaces: number };
  /** `streaming` mode: the parts' times (ms) and the per-layer working set, MiB. */
  readonly streaming?: { readonly times: StreamingTimes; readonly layerParamsMiB: number; readonly layerStatsMiB: number; readonly hiddenStatesMiB: number };
  /** `checkStreaming`: largest |pipeline − streaming| over the merged weights, and where. */
  readonly streamingCheck?: { readonly maxAbsDiff: number; readonly param: string; readonly tensors: number; readonly controlMaxAbsDiff: number };
}

/** BERT-base (`bert-base-uncased` shapes), optionally with another layer count. */
export function bertConfig(o: Pick<JobOptions, 'layers' | 'd' | 'dff' | 'heads' | 'vocab'>): ModelConfig {
  return parseModelConfig({
    model_type: 'bert',
    architectures: ['BertForMaskedLM'],
    vocab_size: o.vocab,
    hidden_size: o.d,
    num_hidden_layers: o.layers,
    num_attention_heads: o.heads,
    intermediate_size: o.dff,
    hidden_act: 'gelu',
    max_position_embeddings: 512,
    type_vocab_size: 2,
    layer_norm_eps: 1e-12,
    pad_token_id: 0,
  });
}

/** BERT's special ids ([PAD], [UNK], [CLS], [SEP], [MASK]). */
const SPECIAL = { pad: 0, unk: 100, cls: 101, sep: 102, mask: 103 };

/** `count` sequences of random word-piece ids, `[CLS] … [SEP]`. */
function randomBlocks(count: number, seqLen: number, vocab: number, seed: number): Int32Array[] {
  const rng = new Rng(seed);
  const first = Math.min(1000, vocab >> 1);
  return Array.from({ length: count }, () => {
    const b = new Int32Array(seqLen);
    for (let t = 0; t < seqLen; t++) b[t] = first + Math.floor(rng.uniform() * (vocab - first));
    b[0] = SPECIAL.cls;
    b[seqLen - 1] = SPECIAL.sep;
    return b;
  });
}

function toBatches(blocks: Int32Array[], perBatch: number, seqLen: number): ModelBatch[] {
  const out: ModelBatch[] = [];
  for (let s = 0; s < blocks.length; s += perBatch) {
    const group = blocks.slice(s, s + perBatch);
    const ids = new Int32Array(group.length * seqLen);
    group.forEach((b, i) => ids.set(b, i * seqLen));
    out.push({ ids, mask: new Int32Array(ids.length).fill(1), batch: group.length, seqLen });
  }
  return out;
}

function bundleBytes(b: StatsBundle): number {
  let n = 0;
  for (const e of b.entries.values()) n += e.data.byteLength;
  return n;
}

function paramBytes(p: ReadonlyMap<string, Tensor>): number {
  let n = 0;
  for (const t of p.values()) n += t.size * (t.dtype === 'f64' ? 8 : 4);
  return n;
}

function dirBytes(dir: string): number {
  return readdirSync(dir).reduce((s, f) => s + statSync(join(dir, f)).size, 0);
}

/** Times stages and measures their memory. */
class StageMeter {
  readonly stages: StageResult[] = [];
  private readonly sampler = new RssSampler(50);
  overallPeak = 0;
  overallSampled = 0;

  constructor(private readonly log: (line: string) => void) {}

  async run<T>(stage: string, fn: () => Promise<T> | T, extra: (r: T, seconds: number) => Partial<StageResult> = () => ({})): Promise<T> {
    fullGc();
    resetPeak();
    this.sampler.reset();
    this.log(`[${stage}] …`);
    const t0 = performance.now();
    const r = await fn();
    const seconds = (performance.now() - t0) / 1e3;
    const peak = (procStatus()?.hwm ?? Number.NaN) / MiB;
    const sampled = Math.max(this.sampler.max, process.memoryUsage.rss()) / MiB;
    const snap = snapshot();
    const live = snap.rssMiB;
    const more = extra(r, seconds);
    const res: StageResult = { stage, seconds, peakMiB: peak, sampledPeakMiB: sampled, liveMiB: live, externalMiB: snap.externalMiB, ...more, ...(more.gflop !== undefined ? { gflops: more.gflop / seconds } : {}) };
    this.stages.push(res);
    this.overallPeak = Math.max(this.overallPeak, Number.isFinite(peak) ? peak : 0);
    this.overallSampled = Math.max(this.overallSampled, sampled);
    this.log(`[${stage}] ${seconds.toFixed(1)} s${res.gflops !== undefined ? `, ${res.gflops.toFixed(1)} GFLOP/s` : ''}; peak ${peak.toFixed(0)} MiB, live after ${live.toFixed(0)} MiB (V8 external ${snap.externalMiB.toFixed(0)} MiB)${res.detail ? `; ${res.detail}` : ''}`);
    return r;
  }

  stop(): Promise<number> {
    return this.sampler.stop();
  }
}

/** Wraps a plugin's aligners and mergers so that their calls are timed. */
function timedPlugin(p: SymmetryPlugin, times: { align: number[]; alignEnd: number[]; solveMs: number[]; spaces: number[]; merge: number[]; mergeStart: number[] }): SymmetryPlugin {
  const aligners = p.aligners?.map((a: Aligner<any>): Aligner<any> => ({
    ...a,
    align: async (req) => {
      const t0 = performance.now();
      const r = await a.align(req);
      const t1 = performance.now();
      times.align.push(t1 - t0);
      times.alignEnd.push(t1);
      // Verma–Elbayad records the time of each assignment solve in its trace.
      times.solveMs.push(r.trace.reduce((s, e) => s + (e.ms ?? 0), 0));
      times.spaces.push(req.spaces.length);
      return r;
    },
  }));
  const mergers = p.mergers?.map((m: Merger<any>): Merger<any> => ({
    ...m,
    merge: async (req) => {
      const t0 = performance.now();
      times.mergeStart.push(t0);
      const r = await m.merge(req);
      times.merge.push(performance.now() - t0);
      return r;
    },
  }));
  return { ...p, ...(aligners ? { aligners } : {}), ...(mergers ? { mergers } : {}) };
}

/** Runs the job once; the model directories are generated first (not part of the job's time). */
export async function runJob(o: JobOptions): Promise<JobResult> {
  const log = o.log;
  startGemmPool({ wait: true });
  const meter = new StageMeter(log);
  const config = bertConfig(o);
  const dims: Dims = { layers: o.layers, d: o.d, dff: o.dff, vocab: o.vocab };
  const root = mkdtempSync(join(o.workDir, 'symfuse-e2e-'));
  const dirA = join(root, 'model-a');
  const dirB = join(root, 'model-b');
  const outDir = join(root, 'merged');
  try {
    let params = 0;
    await meter.run('generate (setup)', () => {
      for (const [dir, seed] of [[dirA, 1], [dirB, 2]] as const) {
        const p = initParams(config, { seed, head: 'mlm' });
        params = 0;
        for (const t of p.values()) params += t.size;
        saveModelDir(dir, { config, params: p });
        for (const t of p.values()) t.dispose();
      }
    }, () => ({ detail: `2 × ${(params / 1e6).toFixed(1)} M parameters, ${(dirBytes(dirA) / 1e6).toFixed(0)} MB per model directory` }));
    const baselineMiB = snapshot().rssMiB;
    const seqs = Math.ceil(o.tokens / o.seqLen);
    const batches = toBatches(randomBlocks(seqs, o.seqLen, o.vocab, 7), o.batchSeqs, o.seqLen);
    const tokens = seqs * o.seqLen;
    const jobOptions = { layers: o.layers, d: o.d, dff: o.dff, heads: o.heads, vocab: o.vocab, tokens, seqLen: o.seqLen, batchSeqs: o.batchSeqs, evalBlocks: o.evalBlocks, points: o.points, skipEval: o.skipEval, mode: o.mode };

    if (o.mode === 'streaming') {
      const registry = createRegistry().use(coreSymmetryPlugin()).use(permutationPlugin()).use(regmeanPlugin()).freeze();
      let peakAfterLayer = 0;
      const r = await meter.run('streaming merge', () => streamingMerge({
        dirA, dirB, outDir, registry, batches, alpha: 0.9,
        onLayer: (l) => {
          peakAfterLayer = Math.max(peakAfterLayer, process.memoryUsage.rss() / MiB);
          if (l % 4 === 3 || l === o.layers - 1) log(`  layer ${l}: rss ${(process.memoryUsage.rss() / MiB).toFixed(0)} MiB`);
        },
      }), (res) => ({ detail: `${res.spaces} spaces; read ${(res.times.read / 1e3).toFixed(1)} s, forward + statistics ${(res.times.forward / 1e3).toFixed(1)} s, solves ${(res.times.solves / 1e3).toFixed(1)} s (assignment ${(res.times.assignment / 1e3).toFixed(2)} s), apply ${(res.times.apply / 1e3).toFixed(1)} s, merge ${(res.times.merge / 1e3).toFixed(1)} s, write ${(res.times.write / 1e3).toFixed(1)} s` }));
      const st = meter.stages[meter.stages.length - 1];
      const layerParams = config.numLayers > 0 ? (4 * o.d * o.d + 2 * o.d * o.dff + 9 * o.d + o.dff) * 4 : 0;
      const gramLayer = (3 * o.d * o.d + o.dff * o.dff) * 8;
      const corrLayer = (o.d * o.d + o.dff * o.dff) * 8;
      // Both forward passes, the correlation products (attention context and FFN activation) and both
      // models' Grams per layer, and RegMean's products and solves.
      const shapes: [number, number][] = [];
      for (let l = 0; l < o.layers; l++) shapes.push([o.d, o.d], [o.d, o.d], [o.d, o.d], [o.d, o.d], [o.dff, o.d], [o.d, o.dff]);
      shapes.push([o.d, o.d]);
      const gramWidths = [...Array.from({ length: o.layers }, () => [o.d, o.d, o.d, o.dff]).flat(), o.d];
      const stageFlop = 2 * forwardFlops(dims, tokens, o.seqLen) + o.layers * 2 * tokens * (o.d * o.d + o.dff * o.dff) + 2 * gramProductFlops(tokens, gramWidths) + regmeanFlops(shapes, 2);
      meter.stages[meter.stages.length - 1] = { ...st, gflop: stageFlop / 1e9, gflops: stageFlop / 1e9 / st.seconds };
      return {
        options: jobOptions,
        params,
        stages: meter.stages,
        totalSeconds: st.seconds,
        peakMiB: st.peakMiB,
        sampledPeakMiB: st.sampledPeakMiB,
        memory: { modelMiB: params * 4 / MiB, correlationMiB: (o.layers * corrLayer) / MiB, gramMiB: (o.layers * gramLayer) / MiB, baselineMiB },
        pipeline: { assignmentSolveMs: r.times.assignment, alignMs: r.times.solves, spaces: r.spaces },
        streaming: { times: r.times, layerParamsMiB: layerParams / MiB, layerStatsMiB: (3 * gramLayer + corrLayer) / MiB, hiddenStatesMiB: (2 * tokens * o.d * 4) / MiB },
      };
    }

    // load
    const [a, b] = await meter.run('load', () => [loadModelDir(dirA), loadModelDir(dirB)], () => ({ gbytes: (dirBytes(dirA) + dirBytes(dirB)) / 1e9 }));
    const anchor: ModelWeights = { config: a.config, params: a.params, head: 'mlm', id: 'model-a' };
    const model: ModelWeights = { config: b.config, params: b.params, head: 'mlm', id: 'model-b' };
    const modelMiB = paramBytes(a.params) / MiB;

    // statistics
    const times = { align: [] as number[], alignEnd: [] as number[], solveMs: [] as number[], spaces: [] as number[], merge: [] as number[], mergeStart: [] as number[] };
    const registry = createRegistry().use(coreSymmetryPlugin()).use(timedPlugin(permutationPlugin(), times)).use(timedPlugin(regmeanPlugin(), times)).freeze();
    const spec = registry.architectureFor(config).buildSpec(config, { head: 'mlm', params: a.params });
    const corrCollector = registry.collector('correlation', true);
    const gramCollector = registry.collector('gram', false);
    const stats = new Map<string, StatsBundle>();
    let statsFlops = 0;
    await meter.run('statistics', async () => {
      // As `symfuse merge` collects them (runPipeline's prefetch → collectJointly): the anchor × model
      // correlations and both models' Grams in one pass over the batches, one forward pass per model.
      const [corr, gramA, gramB] = await collectJointly(
        [
          { collector: corrCollector, request: { spec, model, reference: anchor } },
          { collector: gramCollector, request: { spec, model: anchor, options: { data: 'random ids' } } },
          { collector: gramCollector, request: { spec, model, options: { data: 'random ids' } } },
        ],
        batches,
      );
      stats.set('correlation', corr);
      stats.set('gram:a', gramA);
      stats.set('gram:b', gramB);
      const siteWidths = [...corr.entries.entries()].filter(([k]) => k.endsWith('/cross-moment')).map(([, e]) => e.shape[0]);
      const gramWidths = [...gramA.entries.values()].map((e) => e.shape[0]);
      statsFlops = jointStatsFlops(dims, tokens, o.seqLen, siteWidths, gramWidths);
      return { sites: siteWidths.length, gramSites: gramWidths.length };
    }, (r) => ({
      gflop: statsFlops / 1e9,
      detail: `one joint pass over ${tokens} tokens (2 forward passes): correlations at ${r.sites} sites + Grams at ${r.gramSites} sites × 2 models`,
    }));
    const correlationMiB = bundleBytes(stats.get('correlation')!) / MiB;
    const gramMiB = bundleBytes(stats.get('gram:a')!) / MiB;

    // align (solves) + apply + merge, in one runPipeline call, split by the wrappers and the progress events.
    const events: { stage: string; done: number; total: number; t: number }[] = [];
    const provider = async (kind: string, m: ModelWeights) => {
      const key = kind === 'gram' ? (m === anchor ? 'gram:a' : 'gram:b') : kind;
      const s = stats.get(key);
      if (!s) throw new Error(`e2e: no '${kind}' statistics prepared for ${m.id}`);
      return s;
    };
    const tp = performance.now();
    fullGc();
    resetPeak();
    const result = await runPipeline(
      registry,
      { align: [{ aligner: 'verma-elbayad', spaces: ['ffn', 'attention'], options: { ffn: true, mha: 'head-perm', residual: 'identity' } }], merge: { method: 'regmean', alpha: 0.9 }, seed: 0 },
      { anchor, models: [model], spec, statsProvider: provider, progress: (e) => events.push({ ...e, t: performance.now() }) },
    );
    const te = performance.now();
    const pipelinePeak = (procStatus()?.hwm ?? Number.NaN) / MiB;
    stats.clear();
    const alignMs = times.align.reduce((s, x) => s + x, 0);
    const solveMs = times.solveMs.reduce((s, x) => s + x, 0);
    const alignDone = events.find((e) => e.stage === 'align' && e.done === e.total)?.t ?? te;
    const mergeBegin = events.find((e) => e.stage === 'merge' && e.done === 0)?.t ?? alignDone;
    const applyMs = alignDone - (times.alignEnd[0] ?? alignDone) + (mergeBegin - alignDone);
    const statsMoveMs = (times.mergeStart[0] ?? te) - mergeBegin;
    const mergeMs = times.merge[0] ?? Number.NaN;
    const snapAfter = snapshot();
    const live = snapAfter.rssMiB;
    const linearShapes: [number, number][] = [];
    for (const [name, t] of anchor.params) if (t.rank === 2 && /(query|key|value|dense)\.weight$/.test(name)) linearShapes.push([t.shape[0], t.shape[1]]);
    const mergeFlop = regmeanFlops(linearShapes, 2);
    const share = (ms: number) => ({ seconds: ms / 1e3, peakMiB: pipelinePeak, sampledPeakMiB: pipelinePeak, liveMiB: live, externalMiB: snapAfter.externalMiB });
    meter.stages.push({ stage: 'solves (align)', ...share(alignMs), detail: `Verma–Elbayad on ${times.spaces[0] ?? 0} spaces: correlation matrices + ${(solveMs / 1e3).toFixed(2)} s of assignment solves` });
    meter.stages.push({ stage: 'apply', ...share(applyMs), detail: 'applyTransform (pure: a permuted copy of model B) + transform validation' });
    meter.stages.push({
      stage: 'merge',
      ...share(statsMoveMs + mergeMs),
      gflop: mergeFlop / 1e9,
      gflops: mergeFlop / 1e9 / (mergeMs / 1e3),
      detail: `RegMean ${(mergeMs / 1e3).toFixed(1)} s (${linearShapes.length} linear weights: W·G products, Cholesky, solves) after moving model B's Grams into the anchor's basis ${(statsMoveMs / 1e3).toFixed(1)} s`,
    });
    log(`[pipeline] ${((te - tp) / 1e3).toFixed(1)} s: align ${(alignMs / 1e3).toFixed(1)} s (assignment ${(solveMs / 1e3).toFixed(2)} s), apply ${(applyMs / 1e3).toFixed(1)} s, Gram transform ${(statsMoveMs / 1e3).toFixed(1)} s, RegMean ${(mergeMs / 1e3).toFixed(1)} s; peak ${pipelinePeak.toFixed(0)} MiB`);
    meter.overallPeak = Math.max(meter.overallPeak, pipelinePeak);
    const merged = result.merged!;
    const aligned = result.aligned[0];

    // evaluate
    let barrier: JobResult['barrier'];
    if (!o.skipEval) {
      const blocks = randomBlocks(o.evalBlocks, o.seqLen, o.vocab, 11);
      const masked = fixedMasks(blocks, 1234, { maskId: SPECIAL.mask, specialIds: [SPECIAL.pad, SPECIAL.unk, SPECIAL.cls, SPECIAL.sep, SPECIAL.mask], rate: 0.15 });
      const rows = masked.reduce((s, m) => s + m.positions.length, 0);
      const evaluator = mlmEvaluator(masked, `${o.evalBlocks} random blocks × ${o.seqLen}`, { batchSize: o.evalBlocks });
      const evalTokens = o.evalBlocks * o.seqLen;
      barrier = await meter.run('evaluate', async () => {
        const curve = await interpolationCurve(anchor, aligned, evaluator, { points: o.points });
        const m = await evaluator.evaluate({ config: anchor.config, params: merged });
        return { barrier: curve.barrier, barrierLinear: curve.barrierLinear, lambdas: curve.lambdas, losses: curve.losses, mergedLoss: m.loss };
      }, () => ({
        gflop: ((o.points + 1) * forwardFlops(dims, evalTokens, o.seqLen, rows)) / 1e9,
        detail: `${o.points} λ + the merged model, ${evalTokens} tokens each (${rows} masked rows scored)`,
      }));
    }

    // write
    await meter.run('write', () => saveModelDir(outDir, { config, params: merged }), () => ({ gbytes: dirBytes(outDir) / 1e9 }));
    let streamingCheck: JobResult['streamingCheck'];
    if (o.checkStreaming) {
      const file = join(root, 'streaming');
      await streamingMerge({ dirA, dirB, outDir: file, registry: createRegistry().use(coreSymmetryPlugin()).use(permutationPlugin()).use(regmeanPlugin()).freeze(), batches, alpha: 0.9 });
      const reader = openCheckpoint(file);
      let worst = { maxAbsDiff: 0, param: '', tensors: 0 };
      // Control, so the check can fail: the merged weights differ from the plain mean of A and B.
      let control = 0;
      try {
        for (const [name, t] of merged) {
          const want = t.dataSync();
          const got = reader.read(name).data as Float32Array;
          let m = 0;
          for (let i = 0; i < want.length; i++) m = Math.max(m, Math.abs(want[i] - got[i]));
          const ta = a.params.get(name)!.dataSync();
          const tb = b.params.get(name)!.dataSync();
          for (let i = 0; i < want.length; i++) control = Math.max(control, Math.abs(got[i] - 0.5 * (ta[i] + tb[i])));
          worst = m >= worst.maxAbsDiff ? { maxAbsDiff: m, param: name, tensors: worst.tensors + 1 } : { ...worst, tensors: worst.tensors + 1 };
        }
        if (reader.keys().length !== merged.size) throw new Error(`streaming check: the streaming file has ${reader.keys().length} tensors, the pipeline merged ${merged.size}`);
      } finally {
        reader.close();
      }
      streamingCheck = { ...worst, controlMaxAbsDiff: control };
      log(`[streaming check] ${worst.tensors} tensors; max |pipeline − streaming| = ${worst.maxAbsDiff.toExponential(2)} (${worst.param}); control max |streaming − mean(A, B)| = ${control.toExponential(2)}`);
    }
    const jobStages = meter.stages.filter((s) => !s.stage.endsWith('(setup)'));
    const res: JobResult = {
      options: jobOptions,
      params,
      stages: meter.stages,
      totalSeconds: jobStages.reduce((s, x) => s + x.seconds, 0),
      peakMiB: Math.max(...jobStages.map((s) => s.peakMiB)),
      sampledPeakMiB: Math.max(...jobStages.map((s) => s.sampledPeakMiB)),
      memory: { modelMiB, correlationMiB, gramMiB, baselineMiB },
      ...(barrier ? { barrier } : {}),
      pipeline: { assignmentSolveMs: solveMs, alignMs, spaces: times.spaces[0] ?? 0 },
      ...(streamingCheck ? { streamingCheck } : {}),
    };
    return res;
  } finally {
    await meter.stop();
    if (!o.keep) rmSync(root, { recursive: true, force: true });
    else log(`kept ${root}`);
  }
}

