/**
 * The plugin registry: duplicate ids name both owners, unknown ids list the known ones, needs are
 * checked against collectors at freeze, a failed `use` changes nothing; the core solver is exact; the
 * DI wiring gives each run its own child container.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
// di.ts first: it installs the reflect-metadata polyfill tsyringe needs at load time.
import { createRunContainer, resolve, tokens } from '../src/di.js';
import { container } from 'tsyringe';
import {
  coreSymmetryPlugin,
  createRegistry,
  lapjvSolver,
  RegistryError,
  type Aligner,
  type StatCollector,
  type SymmetryPlugin,
} from '../src/index.js';
import { smallEncoderConfig } from '../src/testing/index.js';

const noOptions = { parse: (x: unknown) => (x ?? {}) as Record<string, unknown> };
const aligner = (id: string, needs: Aligner['needs'] = []): Aligner => ({
  id,
  prettyName: id,
  reference: 'test',
  components: ['ffn'],
  options: noOptions,
  needs,
  align: async () => ({ transform: { elements: new Map(), preservesFunction: true }, trace: [], diagnostics: {} }),
});
const collector = (id: string, kind: string, pairwise = false): StatCollector => ({
  id,
  kind,
  pairwise,
  layout: pairwise ? 'pairwise' : 'linear-input-gram',
  collect: async () => ({ kind, meta: {}, entries: new Map() }),
  combine: (parts) => parts[0],
});
const plugin = (name: string, extra: Partial<SymmetryPlugin> = {}): SymmetryPlugin => ({ meta: { name, version: '0.0.0', description: name }, ...extra });

describe('registry', () => {
  it('duplicate ids throw naming both owners', () => {
    const b = createRegistry().use(plugin('first', { aligners: [aligner('same')] }));
    expect(() => b.use(plugin('second', { aligners: [aligner('same')] }))).toThrow("duplicate aligner id 'same': registered by plugin 'first' and again by plugin 'second'");
    expect(() => createRegistry().use(coreSymmetryPlugin()).use(plugin('other', { solvers: [lapjvSolver()] }))).toThrow(/duplicate solver id 'lapjv'.*'@symfuse\/symmetry'.*'other'/);
    expect(() => createRegistry().use(plugin('p')).use(plugin('p'))).toThrow(/plugin 'p' is already registered/);
  });

  it('unknown ids throw listing the known ones', () => {
    const r = createRegistry().use(coreSymmetryPlugin()).use(plugin('x', { aligners: [aligner('alpha'), aligner('beta')] })).freeze();
    expect(() => r.aligner('gamma')).toThrow("unknown aligner 'gamma'; known aligners: alpha, beta");
    expect(() => r.merger('mean')).toThrow(/unknown merger 'mean'; known mergers: none/);
    expect(() => r.solver('auction')).toThrow("unknown solver 'auction'; known solvers: lapjv");
    expect(() => r.architectureFor({ modelType: 'gpt2' })).toThrow(/modelType "gpt2".*known architectures: bert-family/);
    expect(r.architectureFor(smallEncoderConfig()).id).toBe('bert-family');
    expect(r.solver().id).toBe('lapjv');
    expect(r.ownerOf('aligner', 'beta')).toBe('x');
  });

  it('needs are checked at freeze, whatever the registration order', () => {
    const needy = plugin('needy', { aligners: [aligner('corr', [{ kind: 'correlation', pairwise: true }])] });
    expect(() => createRegistry().use(needy).freeze()).toThrow(/aligner 'corr' \(plugin 'needy'\) needs pairwise 'correlation' statistics/);
    // a non-pairwise collector of the kind does not satisfy a pairwise need
    expect(() => createRegistry().use(needy).use(plugin('c', { collectors: [collector('corr-np', 'correlation')] })).freeze()).toThrow(/registered collectors: 'corr-np' \(correlation\)/);
    const r = createRegistry().use(needy).use(plugin('c', { collectors: [collector('corr-collector', 'correlation', true)] })).freeze();
    expect(r.collector('correlation').id).toBe('corr-collector');
    expect(r.collector('corr-collector').kind).toBe('correlation');
    expect(r.canCollect({ kind: 'correlation', pairwise: true })).toBe(true);
  });

  it('validates contributions; a failed use leaves the builder unchanged', () => {
    expect(() => createRegistry().use(plugin('bad', { aligners: [aligner('Not Kebab')] }))).toThrow(/plugin 'bad': aligner id "Not Kebab" is not a kebab-case id/);
    expect(() => createRegistry().use(plugin('bad', { aligners: [{ ...aligner('a'), align: undefined as never }] }))).toThrow(/aligner 'a' has no align\(\) function/);
    expect(() => createRegistry().use(plugin('bad', { collectors: [{ ...collector('c', 'gram'), layout: 'diagonal' as never }] }))).toThrow(/layout "diagonal"/);
    const b = createRegistry();
    expect(() => b.use(plugin('half', { aligners: [aligner('ok'), aligner('BAD')] }))).toThrow();
    const r = b.use(plugin('whole', { aligners: [aligner('ok')] })).freeze();
    expect(r.aligners().map((a) => a.id)).toEqual(['ok']);
    expect(r.plugins.map((p) => p.name)).toEqual(['whole']);
  });

  it('freeze is final, lists are immutable, kernels are registered once', () => {
    let calls = 0;
    const b = createRegistry().use(plugin('k', { kernels: () => void calls++ }));
    const r = b.freeze();
    expect(calls).toBe(1);
    expect(() => b.use(plugin('late'))).toThrow(/already frozen/);
    expect(() => b.freeze()).toThrow(/already frozen/);
    expect(Object.isFrozen(r)).toBe(true);
    expect(Object.isFrozen(r.aligners())).toBe(true);
    const ambiguous = createRegistry().use(plugin('g', { collectors: [collector('g1', 'gram'), collector('g2', 'gram')] })).freeze();
    expect(() => ambiguous.collector('gram')).toThrow(/2 collectors provide 'gram' statistics \(g1, g2\)/);
  });
});

describe('lapjv solver', () => {
  function brute(cost: number[][], maximize: boolean): number {
    const rows = cost.length;
    const cols = cost[0].length;
    let best = maximize ? -Infinity : Infinity;
    const used = new Array(cols).fill(false);
    const go = (r: number, acc: number) => {
      if (r === rows) {
        best = maximize ? Math.max(best, acc) : Math.min(best, acc);
        return;
      }
      for (let c = 0; c < cols; c++) {
        if (used[c]) continue;
        used[c] = true;
        go(r + 1, acc + cost[r][c]);
        used[c] = false;
      }
    };
    go(0, 0);
    return best;
  }
  it('finds an optimal assignment (brute-force oracle), square and rectangular', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }).chain((rows) => fc.tuple(fc.constant(rows), fc.integer({ min: rows, max: 6 }))).chain(([rows, cols]) => fc.array(fc.array(fc.integer({ min: -20, max: 20 }), { minLength: cols, maxLength: cols }), { minLength: rows, maxLength: rows })),
        fc.boolean(),
        async (cost, maximize) => {
          const rows = cost.length;
          const cols = cost[0].length;
          const r = await lapjvSolver().solve(Float64Array.from(cost.flat()), rows, cols, { maximize });
          expect(new Set(r.cols).size).toBe(rows);
          let total = 0;
          for (let i = 0; i < rows; i++) total += cost[i][r.cols[i]];
          expect(total).toBe(r.total);
          expect(total).toBe(brute(cost, maximize));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('DI wiring', () => {
  it('gives each run a child container and never registers into the global one', async () => {
    const registry = createRegistry().use(coreSymmetryPlugin()).freeze();
    const c1 = createRunContainer(registry, { seed: 7 });
    const c2 = createRunContainer(registry, { seed: 8 });
    expect(resolve(c1, tokens.registry)).toBe(registry);
    expect(resolve(c1, tokens.seed)).toBe(7);
    expect(resolve(c2, tokens.seed)).toBe(8);
    expect(resolve(c1, tokens.solver).id).toBe('lapjv');
    expect(resolve(c1, tokens.pipeline)).toBe(resolve(c1, tokens.pipeline));
    expect(container.isRegistered(tokens.registry)).toBe(false);
    expect(typeof resolve(c1, tokens.pipeline)).toBe('function');
    await c1.dispose();
    await c2.dispose();
  });
});
