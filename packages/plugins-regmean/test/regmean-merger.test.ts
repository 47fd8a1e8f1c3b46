import { forward } from '@symfuse/models';
import { coreSymmetryPlugin, createRegistry, modelForTask, type StatsBundle, taskParamName } from '@symfuse/symmetry';
import { maxParamDiff, maxRelDiff, randomBatches, randomEncoderModel, smallEncoderConfig } from '@symfuse/symmetry/testing';
import { describe, expect, it } from 'vitest';
import { regmeanLinear, regmeanPlugin } from '../src/index.js';

const config = smallEncoderConfig({ numLayers: 1 });
const registry = createRegistry().use(coreSymmetryPlugin()).use(regmeanPlugin()).freeze();
const spec = registry.architectureFor(config).buildSpec(config, { head: 'classifier' });
const regmean = registry.merger('regmean');
const simple = registry.merger('simple');
const gramsOf = (model: ReturnType<typeof randomEncoderModel>, seed = 1, count = 3) =>
  registry.collector('gram').collect({ spec, model, batches: randomBatches(model.config, seed, count, 3, 8) });
const statsOf = (...b: StatsBundle[]) => b.map((g) => new Map([['gram', g]]));

describe('regmean merger', () => {
  const a = randomEncoderModel(config, { seed: 1, head: 'classifier', dtype: 'f64' });
  const b = randomEncoderModel(config, { seed: 2, head: 'classifier', dtype: 'f64' });

  it('merge([θ, θ]) = θ', async () => {
    const g = await gramsOf(a);
    const r = await regmean.merge({ spec, models: [a, a], stats: statsOf(g, g), params: regmean.params.parse({}), seed: 0 });
    expect(maxParamDiff(a.params, r.params).diff).toBeLessThan(1e-10);
    expect(r.diagnostics).toMatchObject({ alpha: 0.9, gramScale: 'mean', linearWeights: 8, maxRidge: 0 });
  });

  it('with identical Grams equals the simple mean', async () => {
    const g = await gramsOf(a);
    const r = await regmean.merge({ spec, models: [a, b], stats: statsOf(g, g), params: regmean.params.parse({ alpha: 0.5 }), seed: 0 });
    const s = await simple.merge({ spec, models: [a, b], stats: statsOf(g, g), params: {}, seed: 0 });
    expect(maxParamDiff(s.params, r.params).diff).toBeLessThan(1e-10);
  });

  it('merges linear weights by RegMean with α per layer pattern and per model, and averages the rest', async () => {
    const ga = await gramsOf(a, 1);
    const gb = await gramsOf(b, 2, 5);
    const params = regmean.params.parse({ alpha: [0.9, 0.7], alphaOverrides: [{ pattern: '*.attention.*', alpha: 0 }, { pattern: '*.attention.output.*', alpha: 0.3, models: [1] }] });
    const r = await regmean.merge({ spec, models: [a, b], stats: statsOf(ga, gb), params, seed: 0 });
    const expectLayer = (name: string, gname: string, alphas: number[]) => {
      const [out, n] = a.params.get(name)!.shape;
      const want = regmeanLinear({ weights: [a, b].map((m) => m.params.get(name)!.dataSync() as Float64Array), grams: [ga, gb].map((g) => g.entries.get(gname)!.data), alphas, out, in: n }, name);
      expect(maxRelDiff(want.weight, r.params.get(name)!.dataSync())).toBeLessThan(1e-12);
    };
    const l = 'bert.encoder.layer.0';
    expectLayer(`${l}.attention.self.key.weight`, `${l}.attention.self.query.weight`, [0, 0]);
    expectLayer(`${l}.attention.output.dense.weight`, `${l}.attention.output.dense.weight`, [0, 0.3]);
    expectLayer(`${l}.intermediate.dense.weight`, `${l}.intermediate.dense.weight`, [0.9, 0.7]);
    expectLayer('classifier.weight', 'classifier.weight', [0.9, 0.7]);
    for (const name of [`${l}.attention.self.key.bias`, 'bert.embeddings.word_embeddings.weight', `${l}.output.LayerNorm.weight`]) {
      const x = a.params.get(name)!.dataSync();
      const y = b.params.get(name)!.dataSync();
      expect(maxRelDiff(Float64Array.from(x, (v, i) => (v + y[i]) / 2), r.params.get(name)!.dataSync())).toBeLessThan(1e-15);
    }
    // Not a mean: the Grams differ.
    const w = `${l}.intermediate.dense.weight`;
    const mean = Float64Array.from(a.params.get(w)!.dataSync(), (v, i) => (v + b.params.get(w)!.dataSync()[i]) / 2);
    expect(maxRelDiff(mean, r.params.get(w)!.dataSync())).toBeGreaterThan(1e-3);
  });

  it("gramScale 'sum' weighs the models by their row counts", async () => {
    const ga = await gramsOf(a, 1, 1);
    const gb = await gramsOf(b, 2, 4);
    const r = await regmean.merge({ spec, models: [a, b], stats: statsOf(ga, gb), params: regmean.params.parse({ gramScale: 'sum', alpha: 1 }), seed: 0 });
    const name = 'bert.encoder.layer.0.output.dense.weight';
    const [out, n] = a.params.get(name)!.shape;
    const raw = [ga, gb].map((g) => g.entries.get(name)!.data.map((v) => v * Number(g.meta[`count.${name}`])));
    const want = regmeanLinear({ weights: [a, b].map((m) => m.params.get(name)!.dataSync() as Float64Array), grams: raw, alphas: [1, 1], out, in: n }, name);
    expect(maxRelDiff(want.weight, r.params.get(name)!.dataSync())).toBeLessThan(1e-9);
  });

  it('reports the ridge it needed for singular Grams', async () => {
    // One sequence of 3 tokens: every 16×16 Gram has rank ≤ 3.
    const few = await registry.collector('gram').collect({ spec, model: a, batches: randomBatches(config, 5, 1, 1, 3, false) });
    const r = await regmean.merge({ spec, models: [a, b], stats: statsOf(few, few), params: regmean.params.parse({ alpha: 1 }), seed: 0 });
    const ridged = r.diagnostics.ridged as { name: string; ridge: number }[];
    expect(ridged.length).toBeGreaterThan(0);
    expect(ridged.every((x) => x.ridge > 0)).toBe(true);
    expect(r.diagnostics.maxRidge).toBeGreaterThan(0);
    for (const t of r.params.values()) expect([...t.dataSync()].every(Number.isFinite)).toBe(true);
  });

  it('refuses missing or mismatched statistics, naming the tensor', async () => {
    const g = await gramsOf(a);
    await expect(regmean.merge({ spec, models: [a, b], stats: [new Map([['gram', g]]), new Map()], params: regmean.params.parse({}), seed: 0 })).rejects.toThrow(
      /model 1 \(random-2\) has no 'gram' statistics/,
    );
    const entries = new Map(g.entries);
    entries.delete('bert.encoder.layer.0.intermediate.dense.weight');
    await expect(regmean.merge({ spec, models: [a, b], stats: statsOf(g, { ...g, entries }), params: regmean.params.parse({}), seed: 0 })).rejects.toThrow(
      /model 1 \(random-2\) has no Gram 'bert\.encoder\.layer\.0\.intermediate\.dense\.weight' \(the input of linear weight 'bert\.encoder\.layer\.0\.intermediate\.dense\.weight'\)/,
    );
    const other = randomEncoderModel(smallEncoderConfig({ numLayers: 1, intermediateSize: 32 }), { seed: 7, head: 'classifier' });
    const og = await registry.collector('gram').collect({ spec: registry.architectureFor(other.config).buildSpec(other.config, { head: 'classifier' }), model: other, batches: randomBatches(config, 1, 1, 2, 4) });
    await expect(regmean.merge({ spec, models: [a, b], stats: statsOf(g, og), params: regmean.params.parse({}), seed: 0 })).rejects.toThrow(
      /model 1 \(random-2\): 'gram' statistics of model "random-7" entry 'bert\.encoder\.layer\.0\.output\.dense\.weight' has shape \[32, 32\]/,
    );
    await expect(regmean.merge({ spec, models: [a, b], stats: statsOf(g, g), params: regmean.params.parse({ alpha: [0.9, 0.9, 0.9] }), seed: 0 })).rejects.toThrow(/alpha has 3 entries for 2 models/);
    await expect(regmean.merge({ spec, models: [a, b], stats: statsOf(g, g), params: regmean.params.parse({ alphaOverrides: [{ pattern: '*', alpha: 1, models: [2] }] }), seed: 0 })).rejects.toThrow(/model index 2 .* out of range/);
    expect(() => regmean.params.parse({ alpha: 1.5 })).toThrow(/alpha/);
  });

  it('keeps task heads of different tasks apart and merges the encoder', async () => {
    const c3 = randomEncoderModel(smallEncoderConfig({ numLayers: 1, numLabels: 3 }), { seed: 11, head: 'classifier', dtype: 'f64' });
    const c2 = randomEncoderModel(smallEncoderConfig({ numLayers: 1, numLabels: 2 }), { seed: 12, head: 'classifier', dtype: 'f64' });
    const stats = statsOf(await gramsOf(c3), await gramsOf(c2, 2));
    const r = await regmean.merge({ spec, models: [c3, c2], stats, params: regmean.params.parse({}), seed: 0 });
    expect(r.diagnostics.tasks).toEqual([
      { id: 'task-0', models: [0], head: 'usual names' },
      { id: 'task-1', models: [1], head: 'task/task-1/…' },
    ]);
    // The anchor's head is kept as it is; the other task's under task/<id>/…; the encoder is merged.
    expect(r.params.get('classifier.weight')!.dataSync()).toEqual(c3.params.get('classifier.weight')!.dataSync());
    expect(r.params.get(taskParamName('task-1', 'classifier.weight'))!.shape).toEqual([2, 16]);
    expect(r.params.get(taskParamName('task-1', 'bert.pooler.dense.weight'))!.dataSync()).toEqual(c2.params.get('bert.pooler.dense.weight')!.dataSync());
    const enc = 'bert.encoder.layer.0.intermediate.dense.weight';
    expect(maxRelDiff(c3.params.get(enc)!.dataSync(), r.params.get(enc)!.dataSync())).toBeGreaterThan(1e-3);
    const second = modelForTask(r.params, 'task-1', 'task-0');
    expect(second.get(enc)).toBe(r.params.get(enc));
    expect([...second.keys()].some((k) => k.startsWith('task/'))).toBe(false);
    const out = forward({ config: c2.config, params: second, head: 'classifier' }, randomBatches(c2.config, 3, 1, 2, 5)[0]);
    expect(out.logits!.shape).toEqual([2, 2]);
    expect(() => modelForTask(r.params, 'nope', 'task-0')).toThrow(/no head of task 'nope'.*tasks: task-0, task-1/);
    // Same head shapes: one task, merged fully, unless task ids say otherwise.
    const ga = await gramsOf(a);
    const gb = await gramsOf(b, 2);
    const one = await regmean.merge({ spec, models: [a, b], stats: statsOf(ga, gb), params: regmean.params.parse({}), seed: 0 });
    expect([...one.params.keys()].some((k) => k.startsWith('task/'))).toBe(false);
    const two = await regmean.merge({ spec, models: [a, b], stats: statsOf(ga, gb), params: regmean.params.parse({ tasks: ['party', 'spam'] }), seed: 0 });
    expect(two.params.get('classifier.bias')!.dataSync()).toEqual(a.params.get('classifier.bias')!.dataSync());
    expect(two.params.get('task/spam/classifier.bias')!.dataSync()).toEqual(b.params.get('classifier.bias')!.dataSync());
    await expect(regmean.merge({ spec, models: [c3, c2], stats, params: regmean.params.parse({ tasks: ['x', 'x'] }), seed: 0 })).rejects.toThrow(
      /models 0 and 1 are both task 'x' but their head parameter 'classifier\.weight' differs \(\[3, 16\] vs \[2, 16\]\)/,
    );
  });
});
