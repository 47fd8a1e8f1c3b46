/**
 * Worked example of docs/adding-an-aligner.md: a tiny FFN weight-matching aligner plugin, registered
 * and run through the registry and the pipeline, tested by planted recovery and invariance.
 */
import { describe, expect, it } from 'vitest';
import { layerParamNames, type EncoderConfig, type EncoderModelType } from '@symfuse/models';
import {
  type Aligner,
  applyTransform,
  coreSymmetryPlugin,
  createRegistry,
  runPipeline,
  type SpaceElement,
  type SymmetryPlugin,
  type TraceEvent,
  verify,
} from '@symfuse/symmetry';
import { expectRecovered, plantedRecovery, smallEncoderConfig } from '@symfuse/symmetry/testing';

// 1–3. Id, components and an options schema whose errors name the key, the value and what is allowed.
// (A plugin package would write `zodOptions(z.object({ biasWeight: z.number().nonnegative().default(1) }).strict())`.)
interface Options {
  readonly biasWeight: number;
}
function parseOptions(input: unknown): Options {
  const o = (input ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(o)) if (key !== 'biasWeight') throw new Error(`unknown option '${key}'; allowed: biasWeight`);
  const w = o.biasWeight ?? 1;
  if (typeof w !== 'number' || !(w >= 0)) throw new Error(`biasWeight = ${JSON.stringify(w)}: expected a number ≥ 0`);
  return { biasWeight: w };
}

/** FFN weight matching: C[i, j] = ⟨W1_A[i], W1_B[j]⟩ + w·b1_A[i]·b1_B[j] + ⟨W2_A[:, i], W2_B[:, j]⟩. */
export function ffnMatching(): Aligner<Options> {
  return {
    id: 'docs-ffn-matching',
    prettyName: 'FFN weight matching (docs example)',
    reference: 'Ainsworth, Hayase & Srinivasa 2023, "Git Re-Basin"',
    components: ['ffn'],
    options: {
      parse: parseOptions,
      describe: { biasWeight: 'weight of the bias term in the similarity (default 1)' },
    },
    // 4. Dataless: no statistics.
    needs: [],
    // 5. Only the given spaces; the model is already transformed by earlier steps.
    async align({ anchor, model, spaces, options, solver, progress }) {
      const type = (anchor.config as EncoderConfig).modelType as EncoderModelType;
      const read = (m: typeof model, name: string) => m.params.get(name)!.dataSync();
      const elements = new Map<string, SpaceElement>();
      const trace: TraceEvent[] = [];
      for (const [k, space] of spaces.entries()) {
        const n = layerParamNames(type, space.layer!);
        const f = space.size;
        const [W1a, W1b] = [read(anchor, n.ffnIn.weight), read(model, n.ffnIn.weight)];
        const [b1a, b1b] = [read(anchor, n.ffnIn.bias), read(model, n.ffnIn.bias)];
        const [W2a, W2b] = [read(anchor, n.ffnOut.weight), read(model, n.ffnOut.weight)];
        const d = W1a.length / f;
        const cost = new Float64Array(f * f);
        for (let i = 0; i < f; i++) {
          for (let j = 0; j < f; j++) {
            let s = options.biasWeight * b1a[i] * b1b[j];
            for (let c = 0; c < d; c++) s += W1a[i * d + c] * W1b[j * d + c] + W2a[c * f + i] * W2b[c * f + j];
            cost[i * f + j] = s;
          }
        }
        let before = 0;
        for (let i = 0; i < f; i++) before += cost[i * f + i];
        // 6. The user's solver; new neuron i = old neuron cols[i] maps the model towards the anchor.
        const { cols, total } = await solver.solve(cost, f, f, { maximize: true });
        elements.set(space.id, { kind: 'permutation', perm: cols });
        // 7. Trace and progress, never printing.
        trace.push({ space: space.id, step: 'weight-matching', objectiveBefore: before, objectiveAfter: total });
        progress?.({ stage: 'docs-ffn-matching', done: k + 1, total: spaces.length, detail: space.id });
      }
      return { transform: { elements, preservesFunction: true, provenance: { aligner: 'docs-ffn-matching', options } }, trace, diagnostics: { spaces: spaces.length } };
    },
  };
}

// 8. A plugin is a plain object from a factory; nothing registers on import.
export function ffnMatchingPlugin(): SymmetryPlugin {
  return { meta: { name: 'docs-ffn-matching', version: '0.1.0', description: 'FFN weight matching (docs example)' }, aligners: [ffnMatching()] };
}

// 9. Tests.
describe('docs: adding an aligner', () => {
  const config = smallEncoderConfig({ numLayers: 2, intermediateSize: 20 });
  const ffnSpaces = ['layer.0.ffn', 'layer.1.ffn'];

  it('recovers a planted FFN permutation through the registry and the pipeline', async () => {
    const registry = createRegistry().use(coreSymmetryPlugin()).use(ffnMatchingPlugin()).freeze();
    const { anchor, planted, g, spec } = plantedRecovery({ config, kinds: ['permutation'], seed: 7, head: 'mlm', spaces: ffnSpaces });
    const result = await runPipeline(registry, { align: [{ aligner: 'docs-ffn-matching', spaces: ['ffn'], options: { biasWeight: 0.5 } }] }, { anchor, models: [planted] });
    expectRecovered(result.transforms[0], g, spec);
    const trace = result.steps[0].trace;
    expect(trace.map((t) => t.space)).toEqual(ffnSpaces);
    for (const t of trace) expect(t.objectiveAfter!).toBeGreaterThan(t.objectiveBefore!);
  });

  it('returns a symmetry: the aligned model computes the same function', async () => {
    const registry = createRegistry().use(coreSymmetryPlugin()).use(ffnMatchingPlugin()).freeze();
    const a = plantedRecovery({ config, kinds: ['permutation'], seed: 1, head: 'mlm' }).anchor;
    const b = plantedRecovery({ config, kinds: ['permutation'], seed: 2, head: 'mlm' }).anchor; // another model
    const aligner = registry.aligner('docs-ffn-matching');
    const spec = registry.architectureFor(config).buildSpec(config, { head: 'mlm' });
    const spaces = spec.spaces.filter((s) => s.component === 'ffn');
    const { transform } = await aligner.align({ spec, anchor: a, model: b, spaces, options: aligner.options.parse({}), stats: new Map(), solver: registry.solver(), seed: 0 });
    const aligned = { ...b, params: applyTransform(spec, transform, b.params) };
    expect(verify(b, aligned).equivalent).toBe(true);
  });

  it('option errors name the key and what is allowed', async () => {
    const registry = createRegistry().use(coreSymmetryPlugin()).use(ffnMatchingPlugin()).freeze();
    const { anchor, planted } = plantedRecovery({ config, kinds: ['permutation'], seed: 7, head: 'mlm' });
    await expect(runPipeline(registry, { align: [{ aligner: 'docs-ffn-matching', options: { biasWeight: -1 } }] }, { anchor, models: [planted] })).rejects.toThrow(
      /align\[0\] \(aligner 'docs-ffn-matching'\) options: biasWeight = -1: expected a number ≥ 0/,
    );
  });
});
