/**
 * Canonical descriptions of pipeline runs, for cache keys. Two experiments that describe the same run
 * differently — an option left at its default or written out, an alias (`heads` for `mha`), the
 * `attention` selector or `attention-qk` + `attention-vo`, the pipeline seed in the config or in the
 * context, data fields the models never read — must hash equally, or one of them recomputes what the
 * other cached (and a coarser λ grid is not cut from a cached finer curve). So every key is built from
 * what the pipeline itself will run: each step's options parsed by its aligner's own schema (defaults
 * and aliases resolved), space selectors expanded to the set of components, merger params parsed by
 * the merger's schema, the solver and seed that `runPipeline` will use, and only the statistics
 * sample fields that the statistics provider reads for these models — nothing when no step needs
 * statistics.
 */
import { COMPONENT_SELECTORS, parsePipelineConfig, type SymmetryRegistry } from '@symfuse/symmetry';
import { experimentRegistry, type PipelineConfigInput, type StatsSpec } from './pipeline.js';

/** One alignment step as it will run. */
export interface CanonicalStep {
  /** The aligner's registry id. */
  readonly aligner: string;
  /** Space components and space-id patterns, sorted, without duplicates (component selectors expanded). */
  readonly spaces: readonly string[];
  /** The options as the aligner's schema parses them (defaults filled in, aliases resolved). */
  readonly options: unknown;
}

/** A pipeline configuration as it will run (see {@link canonicalConfig}). */
export interface CanonicalConfig {
  readonly align: readonly CanonicalStep[];
  /** The merger's id and its params as its schema parses them. */
  readonly merge?: { readonly method: string; readonly params: unknown };
  /** Solver and seed `runPipeline` uses; absent when nothing runs (no step, no merge). */
  readonly solver?: string;
  readonly seed?: number;
}

/** Every component a component selector can stand for (`attention` → `attention-qk`, `attention-vo`…). */
const KNOWN_COMPONENTS: ReadonlySet<string> = new Set(Object.values(COMPONENT_SELECTORS).flat());

/**
 * The spaces a step selects, as a sorted set: component selectors become the components they stand
 * for, other selectors (space ids, `*` patterns) stay as written; omitted selectors mean every
 * component the aligner handles (the pipeline's default). The pipeline takes the selected spaces in
 * the spec's order without duplicates, so selector order and repetition do not change the run.
 */
export function canonicalSpaces(selectors: readonly string[] | undefined, alignerComponents: readonly string[]): string[] {
  const out = new Set<string>();
  for (const sel of selectors ?? alignerComponents.filter((c) => KNOWN_COMPONENTS.has(c))) {
    const comps = COMPONENT_SELECTORS[sel];
    if (comps) for (const c of comps) out.add(c);
    else out.add(sel);
  }
  return [...out].sort();
}

/**
 * The configuration `pipeline(config, …, seed)` of `./pipeline.ts` will run, canonicalised.
 * @param seed the run's seed (`ctx.seed`): the pipeline seed unless `config.seed` sets one.
 * @throws PipelineError / RegistryError / the schema's Error for an invalid configuration (the same
 *   error the pipeline would raise), naming the step and option.
 */
export function canonicalConfig(config: PipelineConfigInput, seed: number, registry: SymmetryRegistry = experimentRegistry()): CanonicalConfig {
  // The same object `pipeline()` hands to `runPipeline`, validated the same way.
  const cfg = parsePipelineConfig({ seed, ...config, align: config.align ?? [] });
  const align = cfg.align.map((s, i): CanonicalStep => {
    const a = registry.aligner(s.aligner);
    let options: unknown;
    try {
      options = a.options.parse(s.options ?? {});
    } catch (e) {
      throw new Error(`run key: align[${i}] (aligner '${s.aligner}') options ${JSON.stringify(s.options ?? {})}: ${(e as Error).message}`);
    }
    return { aligner: a.id, spaces: canonicalSpaces(s.spaces, a.components), options };
  });
  let merge: CanonicalConfig['merge'];
  if (cfg.merge) {
    const { method, ...rest } = cfg.merge;
    const m = registry.merger(method);
    try {
      merge = { method: m.id, params: m.params.parse(rest) };
    } catch (e) {
      throw new Error(`run key: merge (merger '${method}') params ${JSON.stringify(rest)}: ${(e as Error).message}`);
    }
  }
  // Nothing runs: the seed and the solver cannot change the result (vanilla averaging of a curve).
  if (align.length === 0 && !merge) return { align };
  return { align, ...(merge ? { merge } : {}), solver: registry.solver(cfg.solver).id, seed: cfg.seed };
}

/** Whether any step of a canonical configuration may ask the statistics provider for data. */
export function needsStatistics(config: CanonicalConfig, registry: SymmetryRegistry = experimentRegistry()): boolean {
  // Aligners' `needsFor` depends on the model's spaces: `needs` (their superset) is the safe answer.
  if (config.align.some((s) => registry.aligner(s.aligner).needs.length > 0)) return true;
  if (!config.merge) return false;
  const m = registry.merger(config.merge.method);
  return (m.needsFor ? m.needsFor(config.merge.params) : m.needs).length > 0;
}

/**
 * The fields of a statistics sample that `statsBatches` and the collectors read for models with these
 * heads: classifiers read `examples` and `maxLength`, MLMs `mlmBlocks` and `mlmLength`; both the
 * `seed`. Undefined when the configuration needs no statistics (the sample is then never read).
 */
export function canonicalStats(spec: StatsSpec, heads: readonly string[], config: CanonicalConfig, registry: SymmetryRegistry = experimentRegistry()): Partial<StatsSpec> | undefined {
  if (!needsStatistics(config, registry)) return undefined;
  const classifier = heads.some((h) => h === 'classifier');
  const other = heads.some((h) => h !== 'classifier');
  return {
    ...(classifier ? { examples: spec.examples, maxLength: spec.maxLength } : {}),
    ...(other ? { mlmBlocks: spec.mlmBlocks, mlmLength: spec.mlmLength } : {}),
    seed: spec.seed,
  };
}
