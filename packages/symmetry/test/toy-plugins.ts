/**
 * Small but real plugins for pipeline tests: FFN weight matching (Ainsworth et al.'s cost for one
 * layer, no residual), a spy aligner that records what it sees, a Gram "collector" measured with the
 * model's own taps, and a spy mean merger that records its statistics.
 */
import { forward, type EncoderConfig, type EncoderModel, type TapCollector, layerParamNames } from '@symfuse/models';
import { add, mul, scalar, type Tensor } from '@symfuse/tensor';
import {
  type Aligner,
  type Merger,
  makeProbes,
  type ModelWeights,
  type SpaceElement,
  type StatCollector,
  type StatEntry,
  type StatsBundle,
  type SymmetryPlugin,
} from '../src/index.js';

const noOptions = { parse: (x: unknown) => ({ ...((x ?? {}) as Record<string, unknown>) }) };

function host(m: ModelWeights, name: string): Float32Array | Float64Array {
  return m.params.get(name)!.dataSync() as Float32Array;
}

/** Weight matching for FFN spaces only: cost[i, j] = ⟨W1_A[i], W1_B[j]⟩ + b1_A[i] b1_B[j] + ⟨W2_A[:, i], W2_B[:, j]⟩. */
export function ffnWeightMatching(): Aligner {
  return {
    id: 'toy-ffn-matching',
    prettyName: 'Toy FFN weight matching',
    reference: 'Ainsworth et al. 2023 (one layer at a time, residual fixed)',
    components: ['ffn'],
    options: noOptions,
    needs: [],
    async align({ anchor, model, spaces, solver }) {
      const elements = new Map<string, SpaceElement>();
      const trace = [];
      const type = (anchor.config as EncoderConfig).modelType as 'bert';
      for (const space of spaces) {
        const n = layerParamNames(type, space.layer!);
        const f = space.size;
        const W1a = host(anchor, n.ffnIn.weight), W1b = host(model, n.ffnIn.weight);
        const b1a = host(anchor, n.ffnIn.bias), b1b = host(model, n.ffnIn.bias);
        const W2a = host(anchor, n.ffnOut.weight), W2b = host(model, n.ffnOut.weight);
        const d = W1a.length / f;
        const cost = new Float64Array(f * f);
        for (let i = 0; i < f; i++) for (let j = 0; j < f; j++) {
          let s = b1a[i] * b1b[j];
          for (let k = 0; k < d; k++) s += W1a[i * d + k] * W1b[j * d + k] + W2a[k * f + i] * W2b[k * f + j];
          cost[i * f + j] = s;
        }
        const r = await solver.solve(cost, f, f, { maximize: true });
        elements.set(space.id, { kind: 'permutation', perm: r.cols });
        trace.push({ space: space.id, step: 'assignment', objectiveAfter: r.total });
      }
      return { transform: { elements, preservesFunction: true, provenance: { aligner: 'toy-ffn-matching' } }, trace, diagnostics: { spaces: spaces.length } };
    },
  };
}

/** Records each request's spaces and a copy of the parameters it was given; returns `reply`. */
export function spyAligner(log: { spaces: string[]; params: Map<string, number[]>; stats: string[] }[], reply: (spaces: readonly { id: string }[]) => Map<string, SpaceElement> = () => new Map()): Aligner {
  return {
    id: 'toy-spy',
    prettyName: 'Spy',
    reference: 'test',
    components: ['residual', 'ffn', 'attention-qk', 'attention-vo', 'head'],
    options: { parse: (x) => ({ ...((x ?? {}) as Record<string, unknown>) }) },
    needs: [{ kind: 'gram', pairwise: false }],
    needsFor: (options) => (options.wantsGram ? [{ kind: 'gram', pairwise: false }] : []),
    async align({ model, spaces, stats }) {
      log.push({ spaces: spaces.map((s) => s.id), params: new Map([...model.params].map(([k, t]) => [k, Array.from(t.dataSync())])), stats: [...stats.keys()] });
      return { transform: { elements: reply(spaces), preservesFunction: true }, trace: [], diagnostics: {} };
    },
  };
}

/** Grams of the inputs of every linear weight, measured through taps on fixed probes (f64). */
export function measureGrams(model: ModelWeights): StatsBundle {
  const grams = new Map<string, StatEntry>();
  const taps: TapCollector = {
    wants: (site) => site.endsWith('.weight'),
    collect(site, features) {
      const [rows, d] = features.shape;
      const x = features.dataSync();
      const g = grams.get(site)?.data ?? new Float64Array(d * d);
      for (let r = 0; r < rows; r++) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) g[i * d + j] += x[r * d + i] * x[r * d + j];
      grams.set(site, { shape: [d, d], data: g });
    },
  };
  const em = { config: model.config as EncoderConfig, params: new Map(model.params), head: model.head } as EncoderModel;
  for (const batch of makeProbes(em.config, { seed: 5, count: 2 })) {
    const r = forward(em, batch, { taps });
    r.hidden.dispose();
    r.logits?.dispose();
  }
  // the tied decoder's input is not a parameter of the spec
  for (const k of [...grams.keys()]) if (k.includes('decoder')) grams.delete(k);
  return { kind: 'gram', meta: { model: model.id ?? '?' }, entries: grams };
}

/** A collector declaration for 'gram' (the tests' statsProvider measures directly). */
export function gramCollector(): StatCollector {
  return {
    id: 'toy-gram',
    kind: 'gram',
    pairwise: false,
    layout: 'linear-input-gram',
    collect: async ({ model }) => measureGrams(model),
    combine: (parts) => parts[0],
  };
}

/** Plain mean of the parameters; records the statistics it was given. */
export function spyMeanMerger(seen: ReadonlyMap<string, StatsBundle>[][]): Merger<{ weight: number }> {
  return {
    id: 'toy-mean',
    prettyName: 'Mean',
    reference: 'test',
    params: {
      parse(x) {
        const o = (x ?? {}) as Record<string, unknown>;
        if (o.weight !== undefined && typeof o.weight !== 'number') throw new Error(`weight = ${JSON.stringify(o.weight)}: expected a number`);
        return { weight: (o.weight as number | undefined) ?? 1 };
      },
    },
    needs: [{ kind: 'gram', pairwise: false }],
    async merge({ models, stats }) {
      seen.push([...stats]);
      const params = new Map<string, Tensor>();
      for (const name of models[0].params.keys()) {
        let acc = models[0].params.get(name)!;
        for (const m of models.slice(1)) acc = add(acc, m.params.get(name)!);
        params.set(name, mul(acc, scalar(1 / models.length, { dtype: acc.dtype })));
      }
      return { params, diagnostics: { n: models.length } };
    },
  };
}

/** A plugin with all of the above. */
export function toyPlugin(log: Parameters<typeof spyAligner>[0], seen: Parameters<typeof spyMeanMerger>[0], reply?: Parameters<typeof spyAligner>[1]): SymmetryPlugin {
  return {
    meta: { name: 'toy', version: '0.0.0', description: 'test plugins' },
    aligners: [ffnWeightMatching(), spyAligner(log, reply)],
    mergers: [spyMeanMerger(seen)],
    collectors: [gramCollector()],
  };
}
