/**
 * The plugin registry and the per-run DI container, built in the entry point only: every plugin
 * shipped with symfuse, then a child container per run (`@symfuse/symmetry/di`).
 */
import { fisherPlugin } from '@symfuse/plugins-fisher';
import { permutationPlugin } from '@symfuse/plugins-permutation';
import { regmeanPlugin } from '@symfuse/plugins-regmean';
import { rotationPlugin } from '@symfuse/plugins-rotation';
import { coreSymmetryPlugin, createRegistry, type ProgressSink, type SymmetryRegistry } from '@symfuse/symmetry';
import { createRunContainer, type PipelineRunner, resolve, tokens } from '@symfuse/symmetry/di';
import { UsageError } from './errors.js';

let cached: SymmetryRegistry | undefined;

/** The registry of every bundled plugin (built once per process). */
export function buildRegistry(): SymmetryRegistry {
  cached ??= createRegistry().use(coreSymmetryPlugin()).use(permutationPlugin()).use(rotationPlugin()).use(regmeanPlugin()).use(fisherPlugin()).freeze();
  return cached;
}

/** A run: its pipeline runner (from a fresh child container) and a disposer. */
export interface Run {
  readonly registry: SymmetryRegistry;
  readonly pipeline: PipelineRunner;
  dispose(): Promise<void>;
}

/** A child container for one run, with the registry, seed, progress sink and solver. */
export function createRun(registry: SymmetryRegistry, options: { seed?: number; progress?: ProgressSink; solver?: string }): Run {
  const c = createRunContainer(registry, options);
  return { registry, pipeline: resolve(c, tokens.pipeline), dispose: () => Promise.resolve(c.dispose()) };
}

/**
 * Checks aligner / merger / solver ids before any work.
 * @throws UsageError naming the unknown id and listing the known ones.
 */
export function checkIds(registry: SymmetryRegistry, ids: { aligners?: readonly string[]; merger?: string; solver?: string }, command: string, where = ''): void {
  const known = (xs: readonly { id: string }[]) => xs.map((x) => x.id).join(', ');
  for (const a of ids.aligners ?? []) {
    if (!registry.aligners().some((x) => x.id === a)) throw new UsageError(`${where}unknown aligner '${a}'; known aligners: ${known(registry.aligners())}`, command);
  }
  if (ids.merger !== undefined && !registry.mergers().some((x) => x.id === ids.merger)) {
    throw new UsageError(`${where}unknown merger '${ids.merger}'; known mergers: ${known(registry.mergers())}`, command);
  }
  if (ids.solver !== undefined && !registry.solvers().some((x) => x.id === ids.solver)) {
    throw new UsageError(`${where}unknown solver '${ids.solver}'; known solvers: ${known(registry.solvers())}`, command);
  }
}
