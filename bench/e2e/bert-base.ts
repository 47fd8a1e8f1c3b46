/**
 * The end-to-end job at BERT-base size (issue 12): two BERT-base-shaped models with random weights
 * (12 layers, 768, 3072, 12 heads, vocabulary 30522) written as safetensors model directories, loaded,
 * aligned with Verma–Elbayad (FFN + head-perm attention) on 4096 tokens, merged with RegMean (Grams
 * over the same tokens), evaluated over a 21-λ barrier on 8 blocks of 128 tokens (15% masked MLM
 * loss), and written. Reports every stage's time, GFLOP/s and peak resident memory.
 *
 *   node --import tsx bench/e2e/bert-base.ts [--layers 12] [--tokens 4096] [--skip-eval] [--smoke] [--keep]
 *                                            [--work DIR] [--out DIR | --json FILE]
 *   node --import tsx bench/e2e/bert-base.ts --streaming [--layers 12] [--skip-eval] [--streaming-merge]
 *       runs the job in fresh processes at L and 2L layers and compares their peak memory
 *   --streaming-merge   the layer-by-layer merge of streaming.ts instead of the in-memory pipeline
 *                       (load + statistics + solves + apply + merge + write in one pass; no evaluation)
 *   --check-streaming   after the pipeline job, also run the streaming merge and compare the weights
 *
 * `--smoke` uses a tiny model (a functional check). Results: `bench/results/e2e-bert-base-L<layers>-
 * <machine>-<date>.{json,md}` (and `e2e-streaming-…` for `--streaming`).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadAverage } from '../lib/harness.js';
import { isoDate, type MachineInfo, machineInfo, machineSlug } from '../lib/machine.js';
import { type JobOptions, type JobResult, runJob } from './job.js';
import { renderJobMarkdown, renderStreamingMarkdown, type StreamingRow, streamingRow } from './render.js';

const here = dirname(fileURLToPath(import.meta.url));

/** A results file of one run. */
export interface E2eReport {
  readonly tool: 'symfuse bench e2e';
  readonly createdAt: string;
  readonly machine: MachineInfo;
  readonly backend: string;
  readonly loadAverageEnd: readonly number[];
  readonly result: JobResult;
}

interface Args {
  layers: number;
  tokens?: number;
  streamingMerge: boolean;
  checkStreaming: boolean;
  smoke: boolean;
  skipEval: boolean;
  keep: boolean;
  streaming: boolean;
  work: string;
  out: string;
  json?: string;
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = { layers: 12, streamingMerge: false, checkStreaming: false, smoke: false, skipEval: false, keep: false, streaming: false, work: tmpdir(), out: join(here, '..', 'results') };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`bert-base: ${k} needs a value`);
      return v;
    };
    if (k === '--layers') {
      a.layers = Number(value());
      if (!Number.isInteger(a.layers) || a.layers < 1) throw new Error(`bert-base: --layers ${a.layers}; expected a positive integer`);
    } else if (k === '--tokens') {
      a.tokens = Number(value());
      if (!Number.isInteger(a.tokens) || a.tokens < 1) throw new Error(`bert-base: --tokens ${a.tokens}; expected a positive integer`);
    } else if (k === '--smoke') a.smoke = true;
    else if (k === '--skip-eval') a.skipEval = true;
    else if (k === '--keep') a.keep = true;
    else if (k === '--streaming') a.streaming = true;
    else if (k === '--streaming-merge') a.streamingMerge = true;
    else if (k === '--check-streaming') a.checkStreaming = true;
    else if (k === '--work') a.work = value();
    else if (k === '--out') a.out = value();
    else if (k === '--json') a.json = value();
    else throw new Error(`bert-base: unknown option '${k}' (see the header of bench/e2e/bert-base.ts)`);
  }
  return a;
}

function jobOptions(a: Args, log: (line: string) => void): JobOptions {
  const base = { layers: a.layers, skipEval: a.skipEval, mode: a.streamingMerge ? ('streaming' as const) : ('pipeline' as const), checkStreaming: a.checkStreaming, workDir: a.work, keep: a.keep, log };
  if (a.smoke) return { ...base, d: 64, dff: 128, heads: 4, vocab: 1200, tokens: a.tokens ?? 512, seqLen: 64, batchSeqs: 4, evalBlocks: 2, points: 5 };
  return { ...base, d: 768, dff: 3072, heads: 12, vocab: 30522, tokens: a.tokens ?? 4096, seqLen: 128, batchSeqs: 8, evalBlocks: 8, points: 21 };
}

async function single(a: Args): Promise<E2eReport> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const machine = machineInfo();
  log(`machine: ${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}; load average ${machine.loadAverage.join(' ')}`);
  const result = await runJob(jobOptions(a, log));
  const report: E2eReport = { tool: 'symfuse bench e2e', createdAt: new Date().toISOString(), machine, backend: 'cpu', loadAverageEnd: loadAverage(), result };
  const md = renderJobMarkdown(report);
  process.stdout.write(md);
  if (a.json) writeFileSync(a.json, `${JSON.stringify(report, null, 1)}\n`);
  else {
    mkdirSync(a.out, { recursive: true });
    const base = join(a.out, `e2e-bert-base-L${a.layers}${a.streamingMerge ? '-streaming-merge' : ''}${a.smoke ? '-smoke' : ''}-${machineSlug(machine)}-${isoDate()}`);
    writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 1)}\n`);
    writeFileSync(`${base}.md`, md);
    log(`wrote ${base}.json and ${base}.md`);
  }
  return report;
}

/** Runs the job in fresh processes at L and 2L layers (so each peak is its own) and compares. */
function streaming(a: Args): void {
  const rows: StreamingRow[] = [];
  const reports: E2eReport[] = [];
  for (const layers of [a.layers, 2 * a.layers]) {
    const json = join(tmpdir(), `symfuse-e2e-L${layers}-${process.pid}.json`);
    const args = ['--import', 'tsx', fileURLToPath(import.meta.url), '--layers', String(layers), '--json', json, '--work', a.work];
    if (a.smoke) args.push('--smoke');
    if (a.skipEval) args.push('--skip-eval');
    if (a.streamingMerge) args.push('--streaming-merge');
    if (a.tokens !== undefined) args.push('--tokens', String(a.tokens));
    process.stderr.write(`--- ${layers} layers ---\n`);
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`bert-base --layers ${layers} exited with ${r.status ?? r.signal}`);
    const rep = JSON.parse(readFileSync(json, 'utf8')) as E2eReport;
    reports.push(rep);
    rows.push(streamingRow(rep.result));
  }
  const md = renderStreamingMarkdown(reports, rows);
  process.stdout.write(md);
  mkdirSync(a.out, { recursive: true });
  const base = join(a.out, `e2e-${a.streamingMerge ? 'streaming-merge' : 'pipeline'}-memory-L${a.layers}-L${2 * a.layers}${a.smoke ? '-smoke' : ''}-${machineSlug(reports[0].machine)}-${isoDate()}`);
  writeFileSync(`${base}.json`, `${JSON.stringify({ tool: 'symfuse bench e2e streaming', createdAt: new Date().toISOString(), rows, reports }, null, 1)}\n`);
  writeFileSync(`${base}.md`, md);
  process.stderr.write(`wrote ${base}.json and ${base}.md\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
  if (args.streaming) streaming(args);
  else await single(args);
  process.exit(0);
}
