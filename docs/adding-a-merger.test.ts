/**
 * Worked example of docs/adding-a-merger.md: a weighted-average merger plugin, tested for
 * merge([θ, θ]) = θ, a hand-computed weighted mean, a pipeline run and parameter errors.
 */
import { describe, expect, it } from 'vitest';
import { add, mul, scalar, type Tensor } from '@symfuse/tensor';
import {
  type Aligner,
  coreSymmetryPlugin,
  createRegistry,
  invertTransform,
  type Merger,
  runPipeline,
  type SymmetryPlugin,
} from '@symfuse/symmetry';
import { plantedRecovery, randomEncoderModel, smallEncoderConfig } from '@symfuse/symmetry/testing';

interface Params {
  /** One weight per model (anchor first); default equal. */
  readonly weights?: readonly number[];
}

/** θ = Σᵢ wᵢ θᵢ / Σᵢ wᵢ. */
export function weightedAverage(): Merger<Params> {
  return {
    id: 'weighted-average',
    prettyName: 'Weighted average',
    reference: 'Wortsman et al. 2022 ("model soups"); ALGORITHMS.md "Merging: Simple"',
    params: {
      parse(input) {
        const o = (input ?? {}) as Record<string, unknown>;
        for (const key of Object.keys(o)) if (key !== 'weights') throw new Error(`unknown parameter '${key}'; allowed: weights`);
        const w = o.weights;
        if (w === undefined) return {};
        if (!Array.isArray(w) || w.some((x) => typeof x !== 'number' || !(x >= 0)) || !w.some((x) => x > 0)) {
          throw new Error(`weights = ${JSON.stringify(w)}: expected an array of numbers ≥ 0, not all zero`);
        }
        return { weights: w as number[] };
      },
      describe: { weights: 'one weight per model, anchor first (default: equal)' },
    },
    needs: [],
    async merge({ models, params }) {
      const weights = params.weights ?? models.map(() => 1);
      if (weights.length !== models.length) {
        throw new Error(`weighted-average: ${weights.length} weights for ${models.length} models; give one weight per model (anchor first)`);
      }
      const total = weights.reduce((a, b) => a + b, 0);
      const out = new Map<string, Tensor>();
      for (const name of models[0].params.keys()) {
        let acc: Tensor | undefined;
        models.forEach((m, i) => {
          const p = m.params.get(name)!;
          const term = mul(p, scalar(weights[i] / total, { dtype: p.dtype }));
          acc = acc ? add(acc, term) : term;
        });
        out.set(name, acc!);
      }
      return { params: out, diagnostics: { weights } };
    },
  };
}

/** An aligner that knows the answer (for the pipeline test only): the inverse of a planted g. */
function oracleAligner(answer: () => ReturnType<typeof invertTransform>): Aligner {
  return {
    id: 'oracle',
    prettyName: 'Oracle',
    reference: 'test',
    components: ['residual', 'ffn', 'attention-qk', 'attention-vo', 'head'],
    options: { parse: () => ({}) },
    needs: [],
    async align() {
      return { transform: answer(), trace: [], diagnostics: {} };
    },
  };
}

export function weightedAveragePlugin(extra: Partial<SymmetryPlugin> = {}): SymmetryPlugin {
  return { meta: { name: 'docs-weighted-average', version: '0.1.0', description: 'weighted average (docs example)' }, mergers: [weightedAverage()], ...extra };
}

describe('docs: adding a merger', () => {
  const config = smallEncoderConfig({ numLayers: 1 });

  it('merge([θ, θ]) = θ', async () => {
    const theta = randomEncoderModel(config, { seed: 1, head: 'mlm' });
    const registry = createRegistry().use(coreSymmetryPlugin()).use(weightedAveragePlugin()).freeze();
    const spec = registry.architectureFor(config).buildSpec(config, { head: 'mlm' });
    const merger = registry.merger('weighted-average');
    const { params } = await merger.merge({ spec, models: [theta, theta], stats: [new Map(), new Map()], params: merger.params.parse({ weights: [1, 3] }), seed: 0 });
    expect([...params.keys()]).toEqual([...theta.params.keys()]);
    for (const [k, p] of params) {
      const a = theta.params.get(k)!.dataSync();
      const b = p.dataSync();
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(a[i])));
    }
  });

  it('computes the weighted mean of three models', async () => {
    const ms = [1, 2, 3].map((seed) => randomEncoderModel(config, { seed, head: 'mlm', dtype: 'f64' }));
    const merger = weightedAverage();
    const spec = createRegistry().use(coreSymmetryPlugin()).freeze().architectureFor(config).buildSpec(config, { head: 'mlm' });
    const { params } = await merger.merge({ spec, models: ms, stats: ms.map(() => new Map()), params: { weights: [1, 2, 5] }, seed: 0 });
    const name = 'bert.encoder.layer.0.intermediate.dense.weight';
    const [a, b, c] = ms.map((m) => m.params.get(name)!.dataSync());
    const merged = params.get(name)!.dataSync();
    for (let i = 0; i < a.length; i++) expect(merged[i]).toBeCloseTo((a[i] + 2 * b[i] + 5 * c[i]) / 8, 12);
  });

  it('merges an aligned model through the pipeline back into the anchor', async () => {
    const { anchor, planted, g } = plantedRecovery({ config, kinds: ['permutation', 'head-permutation'], seed: 5, head: 'mlm', dtype: 'f64' });
    const registry = createRegistry().use(coreSymmetryPlugin()).use(weightedAveragePlugin({ aligners: [oracleAligner(() => invertTransform(g))] })).freeze();
    const result = await runPipeline(registry, { align: [{ aligner: 'oracle' }], merge: { method: 'weighted-average' } }, { anchor, models: [planted] });
    for (const [k, p] of result.merged!) {
      const a = anchor.params.get(k)!.dataSync();
      const m = p.dataSync();
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - m[i])).toBeLessThan(1e-12);
    }
  });

  it('parameter errors name the key, the value and what is allowed', async () => {
    const theta = randomEncoderModel(config, { seed: 1, head: 'mlm' });
    const registry = createRegistry().use(coreSymmetryPlugin()).use(weightedAveragePlugin()).freeze();
    await expect(runPipeline(registry, { merge: { method: 'weighted-average', weights: [1, -2] } }, { anchor: theta, models: [theta] })).rejects.toThrow(
      /merge \(merger 'weighted-average'\) params: weights = \[1,-2\]: expected an array of numbers ≥ 0/,
    );
    await expect(runPipeline(registry, { merge: { method: 'weighted-average', weights: [1, 1, 1] } }, { anchor: theta, models: [theta] })).rejects.toThrow(/3 weights for 2 models/);
    await expect(runPipeline(registry, { merge: { method: 'average' } }, { anchor: theta, models: [theta] })).rejects.toThrow(/unknown merger 'average'; known mergers: weighted-average/);
  });
});
