/**
 * Worked example of docs/adding-a-collector.md: a `feature-mean` collector (per FFN activation site,
 * the mean feature over real tokens) built on a TapAccumulator, tested against a plain loop over the
 * taps of `forward`, jointly with the `gram` collector, and for exact shard combination.
 */
import { type EncoderConfig, forward, parseTapSite, type TapCollector, TapSites } from '@symfuse/models';
import { regmeanPlugin } from '@symfuse/plugins-regmean';
import {
  type AccumulateRequest,
  type CollectRequest,
  type StatCollector,
  type StatsBundle,
  type TapAccumulator,
  collectJointly,
  collectWithAccumulator,
  coreSymmetryPlugin,
  createRegistry,
  inShard,
  parseShard,
} from '@symfuse/symmetry';
import { randomBatches, randomEncoderModel, smallEncoderConfig } from '@symfuse/symmetry/testing';
import { tidy } from '@symfuse/tensor';
import { describe, expect, it } from 'vitest';

/** Σ features and the row count per FFN activation site, in f64. */
function featureMeanAccumulator(request: AccumulateRequest): TapAccumulator {
  const config = request.model.config as EncoderConfig;
  const shard = parseShard((request.options?.shard as string | undefined) ?? undefined);
  const sums = new Map<string, Float64Array>();
  const counts = new Map<string, number>();
  for (let l = 0; l < config.numLayers; l++) {
    sums.set(TapSites.ffnActivation(l), new Float64Array(config.intermediateSize));
    counts.set(TapSites.ffnActivation(l), 0);
  }
  let batches = 0;
  return {
    head: 'none', // every site is in the encoder: skip the task head
    accepts: (index) => inShard(index, shard),
    wants: (role, site) => role === 'model' && sums.has(site),
    collect(_role, site, features, info) {
      // `features` lives only during this call: read it now.
      const x = features.dataSync();
      const s = sums.get(site)!;
      const dim = features.shape[1];
      for (let r = 0; r < info.rows; r++) for (let j = 0; j < dim; j++) s[j] += x[r * dim + j];
      counts.set(site, counts.get(site)! + info.rows);
    },
    endBatch() {
      batches++;
    },
    async finish(): Promise<StatsBundle> {
      if (batches === 0) throw new Error('feature-mean collector: no batch (check the shard)');
      const entries = new Map<string, { shape: number[]; data: Float64Array }>();
      const meta: Record<string, string | number> = { batches };
      for (const [site, s] of sums) {
        const n = counts.get(site)!;
        entries.set(site, { shape: [s.length], data: s.map((v) => v / n) });
        meta[`count.${site}`] = n;
      }
      return { kind: 'feature-mean', meta, entries };
    },
  };
}

/** The collector: accumulator, `collect` on top of it, and exact `combine` of shards. */
export function featureMeanCollector(): StatCollector {
  const collector: StatCollector = {
    id: 'feature-mean',
    kind: 'feature-mean',
    pairwise: false,
    layout: 'pairwise', // a site mean of features is not moved by the pipeline; collect on the aligned model
    accumulator: featureMeanAccumulator,
    collect: (request: CollectRequest) => collectWithAccumulator(collector, request),
    combine(parts) {
      const first = parts[0];
      const entries = new Map<string, { shape: readonly number[]; data: Float64Array }>();
      const meta: Record<string, string | number> = { batches: parts.reduce((s, p) => s + Number(p.meta.batches), 0) };
      for (const [site, e] of first.entries) {
        const out = new Float64Array(e.data.length);
        let total = 0;
        for (const p of parts) {
          const n = Number(p.meta[`count.${site}`]);
          const d = p.entries.get(site)!.data;
          for (let j = 0; j < out.length; j++) out[j] += n * d[j];
          total += n;
        }
        entries.set(site, { shape: e.shape, data: out.map((v) => v / total) });
        meta[`count.${site}`] = total;
      }
      return { kind: 'feature-mean', meta, entries };
    },
  };
  return collector;
}

const registry = createRegistry().use(coreSymmetryPlugin()).use(regmeanPlugin()).use({ meta: { name: 'feature-mean-example', version: '0.0.0', description: 'docs example' }, collectors: [featureMeanCollector()] }).freeze();

describe('docs/adding-a-collector.md: a feature-mean collector', () => {
  const config = smallEncoderConfig({ numLayers: 2 });
  const spec = registry.architectureFor(config).buildSpec(config, { head: 'mlm' });
  const model = randomEncoderModel(config, { seed: 9, head: 'mlm' });
  const batches = randomBatches(config, 10, 3, 3, 8);

  it('matches a plain loop over the taps of forward', async () => {
    const bundle = await registry.collector('feature-mean', false).collect({ spec, model, batches });
    const want = new Map<string, { sum: Float64Array; n: number }>();
    for (const batch of batches) {
      const taps: TapCollector = {
        wants: (site) => parseTapSite(site).kind === 'ffn-activation',
        collect(site, features, info) {
          const w = want.get(site) ?? { sum: new Float64Array(features.shape[1]), n: 0 };
          features.dataSync().forEach((v, i) => (w.sum[i % features.shape[1]] += v));
          w.n += info.rows;
          want.set(site, w);
        },
      };
      tidy(() => void forward({ config, params: new Map(model.params), head: 'none' }, batch, { taps, head: 'none' }));
    }
    expect([...bundle.entries.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [site, w] of want) {
      const got = bundle.entries.get(site)!.data;
      w.sum.forEach((s, j) => expect(got[j]).toBeCloseTo(s / w.n, 12));
    }
  });

  it('collected jointly with the gram collector gives the same bundles in one pass per batch', async () => {
    const alone = [await registry.collector('feature-mean', false).collect({ spec, model, batches }), await registry.collector('gram', false).collect({ spec, model, batches })];
    const joint = await collectJointly(
      [
        { collector: registry.collector('feature-mean', false), request: { spec, model } },
        { collector: registry.collector('gram', false), request: { spec, model } },
      ],
      batches,
    );
    joint.forEach((b, i) => {
      for (const [name, e] of alone[i].entries) expect(b.entries.get(name)!.data, name).toEqual(e.data);
    });
  });

  it('combines two shards into the whole', async () => {
    const c = registry.collector('feature-mean', false);
    const whole = await c.collect({ spec, model, batches });
    const parts = [await c.collect({ spec, model, batches, options: { shard: '1/2' } }), await c.collect({ spec, model, batches, options: { shard: '2/2' } })];
    const combined = c.combine(parts);
    for (const [site, e] of whole.entries) combined.entries.get(site)!.data.forEach((v, j) => expect(v).toBeCloseTo(e.data[j], 12));
  });
});
