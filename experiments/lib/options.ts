/**
 * Options shared by every experiment, and their command-line form:
 *
 * ```
 * node --import tsx experiments/<name>.ts [--quick] [--models auto|fixtures|random] [--fixtures DIR]
 *      [--out DIR] [--cache DIR] [--no-cache] [--seed N] [--set key=value]…
 * ```
 * `--set` overrides one setting of the experiment (its value parsed as JSON when it parses, else
 * kept as a string), so a user can vary an experiment without editing it: `--set pairs=3`,
 * `--set points=11`, `--set 'alphas=[0.5,0.9]'`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** The repository root (experiments/ lives directly under it). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where models come from: the trained fixtures, tiny random models, or fixtures when they exist. */
export type ModelSource = 'auto' | 'fixtures' | 'random';

/** Options of an experiment's `run`. */
export interface ExperimentOptions {
  /** A reduced run (tiny samples, few pairs, few λ points): seconds, for tests and smoke runs. */
  readonly quick?: boolean;
  /** Default `auto`: the fixtures when `fixtures/mlm-seed1` exists, else random models. */
  readonly models?: ModelSource;
  /** Fixture directory (default `<repo>/fixtures`). */
  readonly fixturesDir?: string;
  /** Where `<name>.md`, `<name>.json` and `<name>/*.svg` go (default `experiments/results`, quick: `experiments/.cache/quick-results`). */
  readonly outDir?: string;
  /** Per-run result cache (default `experiments/.cache/runs`). */
  readonly cacheDir?: string;
  /** Use and fill the run cache (default true). */
  readonly cache?: boolean;
  /** Seed of every random choice of the experiment (masks, samples, pipeline; default 0). */
  readonly seed?: number;
  /** Overrides of the experiment's settings (see each experiment's `defaults`). */
  readonly set?: Readonly<Record<string, unknown>>;
  /** Progress lines (default: stderr). */
  readonly log?: (line: string) => void;
  /** The command line recorded in the report (default: `process.argv` when run from the CLI). */
  readonly command?: string;
}

/** Options with every default filled in. */
export interface ResolvedOptions {
  readonly quick: boolean;
  readonly models: ModelSource;
  readonly fixturesDir: string;
  readonly outDir: string;
  readonly cacheDir: string;
  readonly cache: boolean;
  readonly seed: number;
  readonly set: Readonly<Record<string, unknown>>;
  readonly log: (line: string) => void;
  readonly command: string;
}

/** Fills in the defaults of {@link ExperimentOptions}. */
export function resolveOptions(name: string, o: ExperimentOptions = {}): ResolvedOptions {
  const quick = o.quick ?? false;
  return {
    quick,
    models: o.models ?? 'auto',
    fixturesDir: path.resolve(o.fixturesDir ?? path.join(REPO_ROOT, 'fixtures')),
    outDir: path.resolve(o.outDir ?? path.join(REPO_ROOT, 'experiments', quick ? '.cache/quick-results' : 'results')),
    cacheDir: path.resolve(o.cacheDir ?? path.join(REPO_ROOT, 'experiments', '.cache', 'runs')),
    cache: o.cache ?? true,
    seed: o.seed ?? 0,
    set: o.set ?? {},
    log: o.log ?? ((line) => process.stderr.write(`[${name}] ${line}\n`)),
    command: o.command ?? `node --import tsx experiments/${name}.ts${quick ? ' --quick' : ''}`,
  };
}

function parseValue(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/**
 * Parses the command line of an experiment script.
 * @throws Error naming the bad flag or `--set` entry and what is expected.
 */
export function parseCliOptions(argv: readonly string[]): ExperimentOptions {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      models: { type: 'string' },
      fixtures: { type: 'string' },
      out: { type: 'string' },
      cache: { type: 'string' },
      'no-cache': { type: 'boolean', default: false },
      seed: { type: 'string' },
      set: { type: 'string', multiple: true },
    },
  });
  const models = values.models;
  if (models !== undefined && models !== 'auto' && models !== 'fixtures' && models !== 'random') {
    throw new Error(`--models ${models}: expected auto, fixtures or random`);
  }
  const set: Record<string, unknown> = {};
  for (const entry of values.set ?? []) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new Error(`--set ${entry}: expected key=value (e.g. --set pairs=3)`);
    set[entry.slice(0, eq)] = parseValue(entry.slice(eq + 1));
  }
  let seed: number | undefined;
  if (values.seed !== undefined) {
    seed = Number(values.seed);
    if (!Number.isInteger(seed)) throw new Error(`--seed ${values.seed}: expected an integer`);
  }
  return {
    quick: values.quick,
    ...(models ? { models } : {}),
    ...(values.fixtures ? { fixturesDir: values.fixtures } : {}),
    ...(values.out ? { outDir: values.out } : {}),
    ...(values.cache ? { cacheDir: values.cache } : {}),
    ...(values['no-cache'] ? { cache: false } : {}),
    ...(seed !== undefined ? { seed } : {}),
    set,
  };
}

/**
 * Merges `--set` overrides into an experiment's default settings. Unknown keys and values of another
 * type than the default's are refused, so a typo cannot silently run the defaults.
 * @throws Error naming the key, the value and the known keys / expected type.
 */
export function applySettings<S extends object>(defaults: S, set: Readonly<Record<string, unknown>>): S {
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [k, v] of Object.entries(set)) {
    if (!(k in defaults)) throw new Error(`--set ${k}: unknown setting; known: ${Object.keys(defaults).join(', ')}`);
    const d = (defaults as Record<string, unknown>)[k];
    const kind = (x: unknown) => (Array.isArray(x) ? 'array' : x === null ? 'null' : typeof x);
    if (d !== undefined && kind(d) !== kind(v)) throw new Error(`--set ${k}=${JSON.stringify(v)}: expected a ${kind(d)} like the default ${JSON.stringify(d)}`);
    out[k] = v;
  }
  return out as S;
}
