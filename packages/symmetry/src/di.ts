/**
 * Dependency-injection wiring (tsyringe) for entry points (CLI, tests): typed tokens, factory
 * registrations and a child container per run. The only file of the package that imports tsyringe;
 * exposed as the `@symfuse/symmetry/di` subpath so importing the library never installs the
 * `reflect-metadata` polyfill that tsyringe requires at load time. No decorators, no decorator
 * metadata: everything is registered with factories or values. The global container is never
 * registered into; each run gets its own child container.
 */
import 'reflect-metadata';
import { container, type DependencyContainer, instanceCachingFactory } from 'tsyringe';
import type { ProgressSink, Solver } from './interfaces.js';
import { type PipelineInputs, type PipelineResult, runPipeline } from './pipeline/run.js';
import type { SymmetryRegistry } from './registry.js';

/** A typed injection token (a symbol that remembers the type it resolves to). */
export type Token<T> = symbol & { readonly __token?: T };

function token<T>(description: string): Token<T> {
  return Symbol(description) as Token<T>;
}

/** Runs the pipeline against the container's registry. */
export type PipelineRunner = (config: unknown, inputs: PipelineInputs) => Promise<PipelineResult>;

/** Tokens of a run container. */
export const tokens = {
  registry: token<SymmetryRegistry>('symfuse.registry'),
  seed: token<number>('symfuse.seed'),
  progress: token<ProgressSink>('symfuse.progress'),
  solver: token<Solver>('symfuse.solver'),
  pipeline: token<PipelineRunner>('symfuse.pipeline'),
} as const;

/** Resolves a typed token. */
export function resolve<T>(c: DependencyContainer, t: Token<T>): T {
  return c.resolve<T>(t);
}

/** Options of {@link createRunContainer}. */
export interface RunContainerOptions {
  readonly seed?: number;
  readonly progress?: ProgressSink;
  /** Solver id (default: the registry's default). */
  readonly solver?: string;
}

/**
 * A fresh child container for one run (or one test) with the registry, seed, progress sink, solver
 * and pipeline runner registered. Dispose it (`await c.dispose()`) when the run ends.
 */
export function createRunContainer(registry: SymmetryRegistry, options: RunContainerOptions = {}): DependencyContainer {
  const c = container.createChildContainer();
  c.register(tokens.registry, { useValue: registry });
  c.register(tokens.seed, { useValue: options.seed ?? 0 });
  c.register(tokens.progress, { useValue: options.progress ?? (() => {}) });
  c.register(tokens.solver, { useFactory: instanceCachingFactory((d) => resolve(d, tokens.registry).solver(options.solver)) });
  c.register(tokens.pipeline, {
    useFactory: instanceCachingFactory((d): PipelineRunner => {
      const reg = resolve(d, tokens.registry);
      const seed = resolve(d, tokens.seed);
      const progress = resolve(d, tokens.progress);
      return (config, inputs) => runPipeline(reg, config, { seed, progress, ...inputs });
    }),
  });
  return c;
}
