/**
 * The correlation collector and its bundle: an independent two-pass oracle, shards combine into the
 * single-pass statistics, padding is excluded (a padded batch equals its unpadded sequences), special
 * tokens are included, constant features give correlation 0 (not NaN), serialisation round-trips.
 */
import fc from 'fast-check';
import { type EncoderConfig, forward, TapSites } from '@symfuse/models';
import { createRegistry, coreSymmetryPlugin, type ModelBatch, type ModelWeights, type StatsBundle } from '@symfuse/symmetry';
import { randomEncoderModel, smallEncoderConfig } from '@symfuse/symmetry/testing';
import { CrossMoments, fromHost } from '@symfuse/tensor';
import { describe, expect, it } from 'vitest';
import {
  CORRELATION_FIELDS,
  combineCorrelationBundles,
  correlationBundle,
  correlationCollector,
  correlationMatrix,
  defaultCorrelationSites,
  momentsFromBundle,
  permutationPlugin,
} from '../src/index.js';
import { correlations, probes, specOf } from './helpers.js';

const config = smallEncoderConfig({ numLayers: 2, hiddenSize: 8, numHeads: 2, intermediateSize: 12 });
const a = randomEncoderModel(config, { seed: 1, head: 'mlm' });
const b = randomEncoderModel(config, { seed: 2, head: 'mlm' });
const spec = specOf(config, 'mlm', a.params);

/** Rows of a site for every real token of `batches`, by a plain forward pass (f64 copies). */
function rowsOf(m: ModelWeights, site: string, batches: readonly ModelBatch[]): number[][] {
  const out: number[][] = [];
  for (const batch of batches) {
    forward({ config: m.config as EncoderConfig, params: new Map(m.params), head: 'none' }, batch, {
      taps: {
        wants: (s) => s === site,
        collect(_s, features) {
          const [n, d] = features.shape;
          const x = features.dataSync();
          for (let r = 0; r < n; r++) out.push(Array.from(x.subarray(r * d, (r + 1) * d)));
        },
      },
    });
  }
  return out;
}

/** Two-pass Pearson correlation, the textbook way (oracle). */
function pearson(x: number[][], y: number[][]): number[][] {
  const n = x.length;
  const mean = (m: number[][], j: number) => m.reduce((s, r) => s + r[j], 0) / n;
  const p = x[0].length;
  const q = y[0].length;
  const mx = Array.from({ length: p }, (_, j) => mean(x, j));
  const my = Array.from({ length: q }, (_, j) => mean(y, j));
  const sd = (m: number[][], mu: number[], j: number) => Math.sqrt(m.reduce((s, r) => s + (r[j] - mu[j]) ** 2, 0));
  return Array.from({ length: p }, (_, i) =>
    Array.from({ length: q }, (_, j) => {
      const c = x.reduce((s, r, k) => s + (r[i] - mx[i]) * (y[k][j] - my[j]), 0);
      const d = sd(x, mx, i) * sd(y, my, j);
      return d > 0 ? c / d : 0;
    }),
  );
}

function maxDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  expect(x.length).toBe(y.length);
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

function expectBundlesClose(x: StatsBundle, y: StatsBundle, tol: number): void {
  expect([...x.entries.keys()]).toEqual([...y.entries.keys()]);
  for (const [name, e] of x.entries) {
    const f = y.entries.get(name)!;
    expect(f.shape).toEqual(e.shape);
    const scale = Math.max(1, ...Array.from(e.data, Math.abs));
    expect(maxDiff(e.data, f.data) / scale, name).toBeLessThanOrEqual(tol);
  }
}

describe('correlation collector', () => {
  it('matches a two-pass Pearson oracle on every default site, excluding padding', async () => {
    const batches = probes(config, 9, 3);
    const stats = await correlations(spec, a, b, batches);
    const sites = defaultCorrelationSites(spec);
    expect(sites).toEqual(expect.arrayContaining(['embeddings.output', 'layer.1.attention.residual', 'layer.1.output', 'layer.0.ffn.activation', 'layer.1.attention.context']));
    const realTokens = batches.reduce((s, x) => s + x.mask.reduce((t, v) => t + v, 0), 0);
    expect(realTokens).toBeLessThan(batches.length * 4 * 12); // some padding was there to exclude
    expect(stats.meta.tokens).toBe(realTokens);
    for (const site of sites) {
      const c = correlationMatrix(stats, site);
      expect(c.count).toBe(realTokens);
      const oracle = pearson(rowsOf(a, site, batches), rowsOf(b, site, batches)).flat();
      expect(maxDiff(c.data, oracle), site).toBeLessThan(1e-9);
    }
    expect(stats.meta.precision).toBe('f64');
  });

  it("by default multiplies each batch in f32 (the fast GEMM) and stays within 1e-6 of the Pearson oracle", async () => {
    const batches = probes(config, 9, 3);
    const stats = await correlationCollector().collect({ spec, model: b, reference: a, batches });
    expect(stats.meta.precision).toBe('f32');
    for (const site of defaultCorrelationSites(spec)) {
      const oracle = pearson(rowsOf(a, site, batches), rowsOf(b, site, batches)).flat();
      expect(maxDiff(correlationMatrix(stats, site).data, oracle), site).toBeLessThan(1e-6);
    }
    await expect(correlationCollector().collect({ spec, model: b, reference: a, batches, options: { precision: 'f16' } })).rejects.toThrow(/option 'precision' = "f16"; expected 'f32' or 'f64'/);
  });

  it('shards combine into the single-pass statistics (any split of the batches)', async () => {
    const batches = probes(config, 4, 5);
    const sites = ['layer.0.ffn.activation', 'layer.1.attention.context', 'embeddings.output'];
    const whole = await correlations(spec, a, b, batches, sites);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 5, maxLength: 5 }), async (shardOf) => {
        const parts: StatsBundle[] = [];
        for (let k = 0; k < 3; k++) {
          const mine = batches.filter((_, i) => shardOf[i] === k);
          if (mine.length) parts.push(await correlations(spec, a, b, mine, sites));
        }
        const combined = correlationCollector().combine(parts);
        expectBundlesClose(combined, whole, 1e-12);
        expect(combined.meta.shards).toBe(parts.length);
        expect(combined.meta.batches).toBe(5);
        expect(combined.meta.tokens).toBe(whole.meta.tokens);
      }),
      { numRuns: 6 },
    );
  });

  it('reports progress per batch and counts batches in the metadata', async () => {
    const events: { done: number; total: number }[] = [];
    const stats = await correlationCollector().collect({ spec, model: b, reference: a, batches: probes(config, 3, 3), options: { sites: ['layer.0.output'] }, progress: (e) => events.push(e) });
    expect(events.map((e) => [e.done, e.total])).toEqual([[1, 3], [2, 3], [3, 3]]);
    expect(stats.meta).toMatchObject({ anchor: 'random-1', model: 'random-2', batches: 3 });
    await expect(correlationCollector().collect({ spec, model: b, reference: a, batches: [], options: { sites: 'layer.0.output' } })).rejects.toThrow(/option 'sites' = "layer\.0\.output"; expected an array/);
  });

  it('a padded batch gives the same statistics as its sequences without padding; special tokens count', async () => {
    const ids = [2, 5, 7, 9, 3, 2, 6, 8, 1, 1]; // two sequences of 5; the second padded after 3 tokens (pad id 1)
    const padded: ModelBatch = { ids: Int32Array.from(ids), mask: Int32Array.from([1, 1, 1, 1, 1, 1, 1, 1, 0, 0]), batch: 2, seqLen: 5 };
    const first: ModelBatch = { ids: Int32Array.from(ids.slice(0, 5)), mask: Int32Array.from([1, 1, 1, 1, 1]), batch: 1, seqLen: 5 };
    const second: ModelBatch = { ids: Int32Array.from(ids.slice(5, 8)), mask: Int32Array.from([1, 1, 1]), batch: 1, seqLen: 3 };
    const sites = ['layer.1.output', 'layer.0.attention.context'];
    const x = await correlations(spec, a, b, [padded], sites);
    const y = await correlations(spec, a, b, [first, second], sites);
    expect(x.entries.get(`layer.1.output/${CORRELATION_FIELDS.count}`)!.data[0]).toBe(8);
    expectBundlesClose(x, y, 1e-6); // f32 forward passes over different batch shapes
  });

  it('a constant feature has correlation 0 with everything, never NaN', async () => {
    // A dead FFN neuron: zero incoming weights, so its activation is gelu(b_1[0]) on every token.
    const params = new Map(b.params);
    const w1 = 'bert.encoder.layer.0.intermediate.dense.weight';
    const w = Float32Array.from(params.get(w1)!.dataSync() as Float32Array);
    w.fill(0, 0, 8);
    params.set(w1, fromHost(w, [12, 8]));
    const dead = { ...b, params };
    const stats = await correlations(spec, a, dead, probes(config, 2), ['layer.0.ffn.activation']);
    const c = correlationMatrix(stats, 'layer.0.ffn.activation');
    expect(c.data.every(Number.isFinite)).toBe(true);
    for (let i = 0; i < 12; i++) expect(c.data[i * 12 + 0]).toBe(0);
    // the same for a constant anchor feature, directly on the accumulator
    const m = new CrossMoments(2, 2).updateArrays(Float64Array.from([1, 5, 1, 6, 1, 7]), Float64Array.from([1, 2, 3, 4, 5, 7]), 3);
    const bundle = correlationBundle(new Map([['s', m]]));
    expect(Array.from(correlationMatrix(bundle, 's').data.slice(0, 2))).toEqual([0, 0]);
  });

  it('bundles round-trip through their entries; bad bundles are reported by name', async () => {
    const stats = await correlations(spec, a, b, probes(config, 1, 1), ['layer.0.ffn.activation']);
    expect([...stats.entries.keys()]).toEqual([
      'layer.0.ffn.activation/count',
      'layer.0.ffn.activation/anchor-mean',
      'layer.0.ffn.activation/model-mean',
      'layer.0.ffn.activation/cross-moment',
      'layer.0.ffn.activation/anchor-m2',
      'layer.0.ffn.activation/model-m2',
    ]);
    expect(stats.entries.get('layer.0.ffn.activation/cross-moment')!.shape).toEqual([12, 12]);
    expectBundlesClose(correlationBundle(momentsFromBundle(stats), stats.meta), stats, 0);
    expect(() => correlationMatrix(stats, 'layer.1.ffn.activation')).toThrow(/'layer\.1\.ffn\.activation\/anchor-mean' is missing; the bundle has sites layer\.0\.ffn\.activation/);
    const other = await correlations(spec, a, b, probes(config, 1, 1), ['layer.1.ffn.activation']);
    expect(() => combineCorrelationBundles([stats, other])).toThrow(/every shard must hold the same sites/);
    await expect(correlationCollector().collect({ spec, model: b, batches: [] })).rejects.toThrow(/need the anchor as 'reference'/);
  });

  it('is registered by the plugin (and only when used), and the registry resolves it by kind', () => {
    const registry = createRegistry().use(coreSymmetryPlugin()).use(permutationPlugin()).freeze();
    expect(registry.collector('correlation', true).id).toBe('correlation');
    expect(registry.aligners().map((x) => x.id)).toEqual(['verma-elbayad', 'weight-matching']);
    expect(createRegistry().use(coreSymmetryPlugin()).freeze().collectors()).toHaveLength(0);
    expect(TapSites.ffnActivation(0)).toBe('layer.0.ffn.activation');
  });
});
