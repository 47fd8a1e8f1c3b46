/**
 * Markdown of the end-to-end results: the stage table of one run, and the memory comparison of a run
 * at L and at 2L layers (the streaming check).
 */
import type { MachineInfo } from '../lib/machine.js';
import type { JobResult } from './job.js';

interface Report {
  readonly createdAt: string;
  readonly machine: MachineInfo;
  readonly backend: string;
  readonly loadAverageEnd: readonly number[];
  readonly result: JobResult;
}

const f = (x: number | undefined, d = 1) => (x === undefined || !Number.isFinite(x) ? '' : x.toFixed(d));

/** The stage table of one run. */
export function renderJobMarkdown(r: Report): string {
  const x = r.result;
  const o = x.options;
  const m = r.machine;
  const out: string[] = [];
  out.push(`### End-to-end job: ${o.layers} layers × (d ${o.d}, d_ff ${o.dff}, ${o.heads} heads), vocabulary ${o.vocab} — ${r.createdAt.slice(0, 16).replace('T', ' ')} UTC`);
  out.push('');
  out.push(`- Machine: ${m.cpuModel}, ${m.cores} cores, Node ${m.node}; backend \`${r.backend}\` (GEMM pool of ${m.gemmThreads} threads)`);
  out.push(`- Load average (1/5/15 min): ${m.loadAverage.map((v) => v.toFixed(2)).join(' ')} at the start, ${r.loadAverageEnd.map((v) => v.toFixed(2)).join(' ')} at the end`);
  out.push(`- ${(x.params / 1e6).toFixed(1)} M parameters per model; statistics over ${o.tokens} tokens (${o.tokens / o.seqLen} × ${o.seqLen}, batches of ${o.batchSeqs}); barrier over ${o.points} λ on ${o.evalBlocks} blocks × ${o.seqLen}${o.skipEval ? ' (skipped)' : ''}`);
  out.push('');
  out.push('| Stage | Seconds | GFLOP | GFLOP/s | Peak RSS MiB | RSS after MiB | Buffers after MiB | Detail |');
  out.push('|---|---:|---:|---:|---:|---:|---:|---|');
  for (const s of x.stages) {
    const tput = s.gflops !== undefined ? f(s.gflops) : s.gbytes !== undefined ? `${f(s.gbytes / s.seconds, 2)} GB/s` : '';
    out.push(`| ${s.stage} | ${f(s.seconds)} | ${f(s.gflop, 0)} | ${tput} | ${f(s.peakMiB, 0)} | ${f(s.liveMiB, 0)} | ${f(s.externalMiB, 0)} | ${(s.detail ?? '').replace(/\|/g, '\\|')} |`);
  }
  out.push(`| **job total** (without generation) | **${f(x.totalSeconds)}** | ${f(x.stages.filter((s) => !s.stage.endsWith('(setup)')).reduce((a, s) => a + (s.gflop ?? 0), 0), 0)} |  | **${f(x.peakMiB, 0)}** |  |  |  |`);
  out.push('');
  out.push('RSS after = resident memory after the stage and a full GC (includes what the allocator keeps after frees); buffers after = array buffers V8 still references (what is really live).');
  out.push('');
  if (x.streaming) {
    const w = x.streaming;
    out.push(`Streaming merge (layer by layer, bench/e2e/streaming.ts): one layer's weights ${f(w.layerParamsMiB, 0)} MiB per model, one layer's statistics ${f(w.layerStatsMiB, 0)} MiB (Grams of A, B and B moved, correlations), hidden states of both models ${f(w.hiddenStatesMiB, 0)} MiB.`);
  } else {
    out.push('Solves, apply and merge run inside one `runPipeline` call; their peak column is the peak of that call.');
  }
  if (x.streamingCheck) {
    out.push('');
    out.push(`Streaming check: the layer-by-layer merge wrote ${x.streamingCheck.tensors} tensors; max |pipeline − streaming| = ${x.streamingCheck.maxAbsDiff.toExponential(2)} (control: max |streaming − mean(A, B)| = ${x.streamingCheck.controlMaxAbsDiff.toExponential(2)}).`);
  }
  const mem = x.memory;
  const stats = mem.correlationMiB + 2 * mem.gramMiB;
  out.push('');
  out.push(`Memory: one model ${f(mem.modelMiB, 0)} MiB; correlation moments ${f(mem.correlationMiB, 0)} MiB; Grams ${f(mem.gramMiB, 0)} MiB per model; ` +
    `baseline (runtime before loading) ${f(mem.baselineMiB, 0)} MiB. Models + statistics = ${f(2 * mem.modelMiB + stats, 0)} MiB; ` +
    `peak − baseline = ${f(x.peakMiB - mem.baselineMiB, 0)} MiB.`);
  if (x.barrier) {
    out.push('');
    out.push(`Loss barrier of the aligned curve (Eq. 10 / linear): ${f(x.barrier.barrier, 4)} / ${f(x.barrier.barrierLinear, 4)} nats; losses λ=0 ${f(x.barrier.losses[0], 4)}, λ=1 ${f(x.barrier.losses[x.barrier.losses.length - 1], 4)}; merged (RegMean) ${f(x.barrier.mergedLoss, 4)}.`);
  }
  return `${out.join('\n')}\n`;
}

/** One line of the streaming comparison. */
export interface StreamingRow {
  readonly layers: number;
  readonly paramsM: number;
  readonly totalSeconds: number;
  readonly modelsMiB: number;
  readonly statsMiB: number;
  readonly baselineMiB: number;
  readonly peakMiB: number;
  /** Peak per stage, MiB. */
  readonly stagePeaks: Readonly<Record<string, number>>;
}

export function streamingRow(x: JobResult): StreamingRow {
  const stagePeaks: Record<string, number> = {};
  for (const s of x.stages) stagePeaks[s.stage] = s.peakMiB;
  return {
    layers: x.options.layers,
    paramsM: x.params / 1e6,
    totalSeconds: x.totalSeconds,
    modelsMiB: 2 * x.memory.modelMiB,
    statsMiB: x.memory.correlationMiB + 2 * x.memory.gramMiB,
    baselineMiB: x.memory.baselineMiB,
    peakMiB: x.peakMiB,
    stagePeaks,
  };
}

/** The L vs 2L table: does the peak double? */
export function renderStreamingMarkdown(reports: readonly Report[], rows: readonly StreamingRow[]): string {
  const out: string[] = [];
  const m = reports[0].machine;
  out.push(`### Streaming check: peak memory at ${rows.map((r) => r.layers).join(' and ')} layers — ${reports[0].createdAt.slice(0, 16).replace('T', ' ')} UTC`);
  out.push('');
  out.push(`- Machine: ${m.cpuModel}, ${m.cores} cores, Node ${m.node}; load average ${reports.map((r) => r.machine.loadAverage[0].toFixed(2)).join(' / ')} at the starts, ${reports.map((r) => r.loadAverageEnd[0].toFixed(2)).join(' / ')} at the ends`);
  out.push('');
  out.push('| Layers | Params (M) | Job s | 2 models MiB | Statistics MiB | Baseline MiB | Peak RSS MiB | Peak − baseline | (Peak − baseline) ÷ (models + statistics) |');
  out.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    out.push(`| ${r.layers} | ${f(r.paramsM)} | ${f(r.totalSeconds)} | ${f(r.modelsMiB, 0)} | ${f(r.statsMiB, 0)} | ${f(r.baselineMiB, 0)} | ${f(r.peakMiB, 0)} | ${f(r.peakMiB - r.baselineMiB, 0)} | ${f((r.peakMiB - r.baselineMiB) / (r.modelsMiB + r.statsMiB), 2)} |`);
  }
  if (rows.length === 2) {
    const [a, b] = rows;
    out.push('');
    out.push(`Peak ratio ${b.layers}/${a.layers} layers: ${f(b.peakMiB / a.peakMiB, 2)} (above baseline: ${f((b.peakMiB - b.baselineMiB) / (a.peakMiB - a.baselineMiB), 2)}).`);
    const stages = Object.keys(a.stagePeaks);
    out.push('');
    out.push(`| Stage peak MiB | ${rows.map((r) => `${r.layers} layers`).join(' | ')} | ratio |`);
    out.push(`|---|${rows.map(() => '---:').join('|')}|---:|`);
    for (const s of stages) out.push(`| ${s} | ${rows.map((r) => f(r.stagePeaks[s], 0)).join(' | ')} | ${f(b.stagePeaks[s] / a.stagePeaks[s], 2)} |`);
  }
  return `${out.join('\n')}\n`;
}
