/**
 * The plugin registry: `createRegistry().use(a()).use(b()).freeze()`. Registration validates each
 * contribution and rejects duplicate ids (naming both owning plugins); `freeze()` checks
 * cross-references (every statistic an aligner or merger needs has a collector) and returns an
 * immutable registry whose lookups throw with the list of known ids. Nothing registers on import.
 */
import { RegistryError } from './errors.js';
import type { Aligner, ArchitectureProvider, Merger, PluginMeta, Solver, StatCollector, StatNeed, SymmetryPlugin } from './interfaces.js';

/** The kinds of things a plugin contributes. */
export type ContributionKind = 'aligner' | 'merger' | 'collector' | 'solver' | 'architecture';

/** A frozen registry: lookups by id, lists, owners. */
export interface SymmetryRegistry {
  /** Plugins in registration order. */
  readonly plugins: readonly PluginMeta[];
  aligner(id: string): Aligner<any>;
  merger(id: string): Merger<any>;
  /** A collector by id, else the only collector of that kind (pairwise must match when given). */
  collector(kindOrId: string, pairwise?: boolean): StatCollector;
  /** A solver by id; default `lapjv` when registered, else the first one. */
  solver(id?: string): Solver;
  /** The first architecture provider whose `matches(config)` is true. */
  architectureFor(config: unknown): ArchitectureProvider<any>;
  architecture(id: string): ArchitectureProvider<any>;
  aligners(): readonly Aligner<any>[];
  mergers(): readonly Merger<any>[];
  collectors(): readonly StatCollector[];
  solvers(): readonly Solver[];
  architectures(): readonly ArchitectureProvider<any>[];
  /** The name of the plugin that registered `id` of `kind`. */
  ownerOf(kind: ContributionKind, id: string): string;
  /** True when some collector provides `need`. */
  canCollect(need: StatNeed): boolean;
}

/** Collects plugins; `freeze()` gives the {@link SymmetryRegistry}. */
export interface RegistryBuilder {
  use(plugin: SymmetryPlugin): RegistryBuilder;
  freeze(): SymmetryRegistry;
}

const KEBAB = /^[a-z0-9]+(?:[-.][a-z0-9]+)*$/;

interface Entry<T> {
  readonly value: T;
  readonly owner: string;
}

/** Starts an empty registry builder. */
export function createRegistry(): RegistryBuilder {
  const plugins: SymmetryPlugin[] = [];
  const tables: Record<ContributionKind, Map<string, Entry<any>>> = {
    aligner: new Map(),
    merger: new Map(),
    collector: new Map(),
    solver: new Map(),
    architecture: new Map(),
  };
  let frozen = false;

  const add = <T extends { id: string }>(kind: ContributionKind, owner: string, value: T, check: (v: T) => string | undefined) => {
    const id = (value as { id?: unknown })?.id;
    if (typeof id !== 'string' || !KEBAB.test(id)) {
      throw new RegistryError(`plugin '${owner}': ${kind} id ${JSON.stringify(id)} is not a kebab-case id (e.g. 'weight-matching')`);
    }
    const problem = check(value);
    if (problem) throw new RegistryError(`plugin '${owner}': ${kind} '${id}' ${problem}`);
    const prev = tables[kind].get(id);
    if (prev) throw new RegistryError(`duplicate ${kind} id '${id}': registered by plugin '${prev.owner}' and again by plugin '${owner}'`);
    tables[kind].set(id, { value, owner });
  };

  const builder: RegistryBuilder = {
    use(plugin: SymmetryPlugin): RegistryBuilder {
      if (frozen) throw new RegistryError(`use: the registry is already frozen; create a new one with createRegistry()`);
      const name = plugin?.meta?.name;
      if (typeof name !== 'string' || name.length === 0) {
        throw new RegistryError(`use: a plugin must have meta.name (a non-empty string); got meta ${JSON.stringify(plugin?.meta)}`);
      }
      const dup = plugins.find((p) => p.meta.name === name);
      if (dup) throw new RegistryError(`use: plugin '${name}' is already registered`);
      // Validate everything before registering anything, so a bad plugin leaves the builder unchanged.
      const snapshot = Object.fromEntries(Object.entries(tables).map(([k, m]) => [k, new Map(m)])) as typeof tables;
      try {
        for (const s of plugin.solvers ?? []) add('solver', name, s, (v) => (typeof v.solve !== 'function' ? 'has no solve() function' : undefined));
        for (const a of plugin.architectures ?? []) {
          add('architecture', name, a, (v) => (typeof v.matches !== 'function' || typeof v.buildSpec !== 'function' ? 'needs matches() and buildSpec()' : undefined));
        }
        for (const c of plugin.collectors ?? []) {
          add('collector', name, c, (v) =>
            typeof v.collect !== 'function' || typeof v.combine !== 'function'
              ? 'needs collect() and combine()'
              : typeof v.kind !== 'string' || !v.kind
                ? 'has no kind'
                : !['linear-input-gram', 'per-param', 'pairwise'].includes(v.layout)
                  ? `has layout ${JSON.stringify(v.layout)}; expected 'linear-input-gram', 'per-param' or 'pairwise'`
                  : undefined,
          );
        }
        for (const a of plugin.aligners ?? []) add('aligner', name, a, (v) => checkStep(v, 'align', v.options));
        for (const m of plugin.mergers ?? []) add('merger', name, m, (v) => checkStep(v, 'merge', v.params));
      } catch (e) {
        for (const k of Object.keys(tables) as ContributionKind[]) tables[k] = snapshot[k];
        throw e;
      }
      plugins.push(plugin);
      return builder;
    },
    freeze(): SymmetryRegistry {
      if (frozen) throw new RegistryError('freeze: the registry is already frozen');
      const collectors = [...tables.collector.values()].map((e) => e.value as StatCollector);
      const canCollect = (need: StatNeed) => collectors.some((c) => c.kind === need.kind && c.pairwise === need.pairwise);
      const unmet: string[] = [];
      for (const kind of ['aligner', 'merger'] as const) {
        for (const [id, e] of tables[kind]) {
          for (const need of (e.value as Aligner | Merger).needs) {
            if (!canCollect(need)) {
              unmet.push(`${kind} '${id}' (plugin '${e.owner}') needs ${need.pairwise ? 'pairwise ' : ''}'${need.kind}' statistics`);
            }
          }
        }
      }
      if (unmet.length) {
        const have = collectors.length ? collectors.map((c) => `'${c.id}' (${c.pairwise ? 'pairwise ' : ''}${c.kind})`).join(', ') : 'none';
        throw new RegistryError(`freeze: unsatisfied statistics needs — register a plugin with a collector for them:\n- ${unmet.join('\n- ')}\nregistered collectors: ${have}`);
      }
      frozen = true;
      for (const p of plugins) p.kernels?.();
      return makeFrozen(plugins.map((p) => p.meta), tables, canCollect);
    },
  };
  return builder;
}

function checkStep(v: { align?: unknown; merge?: unknown; needs?: unknown }, fn: 'align' | 'merge', schema: { parse?: unknown } | undefined): string | undefined {
  if (typeof v[fn] !== 'function') return `has no ${fn}() function`;
  if (!schema || typeof schema.parse !== 'function') return `needs an options schema with parse()`;
  if (!Array.isArray(v.needs)) return `needs a 'needs' array (empty when it needs no statistics)`;
  return undefined;
}

function makeFrozen(plugins: PluginMeta[], tables: Record<ContributionKind, Map<string, Entry<any>>>, canCollect: (n: StatNeed) => boolean): SymmetryRegistry {
  const get = <T>(kind: ContributionKind, id: string): T => {
    const e = tables[kind].get(id);
    if (!e) {
      const known = [...tables[kind].keys()];
      throw new RegistryError(`unknown ${kind} '${id}'; known ${kind}s: ${known.length ? known.join(', ') : `none (register a plugin that provides ${kind}s)`}`);
    }
    return e.value as T;
  };
  const list = <T>(kind: ContributionKind) => Object.freeze([...tables[kind].values()].map((e) => e.value as T));
  const lists = {
    aligner: list<Aligner<any>>('aligner'),
    merger: list<Merger<any>>('merger'),
    collector: list<StatCollector>('collector'),
    solver: list<Solver>('solver'),
    architecture: list<ArchitectureProvider<any>>('architecture'),
  };
  const registry: SymmetryRegistry = {
    plugins: Object.freeze([...plugins]),
    aligner: (id) => get('aligner', id),
    merger: (id) => get('merger', id),
    collector(kindOrId, pairwise) {
      const byId = tables.collector.get(kindOrId);
      if (byId && (pairwise === undefined || byId.value.pairwise === pairwise)) return byId.value as StatCollector;
      const ofKind = lists.collector.filter((c) => c.kind === kindOrId && (pairwise === undefined || c.pairwise === pairwise));
      if (ofKind.length === 1) return ofKind[0];
      if (ofKind.length > 1) {
        throw new RegistryError(`collector: ${ofKind.length} collectors provide '${kindOrId}' statistics (${ofKind.map((c) => c.id).join(', ')}); ask for one by id`);
      }
      const known = lists.collector.map((c) => `${c.id} (${c.pairwise ? 'pairwise ' : ''}${c.kind})`);
      throw new RegistryError(`unknown collector '${kindOrId}'${pairwise !== undefined ? ` (${pairwise ? 'pairwise' : 'not pairwise'})` : ''}; known collectors: ${known.length ? known.join(', ') : 'none'}`);
    },
    solver(id) {
      if (id !== undefined) return get('solver', id);
      const preferred = tables.solver.get('lapjv') ?? [...tables.solver.values()][0];
      if (!preferred) throw new RegistryError('solver: no solver is registered (use coreSymmetryPlugin(), which provides lapjv)');
      return preferred.value as Solver;
    },
    architectureFor(config) {
      const found = lists.architecture.find((a) => a.matches(config));
      if (found) return found;
      const mt = (config as { modelType?: unknown; model_type?: unknown } | null)?.modelType ?? (config as { model_type?: unknown } | null)?.model_type;
      throw new RegistryError(
        `architectureFor: no registered architecture understands this config (modelType ${JSON.stringify(mt)}); known architectures: ${lists.architecture.map((a) => a.id).join(', ') || 'none (use coreSymmetryPlugin())'}`,
      );
    },
    architecture: (id) => get('architecture', id),
    aligners: () => lists.aligner,
    mergers: () => lists.merger,
    collectors: () => lists.collector,
    solvers: () => lists.solver,
    architectures: () => lists.architecture,
    ownerOf(kind, id) {
      get(kind, id);
      return tables[kind].get(id)!.owner;
    },
    canCollect,
  };
  return Object.freeze(registry);
}
