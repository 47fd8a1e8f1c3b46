/**
 * `pnpm bench` / `symfuse bench`: the tinybench suites at the sizes of one BERT-base layer over 4096
 * tokens — matmul, layerNorm, attention, covariance accumulation, assignment (exact on the CPU, auction
 * on WebGPU), batched 64×64 SVD, Cholesky solve — on every available backend (the CPU always; WebGPU
 * when an adapter exists, e.g. Mesa lavapipe), written as JSON and Markdown to
 * `bench/results/<machine>-<date>.{json,md}`.
 *
 *   node --import tsx bench/run.ts [--quick] [--only SUITE[,SUITE…]] [--backend cpu|webgpu]
 *                                  [--with-reference] [--out DIR] [--smoke]
 *
 * `--with-reference` also runs `bench/reference/*.py` (numpy/scipy) on the same shapes and puts their
 * medians beside ours. `--smoke` runs tiny sizes (a functional check, no measurement). The end-to-end
 * BERT-base job is separate: `node --import tsx bench/e2e/bert-base.ts`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Backend, getBackend } from '@symfuse/tensor';
import { startGemmPool } from '@symfuse/tensor/gemm';
import { loadAverage } from './lib/harness.js';
import { isoDate, machineInfo, machineSlug } from './lib/machine.js';
import { refId, runReferences } from './lib/reference.js';
import { type BackendInfo, type BenchReport, type ReportRow, renderMarkdown, toReportRow } from './lib/report.js';
import { assignmentRun, type CaseRow, SUITE_NAMES, SUITES, type Skip, type SuiteName } from './lib/suites.js';

/** Options of {@link runBenchmarks} (the CLI flags of `bench/run.ts`). */
export interface BenchOptions {
  /** Fewer iterations (same sizes). */
  readonly quick?: boolean;
  /** Tiny sizes: checks that every suite runs; nothing is measured (results go to the temp dir). */
  readonly smoke?: boolean;
  /** Suites to run (default all): `matmul`, `layernorm`, `attention`, `covariance`, `assignment`, `svd`, `cholesky`. */
  readonly only?: readonly string[];
  /** One backend only (default: every available one). */
  readonly backend?: 'cpu' | 'webgpu';
  /** Also run the numpy/scipy references and report their medians. */
  readonly withReference?: boolean;
  /** Where to write `<machine>-<date>.{json,md}` (default `bench/results`); `false` writes nothing. */
  readonly outDir?: string | false;
  /** Progress lines (default: stderr). */
  readonly log?: (line: string) => void;
}

/** What {@link runBenchmarks} returns. */
export interface BenchRun {
  readonly report: BenchReport;
  readonly markdown: string;
  /** Paths of the JSON and Markdown files written (absent with `outDir: false`). */
  readonly files?: { readonly json: string; readonly markdown: string };
}

const here = dirname(fileURLToPath(import.meta.url));

/** Resolves `--only` names (case-insensitive, `layerNorm` = `layernorm`). @throws Error naming the unknown one */
export function resolveSuites(only: readonly string[] | undefined): SuiteName[] {
  if (!only || only.length === 0) return [...SUITE_NAMES];
  const names = only.flatMap((s) => s.split(',')).map((s) => s.trim().toLowerCase()).filter((s) => s.length > 0);
  for (const n of names) {
    if (!(SUITE_NAMES as readonly string[]).includes(n)) throw new Error(`bench: unknown suite '${n}'; suites: ${SUITE_NAMES.join(', ')}`);
  }
  return SUITE_NAMES.filter((s) => names.includes(s));
}

async function backendsFor(choice: BenchOptions['backend'], log: (line: string) => void): Promise<{ backends: Backend[]; unavailable: { backend: string; reason: string }[] }> {
  const backends: Backend[] = [];
  const unavailable: { backend: string; reason: string }[] = [];
  if (choice !== 'webgpu') backends.push(getBackend('cpu'));
  if (choice !== 'cpu') {
    try {
      const { createWebGpuBackend } = await import('@symfuse/tensor/webgpu');
      backends.push(await createWebGpuBackend());
    } catch (e) {
      const reason = (e as Error).message.split('\n')[0];
      if (choice === 'webgpu') throw new Error(`bench: --backend webgpu, but WebGPU is unavailable: ${reason}`);
      unavailable.push({ backend: 'webgpu', reason });
      log(`webgpu: unavailable (${reason}); its suites are skipped`);
    }
  }
  return { backends, unavailable };
}

/**
 * Runs the selected suites on every selected backend, optionally the numpy/scipy references, and
 * writes `<outDir>/<machine>-<date>.{json,md}`.
 * @throws Error for an unknown suite, or `--backend webgpu` without an adapter.
 */
export async function runBenchmarks(options: BenchOptions = {}): Promise<BenchRun> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const quick = options.quick ?? false;
  const smoke = options.smoke ?? false;
  const suites = resolveSuites(options.only);
  const t0 = performance.now();
  const pool = startGemmPool({ wait: true });
  const machine = machineInfo();
  log(`machine: ${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}; GEMM pool ${pool.size} threads (${pool.ready} workers ready)`);
  log(`load average: ${machine.loadAverage.join(' ')}`);
  const { backends, unavailable } = await backendsFor(options.backend, log);
  const infos: BackendInfo[] = backends.map((b) => ({ name: b.name, description: b.describe() }));
  for (const b of infos) log(`backend ${b.name}: ${b.description}`);

  const rows: CaseRow[] = [];
  const skips: Skip[] = [];
  try {
    for (const backend of backends) {
      for (const name of suites) {
        log(`[${backend.name}] ${name}…`);
        const out = await SUITES[name]({ backend, quick, smoke, log });
        for (const r of out.rows) {
          const tput = r.gflop !== undefined ? `, ${(r.gflop / (r.medianMs / 1e3)).toFixed(1)} GFLOP/s` : r.gbytes !== undefined ? `, ${(r.gbytes / (r.medianMs / 1e3)).toFixed(1)} GB/s` : '';
          log(`  ${r.case}: median ${r.medianMs.toFixed(2)} ms${tput} (n=${r.samples}, load ${r.loadBefore[0]}→${r.loadAfter[0]})${r.note ? `; ${r.note}` : ''}`);
        }
        for (const s of out.skips) log(`  skipped on ${s.backend}: ${s.reason}`);
        rows.push(...out.rows);
        skips.push(...out.skips);
      }
    }
  } finally {
    for (const b of backends) if (b.name !== 'cpu') b.dispose();
  }
  for (const name of suites) if (unavailable.length && !skips.some((s) => s.suite === name && s.backend === 'webgpu')) {
    skips.push({ suite: name, backend: 'webgpu', reason: `no WebGPU adapter (${unavailable[0].reason})` });
  }

  let refs: ReturnType<typeof runReferences> | undefined;
  if (options.withReference && !smoke) {
    refs = runReferences(suites, { quick, assignment: assignmentRun.cases.length ? assignmentRun : undefined, log });
    for (const e of refs.errors) log(`reference failed: ${e}`);
  }
  const reportRows: ReportRow[] = rows.map((r) => toReportRow(r, r.ref && refs ? refs.timings.get(refId(r.ref)) : undefined));
  const report: BenchReport = {
    tool: 'symfuse bench',
    createdAt: new Date().toISOString(),
    options: { quick, smoke, only: suites, backend: options.backend ?? 'all', withReference: options.withReference ?? false },
    machine,
    backends: infos,
    unavailable,
    rows: reportRows,
    skips,
    referenceErrors: refs?.errors ?? [],
    referenceLoad: refs?.loadByScript ?? {},
    loadAverageEnd: loadAverage(),
    totalSeconds: (performance.now() - t0) / 1e3,
  };
  const markdown = renderMarkdown(report);
  if (options.outDir === false) return { report, markdown };
  const dir = options.outDir ?? (smoke ? join(tmpdir(), 'symfuse-bench-smoke') : join(here, 'results'));
  mkdirSync(dir, { recursive: true });
  const base = join(resolve(dir), `${machineSlug(machine)}-${isoDate()}${quick ? '-quick' : ''}${smoke ? '-smoke' : ''}`);
  const files = { json: `${base}.json`, markdown: `${base}.md` };
  writeFileSync(files.json, `${JSON.stringify(report, null, 1)}\n`);
  writeFileSync(files.markdown, markdown);
  return { report, markdown, files };
}

const HELP = `usage: node --import tsx bench/run.ts [options]

  --quick              fewer iterations (same BERT-base sizes)
  --only SUITE[,…]     ${SUITE_NAMES.join(', ')} (repeatable)
  --backend cpu|webgpu one backend only (default: every available one)
  --with-reference     also time numpy/scipy (bench/reference/*.py) on the same shapes
  --out DIR            where to write <machine>-<date>.{json,md} (default bench/results)
  --smoke              tiny sizes: check that every suite runs (writes to the temp dir)`;

/** Parses the command line of `bench/run.ts`. @throws Error naming an unknown or incomplete flag */
export function parseBenchArgs(argv: readonly string[]): BenchOptions & { help?: boolean } {
  const only: string[] = [];
  let backend: BenchOptions['backend'];
  let outDir: string | undefined;
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`bench: ${a} needs a value`);
      return v;
    };
    if (a === '--only') only.push(value());
    else if (a === '--backend') {
      const v = value();
      if (v !== 'cpu' && v !== 'webgpu') throw new Error(`bench: --backend ${v}; expected cpu or webgpu`);
      backend = v;
    } else if (a === '--out') outDir = value();
    else if (['--quick', '--smoke', '--with-reference', '--help', '-h'].includes(a)) flags.add(a);
    else throw new Error(`bench: unknown option '${a}'\n${HELP}`);
  }
  return {
    quick: flags.has('--quick'),
    smoke: flags.has('--smoke'),
    withReference: flags.has('--with-reference'),
    help: flags.has('--help') || flags.has('-h'),
    ...(only.length ? { only } : {}),
    ...(backend ? { backend } : {}),
    ...(outDir ? { outDir } : {}),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  let options: ReturnType<typeof parseBenchArgs>;
  try {
    options = parseBenchArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
  if (options.help) {
    process.stdout.write(`${HELP}\n`);
  } else {
    try {
      const run = await runBenchmarks(options);
      process.stdout.write(run.markdown);
      if (run.files) process.stderr.write(`wrote ${run.files.json} and ${run.files.markdown}\n`);
    } catch (e) {
      process.stderr.write(`${(e as Error).message}\n`);
      process.exit(1);
    }
  }
  // The GEMM pool's workers and a WebGPU device keep the event loop alive.
  process.exit(0);
}
