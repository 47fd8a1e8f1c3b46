/**
 * The shape of an experiment and its runner: resolve options, open the models, merge the settings,
 * run the body against a context (models, cache, log), write the report. Each
 * `experiments/<name>.ts` defines one with {@link defineExperiment} and calls {@link cliMain} when run
 * directly, so `node --import tsx experiments/<name>.ts [--quick]` and `run(options)` do the same.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { RunCache } from './cache.js';
import { applySettings, type ExperimentOptions, parseCliOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { Report, type WrittenReport } from './report.js';
import { openZoo, type Zoo } from './zoo.js';

/** What an experiment body gets. */
export interface Context<S> {
  readonly name: string;
  readonly options: ResolvedOptions;
  readonly settings: S;
  readonly zoo: Zoo;
  readonly cache: RunCache;
  readonly seed: number;
  log(line: string): void;
}

/** An experiment's definition. */
export interface ExperimentDefinition<S extends object> {
  /** kebab-case; the script is `experiments/<name>.ts` and `symfuse reproduce <name>` runs it. */
  readonly name: string;
  readonly title: string;
  /** Paper and figure/table. */
  readonly reference: string;
  /** What is measured and how it is scaled down from the paper (Markdown). */
  readonly description: string;
  /** Default settings of a full or a quick run on these models. */
  defaults(quick: boolean, zoo: Zoo): S;
  /** Runs the experiment, filling the report. */
  body(ctx: Context<S>, report: Report): Promise<void>;
}

/** What `run` returns. */
export interface ExperimentResult extends WrittenReport {
  readonly name: string;
  readonly seconds: number;
  /** The report's raw numbers (also in the JSON file). */
  readonly data: Readonly<Record<string, unknown>>;
  readonly findings: readonly string[];
}

/** A runnable experiment (what the registry lists). */
export interface Experiment<S extends object = object> extends ExperimentDefinition<S> {
  run(options?: ExperimentOptions): Promise<ExperimentResult>;
}

/** Adds `run` to a definition. */
export function defineExperiment<S extends object>(def: ExperimentDefinition<S>): Experiment<S> {
  return {
    ...def,
    async run(options: ExperimentOptions = {}): Promise<ExperimentResult> {
      const opts = resolveOptions(def.name, options);
      const t0 = performance.now();
      const zoo = tracking(openZoo(opts.models, opts.fixturesDir, opts.log));
      const settings = applySettings(def.defaults(opts.quick, zoo), opts.set);
      const cache = new RunCache(opts.cacheDir, opts.cache);
      const report = new Report(def, opts, settings, zoo);
      const ctx: Context<S> = { name: def.name, options: opts, settings, zoo, cache, seed: opts.seed, log: opts.log };
      opts.log(`start (${opts.quick ? 'quick, ' : ''}${zoo.kind} models) → ${path.relative(process.cwd(), opts.outDir) || '.'}/${def.name}.md`);
      await def.body(ctx, report);
      const written = report.write(cache.records);
      const seconds = (performance.now() - t0) / 1000;
      opts.log(`done in ${seconds.toFixed(0)} s: ${path.relative(process.cwd(), written.markdown)}`);
      return { name: def.name, seconds, ...written, data: report.data, findings: report.findings };
    },
  };
}

/** A view of a (shared) zoo whose `loaded()` lists only the models this run asked for. */
function tracking(zoo: Zoo): Zoo {
  const used = new Set<string>();
  return {
    ...zoo,
    mlm: (seed) => {
      used.add(`mlm-seed${seed}`);
      return zoo.mlm(seed);
    },
    classifier: (name) => {
      used.add(name);
      return zoo.classifier(name);
    },
    loaded: () => zoo.loaded().filter((m) => used.has(m.id)),
  };
}

/** True when the module with this `import.meta.url` is the script node was started with. */
export function isMain(metaUrl: string): boolean {
  const arg = process.argv[1];
  return arg !== undefined && pathToFileURL(path.resolve(arg)).href === metaUrl;
}

/** Runs an experiment from the command line; sets the exit code (2 for usage errors). */
export async function cliMain(experiment: Experiment<object>, argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  let options: ExperimentOptions;
  try {
    options = parseCliOptions(argv);
  } catch (e) {
    process.stderr.write(`${experiment.name}: ${(e as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  const command = `node --import tsx experiments/${experiment.name}.ts${argv.length ? ` ${argv.join(' ')}` : ''}`;
  try {
    const r = await experiment.run({ ...options, command });
    process.stdout.write(`${r.markdown}\n`);
  } catch (e) {
    process.stderr.write(`${experiment.name}: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  }
}
