/**
 * Runs the whole suite (or the named experiments) in one process, so samples and statistics are
 * shared, and writes `experiments/results/README.md` indexing the reports with their findings.
 * Resumable: every finished run is cached in `experiments/.cache/`, so an interrupted suite continues.
 *
 * Run: `node --import tsx experiments/run-all.ts [--quick] [--only a,b] [options of every experiment]`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { EXPERIMENTS, type ExperimentResult, findExperiment } from './index.js';
import { isMain } from './lib/experiment.js';
import { machineLine } from './lib/machine.js';
import { type ExperimentOptions, parseCliOptions, resolveOptions } from './lib/options.js';

/** Runs the experiments in order; a failing one is reported and the suite goes on. */
export async function runAll(options: ExperimentOptions & { only?: readonly string[]; args?: readonly string[] } = {}): Promise<{ results: ExperimentResult[]; failures: { name: string; error: string }[]; seconds: number }> {
  const chosen = options.only?.length ? options.only.map(findExperiment) : EXPERIMENTS;
  const t0 = performance.now();
  const results: ExperimentResult[] = [];
  const failures: { name: string; error: string }[] = [];
  for (const e of chosen) {
    try {
      // Record the command that reruns this experiment alone with the same options.
      const args = options.args ?? (options.quick ? ['--quick'] : []);
      results.push(await e.run({ ...options, command: options.command ?? `node --import tsx experiments/${e.name}.ts${args.length ? ` ${args.join(' ')}` : ''}` }));
    } catch (err) {
      failures.push({ name: e.name, error: (err as Error).stack ?? String(err) });
      process.stderr.write(`[${e.name}] FAILED: ${(err as Error).message}\n`);
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  const out = resolveOptions('run-all', options).outDir;
  const lines = [
    '# Experiments',
    '',
    `Reproductions of the key experiments of the three source papers on the fixture models. Suite run of ${new Date().toISOString()}: ${(seconds / 60).toFixed(1)} min on ${machineLine()}.`,
    '',
    'Each report says what was run, how it was scaled down, the exact command and settings, and how the numbers compare with the paper.',
    '',
    ...results.flatMap((r) => {
      const e = findExperiment(r.name);
      return [`## [${e.title}](${path.relative(out, r.markdown)})`, '', `${e.reference}. ${r.seconds.toFixed(0)} s.`, '', ...r.findings.map((f) => `- ${f}`), ''];
    }),
    ...(failures.length ? ['## Failed', '', ...failures.map((f) => `- ${f.name}: ${f.error.split('\n')[0]}`), ''] : []),
  ];
  if (!options.only?.length) {
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, 'README.md'), `${lines.join('\n').trimEnd()}\n`);
  }
  return { results, failures, seconds };
}

if (isMain(import.meta.url)) {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--only');
  const only = at >= 0 ? (argv[at + 1] ?? '').split(',').filter(Boolean) : [];
  const rest = at >= 0 ? [...argv.slice(0, at), ...argv.slice(at + 2)] : argv;
  const { failures, seconds } = await runAll({ ...parseCliOptions(rest), only, args: rest });
  process.stderr.write(`suite done in ${(seconds / 60).toFixed(1)} min, ${failures.length} failed\n`);
  process.exitCode = failures.length ? 1 : 0;
}
