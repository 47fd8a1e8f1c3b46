/**
 * Helpers of the experiments' tests (`tests/experiments-*.test.ts`): run an experiment's quick
 * version on tiny random models into a temporary directory, and check what it wrote.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseSvg } from '@symfuse/eval';
import type { Experiment, ExperimentResult } from './experiment.js';
import type { ExperimentOptions } from './options.js';

/** A fresh temporary directory for one test run. */
export function tempDir(prefix = 'symfuse-exp-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Runs `experiment` with `--quick --models random` (overridable) into `dir`. */
export function quickRun(experiment: Experiment<object>, dir: string, options: ExperimentOptions = {}): Promise<ExperimentResult> {
  return experiment.run({ quick: true, models: 'random', outDir: path.join(dir, 'out'), cacheDir: path.join(dir, 'cache'), log: () => {}, ...options });
}

/** What {@link readReport} returns. */
export interface WrittenFiles {
  readonly markdown: string;
  readonly json: Record<string, unknown>;
  readonly svgs: readonly string[];
}

/**
 * Reads a run's files and checks their invariants: the Markdown has the title, the command, the
 * machine and the settings; the JSON parses and carries the same provenance; every plot is a
 * well-formed SVG that the Markdown links.
 * @throws Error naming the first violated invariant.
 */
export function readReport(r: ExperimentResult): WrittenFiles {
  const markdown = fs.readFileSync(r.markdown, 'utf8');
  const json = JSON.parse(fs.readFileSync(r.json, 'utf8')) as Record<string, unknown>;
  const need = (cond: boolean, what: string) => {
    if (!cond) throw new Error(`${r.name}: ${what}`);
  };
  need(markdown.startsWith('# '), 'the Markdown has no title');
  need(markdown.includes('## How this was run') && markdown.includes('- Command: `') && markdown.includes('- Machine: '), 'the Markdown lacks the run provenance');
  need(json.name === r.name && typeof json.command === 'string' && typeof json.seed === 'number', 'the JSON lacks name / command / seed');
  need(typeof json.machine === 'object' && json.machine !== null && typeof json.settings === 'object', 'the JSON lacks machine / settings');
  need(typeof json.data === 'object' && Object.keys(json.data as object).length > 0, 'the JSON has no data');
  const svgs = r.plots.map((p) => fs.readFileSync(p, 'utf8'));
  for (const [i, p] of r.plots.entries()) {
    parseSvg(svgs[i]);
    need(markdown.includes(`](${path.relative(path.dirname(r.markdown), p)})`), `the Markdown does not link ${p}`);
  }
  return { markdown, json, svgs };
}

/** Every number in a nested JSON value. */
export function numbersIn(v: unknown, out: number[] = []): number[] {
  if (typeof v === 'number') out.push(v);
  else if (Array.isArray(v)) for (const x of v) numbersIn(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) numbersIn(x, out);
  return out;
}
