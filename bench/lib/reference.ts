/**
 * `--with-reference`: runs the numpy/scipy scripts of `bench/reference/` on the same shapes (and, for
 * linear algebra and assignment, bit-identical inputs) and returns their medians keyed by script and
 * task, so the report can put them beside symfuse's. Python runs with OpenBLAS's default threads.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AssignmentCase } from '../assignment.bench.js';
import { loadAverage } from './harness.js';
import type { RefKey, SuiteName } from './suites.js';

/** One reference timing. */
export interface RefTiming {
  readonly medianMs: number;
  /** `numpy 2.4.6`, `scipy 1.17.1 (numpy …)`. */
  readonly runtime: string;
}

/** Reference medians by `script/task`, and the scripts that failed (with why). */
export interface ReferenceResults {
  readonly timings: Map<string, RefTiming>;
  readonly errors: string[];
  /** Load average (1, 5, 15 min) after the reference scripts ran. */
  readonly loadAfter: readonly number[];
  /** 1-minute load average before and after each script (the references share the machine too). */
  readonly loadByScript: Readonly<Record<string, readonly [number, number]>>;
}

const here = dirname(fileURLToPath(import.meta.url));
const refDir = join(here, '..', 'reference');

/** `script/task` key of {@link ReferenceResults.timings}. */
export function refId(k: RefKey): string {
  return `${k.script}/${k.task}`;
}

const SCRIPTS_OF: Record<SuiteName, RefKey['script'][]> = {
  matmul: ['gemm'],
  layernorm: ['kernels'],
  attention: ['kernels'],
  covariance: ['kernels'],
  assignment: ['assignment'],
  svd: ['linalg'],
  cholesky: ['linalg'],
};

/**
 * Runs the reference scripts the given suites need.
 * @param assignment the matrices the assignment suite timed (scipy solves the same files), if it ran on the CPU.
 */
export function runReferences(
  suites: readonly SuiteName[],
  options: { quick: boolean; assignment?: { dir: string; cases: AssignmentCase[] }; log: (line: string) => void },
): ReferenceResults {
  const scripts = new Set(suites.flatMap((s) => SCRIPTS_OF[s]));
  const timings = new Map<string, RefTiming>();
  const errors: string[] = [];
  const loadByScript: Record<string, [number, number]> = {};
  const work = mkdtempSync(join(tmpdir(), 'symfuse-bench-ref-'));
  try {
    for (const script of scripts) {
      const out = join(work, `${script}.json`);
      const args = [join(refDir, `${script}.py`), '--json', out];
      // linalg.py's --quick shrinks the SPD solve to 1024; run.ts always times 3072, so never pass it.
      if (options.quick && (script === 'gemm' || script === 'kernels')) args.push('--quick');
      if (script === 'assignment') {
        if (!options.assignment || options.assignment.cases.length === 0) continue;
        const manifest = join(work, 'assignment-manifest.json');
        writeFileSync(manifest, JSON.stringify({ generatorVersion: 1, cases: options.assignment.cases }, null, 1));
        args.push('--dir', options.assignment.dir, '--manifest', manifest);
      }
      options.log(`reference: python3 bench/reference/${script}.py`);
      const before = loadAverage()[0];
      const r = spawnSync('python3', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      loadByScript[script] = [before, loadAverage()[0]];
      if (r.status !== 0) {
        errors.push(`${script}.py exited with ${r.status ?? r.signal}: ${(r.stderr || r.stdout || String(r.error ?? '')).trim().split('\n').slice(-3).join(' | ')}`);
        continue;
      }
      const parsed = JSON.parse(readFileSync(out, 'utf8')) as { runtime: string; rows: { task: string; mode?: string; medianMs: number }[] };
      for (const row of parsed.rows) {
        // gemm.py times 1 thread and OpenBLAS's default; compare with the default (all cores), as symfuse uses its pool.
        if (row.mode !== undefined && !row.mode.startsWith('default')) continue;
        const runtime = row.mode ? `${parsed.runtime}, ${row.mode}` : parsed.runtime;
        timings.set(refId({ script, task: row.task }), { medianMs: row.medianMs, runtime });
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { timings, errors, loadAfter: loadAverage(), loadByScript };
}
