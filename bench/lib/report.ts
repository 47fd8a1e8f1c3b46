/**
 * The results of `bench/run.ts`: a JSON document (machine, backends with their adapter description,
 * every case's latency statistics, GFLOP/s or GB/s, the numpy/scipy medians beside them) and its
 * Markdown table.
 */
import type { MachineInfo } from './machine.js';
import type { RefTiming } from './reference.js';
import type { CaseRow, Skip } from './suites.js';

/** A backend the run used. */
export interface BackendInfo {
  readonly name: string;
  /** `describe()` of the backend: the CPU model, or the WebGPU adapter (vendor, architecture, driver). */
  readonly description: string;
}

/** One row of the report: a timed case, its throughput and its reference. */
export interface ReportRow extends CaseRow {
  readonly gflops?: number;
  readonly gbps?: number;
  readonly reference?: RefTiming & {
    /** reference median / symfuse median: above 1, symfuse is faster. */
    readonly speedup: number;
  };
}

/** The JSON written to `bench/results/<machine>-<date>.json`. */
export interface BenchReport {
  readonly tool: 'symfuse bench';
  readonly createdAt: string;
  readonly options: { readonly quick: boolean; readonly smoke: boolean; readonly only: readonly string[]; readonly backend: string; readonly withReference: boolean };
  readonly machine: MachineInfo;
  readonly backends: readonly BackendInfo[];
  /** Backends that could not be created (e.g. no WebGPU adapter), with the reason. */
  readonly unavailable: readonly { readonly backend: string; readonly reason: string }[];
  readonly rows: readonly ReportRow[];
  readonly skips: readonly Skip[];
  readonly referenceErrors: readonly string[];
  /** 1-minute load average before → after each reference script. */
  readonly referenceLoad: Readonly<Record<string, readonly [number, number]>>;
  /** Load average at the end of the run (after the references). */
  readonly loadAverageEnd: readonly number[];
  readonly totalSeconds: number;
}

/** Adds throughput and the matching reference to a case row. */
export function toReportRow(row: CaseRow, reference: RefTiming | undefined): ReportRow {
  const s = row.medianMs / 1e3;
  return {
    ...row,
    ...(row.gflop !== undefined ? { gflops: row.gflop / s } : {}),
    ...(row.gbytes !== undefined ? { gbps: row.gbytes / s } : {}),
    ...(reference ? { reference: { ...reference, speedup: reference.medianMs / row.medianMs } } : {}),
  };
}

const f = (x: number, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '–');
const ms = (x: number) => (x >= 100 ? f(x, 0) : x >= 10 ? f(x, 1) : f(x, 2));
const load = (l: readonly number[]) => l.map((x) => x.toFixed(2)).join(' ');

/** The Markdown table of a report (and the lines saying what did not run). */
export function renderMarkdown(r: BenchReport): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(`### symfuse bench — ${r.createdAt.slice(0, 16).replace('T', ' ')} UTC${r.options.quick ? ' (quick)' : ''}${r.options.smoke ? ' (smoke sizes: not a measurement)' : ''}`);
  out.push('');
  out.push(`- Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}; CPU backend GEMM pool of ${m.gemmThreads} threads`);
  out.push(`- Load average (1/5/15 min): ${load(m.loadAverage)} at the start, ${load(r.loadAverageEnd)} at the end`);
  for (const b of r.backends) out.push(`- Backend \`${b.name}\`: ${b.description}`);
  for (const u of r.unavailable) out.push(`- Backend \`${u.backend}\`: **unavailable** — ${u.reason}`);
  out.push('- Medians of wall-clock time; GPU times include completion (`await backend.sync()` / reads). Ratio = reference ÷ symfuse (above 1: symfuse faster).');
  out.push('');
  const withRef = r.rows.some((x) => x.reference);
  const head = ['Suite', 'Case', 'Backend', 'Median ms', 'Best ms', 'GFLOP/s', ...(withRef ? ['numpy/scipy ms', 'Ratio'] : []), 'Load 1-min', 'Note'];
  out.push(`| ${head.join(' | ')} |`);
  out.push(`|${head.map((h) => (/ms|GFLOP|Ratio|Load/.test(h) ? '---:' : '---')).join('|')}|`);
  for (const x of r.rows) {
    const tput = x.gflops !== undefined ? f(x.gflops) : x.gbps !== undefined ? `${f(x.gbps)} GB/s` : '';
    const ref = withRef ? [x.reference ? ms(x.reference.medianMs) : '', x.reference ? `${f(x.reference.speedup, 2)}×` : ''] : [];
    const cells = [x.suite, x.case, x.backend, ms(x.medianMs), ms(x.minMs), tput, ...ref, `${f(x.loadBefore[0], 2)}→${f(x.loadAfter[0], 2)}`, (x.note ?? '').replace(/\|/g, '\\|')];
    out.push(`| ${cells.join(' | ')} |`);
  }
  if (r.skips.length) {
    out.push('');
    for (const s of r.skips) out.push(`- ${s.suite} on \`${s.backend}\`: not run — ${s.reason}`);
  }
  if (withRef) {
    const runtimes = [...new Set(r.rows.flatMap((x) => (x.reference ? [x.reference.runtime] : [])))];
    out.push('');
    out.push(`References: ${runtimes.join('; ')} (bench/reference/*.py, same shapes; identical inputs for linear algebra and assignment).`);
    const loads = Object.entries(r.referenceLoad).map(([s, [a, b]]) => `${s}.py ${a.toFixed(2)}→${b.toFixed(2)}`);
    if (loads.length) out.push(`Load average (1-min) while the references ran: ${loads.join(', ')}.`);
  }
  for (const e of r.referenceErrors) out.push(`- reference failed: ${e}`);
  return `${out.join('\n')}\n`;
}
