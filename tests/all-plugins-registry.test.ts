/**
 * Every plugin in one registry: the four plugin packages plus the core plugin freeze together (no id
 * collides across packages, every statistics need is met), and the registry lists what each provides.
 */
import { fisherPlugin } from '@symfuse/plugins-fisher';
import { permutationPlugin } from '@symfuse/plugins-permutation';
import { regmeanPlugin } from '@symfuse/plugins-regmean';
import { rotationPlugin } from '@symfuse/plugins-rotation';
import { type ContributionKind, coreSymmetryPlugin, createRegistry, type SymmetryPlugin, type SymmetryRegistry } from '@symfuse/symmetry';
import { describe, expect, it } from 'vitest';

const factories = { coreSymmetryPlugin, permutationPlugin, rotationPlugin, regmeanPlugin, fisherPlugin };

function fullRegistry(): SymmetryRegistry {
  let b = createRegistry();
  for (const f of Object.values(factories)) b = b.use(f());
  return b.freeze();
}

const ids = (xs: readonly { id: string }[]) => xs.map((x) => x.id).sort();

describe('registry with every plugin', () => {
  it('freezes and lists every aligner, merger, collector, solver and architecture, with its owner', () => {
    const r = fullRegistry();
    expect(r.plugins.map((p) => p.name).sort()).toEqual(
      ['@symfuse/symmetry', '@symfuse/plugins-permutation', '@symfuse/plugins-rotation', '@symfuse/plugins-regmean', '@symfuse/plugins-fisher'].sort(),
    );
    expect(ids(r.aligners())).toEqual(['rotation', 'verma-elbayad', 'weight-matching']);
    expect(ids(r.mergers())).toEqual(['fisher', 'regmean', 'simple']);
    expect(r.collectors().map((c) => `${c.kind}${c.pairwise ? ' (pairwise)' : ''}`).sort()).toEqual(['correlation (pairwise)', 'fisher', 'gram']);
    expect(ids(r.solvers())).toEqual(['lapjv']);
    expect(ids(r.architectures())).toEqual(['bert-family']);
    const owners: [ContributionKind, string, string][] = [
      ['aligner', 'verma-elbayad', '@symfuse/plugins-permutation'],
      ['aligner', 'weight-matching', '@symfuse/plugins-permutation'],
      ['aligner', 'rotation', '@symfuse/plugins-rotation'],
      ['merger', 'simple', '@symfuse/plugins-regmean'],
      ['merger', 'regmean', '@symfuse/plugins-regmean'],
      ['merger', 'fisher', '@symfuse/plugins-fisher'],
      ['solver', 'lapjv', '@symfuse/symmetry'],
      ['architecture', 'bert-family', '@symfuse/symmetry'],
    ];
    for (const [kind, id, owner] of owners) expect(r.ownerOf(kind, id), `${kind} ${id}`).toBe(owner);
    // Every need of every aligner and merger is met by a registered collector.
    for (const step of [...r.aligners(), ...r.mergers()]) for (const need of step.needs) expect(r.canCollect(need), `${step.id} needs ${need.kind}`).toBe(true);
  });

  it('has no id that two packages share, in any order of registration', () => {
    const list = Object.values(factories).map((f) => f());
    const seen = new Map<string, string>();
    for (const p of list) {
      const contributions: [string, readonly { id: string }[] | undefined][] = [
        ['aligner', p.aligners],
        ['merger', p.mergers],
        ['collector', p.collectors],
        ['solver', p.solvers],
        ['architecture', p.architectures],
      ];
      for (const [kind, xs] of contributions) {
        for (const x of xs ?? []) {
          const key = `${kind}:${x.id}`;
          expect(seen.get(key), `${key} of ${p.meta.name}`).toBeUndefined();
          seen.set(key, p.meta.name);
        }
      }
    }
    const reversed = list.reverse().reduce((b, p) => b.use(p), createRegistry()).freeze();
    expect(ids(reversed.aligners())).toEqual(ids(fullRegistry().aligners()));
  });

  it('refuses a plugin registered twice, and a second plugin that reuses an id, naming both owners', () => {
    expect(() => createRegistry().use(regmeanPlugin()).use(regmeanPlugin())).toThrow(/plugin '@symfuse\/plugins-regmean' is already registered/);
    const copycat: SymmetryPlugin = { meta: { name: 'copycat', version: '0', description: 'reuses an id' }, mergers: [regmeanPlugin().mergers![0]] };
    expect(() => createRegistry().use(coreSymmetryPlugin()).use(regmeanPlugin()).use(copycat)).toThrow(
      /duplicate merger id 'simple': registered by plugin '@symfuse\/plugins-regmean' and again by plugin 'copycat'/,
    );
  });

  it('names every known id when asked for an unknown one', () => {
    const known = (e: unknown) => String((e as Error).message).split('; known ')[1];
    const r = fullRegistry();
    expect(() => r.aligner('procrustes')).toThrow(/^unknown aligner 'procrustes'; known aligners: /);
    try {
      r.aligner('procrustes');
    } catch (e) {
      expect(known(e).replace('aligners: ', '').split(', ').sort()).toEqual(ids(r.aligners()));
    }
    try {
      r.merger('ties');
    } catch (e) {
      expect(known(e).replace('mergers: ', '').split(', ').sort()).toEqual(ids(r.mergers()));
    }
    expect.assertions(3);
  });
});
