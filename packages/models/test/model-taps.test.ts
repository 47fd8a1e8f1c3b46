/**
 * Activation taps: which sites fire, with which rows (padding excluded), and that each site carries
 * the tensor its name promises (checked by recomputing layer outputs from the tapped inputs on the host).
 */
import type { Tensor } from '@symfuse/tensor';
import { describe, expect, it } from 'vitest';
import {
  type EncoderConfig, type HeadKind, type TapInfo, TapSites, expectedParams, forward, initParams, layerParamNames,
  parseTapSite, tapSites,
} from '../src/model/index.js';

function tinyConfig(over: Partial<EncoderConfig> = {}): EncoderConfig {
  return {
    modelType: 'bert', hiddenSize: 8, numLayers: 2, numHeads: 2, intermediateSize: 12, hiddenAct: 'gelu',
    layerNormEps: 1e-12, layerNormPlacement: 'post', vocabSize: 20, maxPositionEmbeddings: 16,
    typeVocabSize: 2, padTokenId: 0, numLabels: 3, ...over,
  };
}

interface Got {
  shape: number[];
  data: Float64Array;
  info: TapInfo;
}

class Recorder {
  readonly got = new Map<string, Got>();
  readonly order: string[] = [];
  readonly asked: string[] = [];
  constructor(private readonly want: (site: string) => boolean = () => true) {}
  wants(site: string): boolean {
    this.asked.push(site);
    return this.want(site);
  }
  collect(site: string, features: Tensor, info: TapInfo): void {
    expect(this.got.has(site), `site ${site} fired twice`).toBe(false);
    this.order.push(site);
    this.got.set(site, { shape: [...features.shape], data: Float64Array.from(features.dataSync()), info });
  }
}

// Two sequences of lengths 4 and 2 padded to 4; real flat positions 0..3, 4, 5.
const batch = { ids: [2, 5, 6, 3, 2, 7, 0, 0], mask: [1, 1, 1, 1, 1, 1, 0, 0], typeIds: [0, 0, 1, 1, 0, 1, 0, 0], batch: 2, seqLen: 4 };
const REAL = [0, 1, 2, 3, 4, 5];

function run(config: EncoderConfig, head: HeadKind, rec: Recorder, mlmRows?: number[]) {
  const params = initParams(config, { head, seed: 11, std: 0.4 });
  const out = forward({ config, params, head }, batch, { taps: rec, mlmRows });
  return { params, out };
}

/** Host reference of `LN(x) γ + β` row-wise. */
function layerNormRows(x: Float64Array, d: number, g: ArrayLike<number>, b: ArrayLike<number>, eps: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < x.length / d; r++) {
    let m = 0;
    for (let j = 0; j < d; j++) m += x[r * d + j];
    m /= d;
    let v = 0;
    for (let j = 0; j < d; j++) v += (x[r * d + j] - m) ** 2;
    const inv = 1 / Math.sqrt(v / d + eps);
    for (let j = 0; j < d; j++) out[r * d + j] = (x[r * d + j] - m) * inv * g[j] + b[j];
  }
  return out;
}

/** Host reference of `x Wᵀ + b` with `W: [out, in]`. */
function linearRows(x: Float64Array, w: Tensor, b: Tensor): Float64Array {
  const [o, i] = w.shape;
  const W = w.dataSync();
  const B = b.dataSync();
  const n = x.length / i;
  const out = new Float64Array(n * o);
  for (let r = 0; r < n; r++) {
    for (let k = 0; k < o; k++) {
      let s = B[k];
      for (let j = 0; j < i; j++) s += x[r * i + j] * W[k * i + j];
      out[r * o + k] = s;
    }
  }
  return out;
}

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-4): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
  expect(worst).toBeLessThan(tol);
}

describe('taps', () => {
  for (const [modelType, placement, head] of [
    ['bert', 'post', 'mlm'], ['bert', 'pre', 'classifier'], ['roberta', 'post', 'classifier'], ['roberta', 'pre', 'mlm'],
  ] as const) {
    it(`${modelType} ${placement}-LN ${head}: every site of tapSites fires once, in order, with real rows only`, () => {
      const config = modelType === 'roberta' ? tinyConfig({ modelType, layerNormPlacement: placement, padTokenId: 1, typeVocabSize: 1 }) : tinyConfig({ layerNormPlacement: placement });
      const ids = modelType === 'roberta' ? batch.ids.map((v) => (v === 0 ? 1 : v)) : batch.ids;
      const rec = new Recorder();
      const params = initParams(config, { head, seed: 11, std: 0.4 });
      forward({ config, params, head }, { ...batch, ids, typeIds: modelType === 'roberta' ? undefined : batch.typeIds }, { taps: rec });
      expect(rec.order).toEqual(tapSites(modelType, 2, head));
      const all = tapSites(modelType, 2, head);
      const headSites = new Set(all.slice(all.indexOf('encoder.output') + 1));
      const shapes = expectedParams(config, head);
      for (const [site, g] of rec.got) {
        const expectedRows = head === 'classifier' && headSites.has(site) ? [0, 4] : REAL;
        expect([...g.info.positions], site).toEqual(expectedRows);
        expect(g.shape[0], site).toBe(expectedRows.length);
        expect(g.info.rows).toBe(expectedRows.length);
        // A linear weight's input has its `in` width; the FFN activation has d_ff; the rest d.
        const width = shapes.get(site)?.[1] ?? (site.endsWith('ffn.activation') ? 12 : 8);
        expect(g.shape[1], site).toBe(width);
        expect(g.info.batch).toBe(2);
        expect(g.info.seqLen).toBe(4);
        expect(g.info.kind).toBe(parseTapSite(site).kind);
      }
      expect(rec.got.has(layerParamNames(modelType, 0).key.weight)).toBe(false);
      expect(rec.got.has(layerParamNames(modelType, 0).value.weight)).toBe(false);
    });
  }

  it('asks before materialising and only hands over wanted sites', () => {
    const rec = new Recorder((s) => s === TapSites.ffnActivation(1));
    run(tinyConfig(), 'mlm', rec);
    expect(rec.order).toEqual(['layer.1.ffn.activation']);
    expect(new Set(rec.asked)).toEqual(new Set(tapSites('bert', 2, 'mlm')));
  });

  it('each site carries what its name says (post-LN): recomposing the layer from taps gives its output', () => {
    const config = tinyConfig();
    const rec = new Recorder();
    const { params, out } = run(config, 'mlm', rec);
    const p = (n: string) => params.get(n) as Tensor;
    const g = (s: string) => (rec.got.get(s) as Got).data;
    for (let l = 0; l < 2; l++) {
      const n = layerParamNames('bert', l);
      const input = l === 0 ? g('embeddings.output') : g(TapSites.layerOutput(l - 1));
      expect(g(n.query.weight)).toEqual(input);
      expect(g(n.attnOut.weight)).toEqual(g(TapSites.attentionContext(l)));
      expect(g(n.ffnIn.weight)).toEqual(g(TapSites.attentionResidual(l)));
      expect(g(n.ffnOut.weight)).toEqual(g(TapSites.ffnActivation(l)));
      // x_a = LN1(x + W_O ctx + b_O); x_f = LN2(x_a + W_2 a + b_2).
      const o = linearRows(g(TapSites.attentionContext(l)), p(n.attnOut.weight), p(n.attnOut.bias));
      const xa = layerNormRows(o.map((v, i) => v + input[i]), 8, p(n.ln1.weight).dataSync(), p(n.ln1.bias).dataSync(), 1e-12);
      expectClose(g(TapSites.attentionResidual(l)), xa);
      const f = linearRows(g(TapSites.ffnActivation(l)), p(n.ffnOut.weight), p(n.ffnOut.bias));
      const xf = layerNormRows(f.map((v, i) => v + xa[i]), 8, p(n.ln2.weight).dataSync(), p(n.ln2.bias).dataSync(), 1e-12);
      expectClose(g(TapSites.layerOutput(l)), xf);
    }
    const hidden = out.hidden.dataSync();
    expectClose(g('encoder.output'), hidden.subarray(0, 6 * 8));
    expect(g('encoder.output')).toEqual(g(TapSites.layerOutput(1)));
  });

  it('each site carries what its name says (pre-LN): residual adds and LN inputs of Q/K/V and W_1', () => {
    const config = tinyConfig({ layerNormPlacement: 'pre' });
    const rec = new Recorder();
    const { params } = run(config, 'none', rec);
    const p = (n: string) => params.get(n) as Tensor;
    const g = (s: string) => (rec.got.get(s) as Got).data;
    const n = layerParamNames('bert', 1);
    const x = g(TapSites.layerOutput(0));
    expectClose(g(n.query.weight), layerNormRows(x, 8, p(n.ln1.weight).dataSync(), p(n.ln1.bias).dataSync(), 1e-12));
    const o = linearRows(g(TapSites.attentionContext(1)), p(n.attnOut.weight), p(n.attnOut.bias));
    const xa = o.map((v, i) => v + x[i]);
    expectClose(g(TapSites.attentionResidual(1)), xa);
    expectClose(g(n.ffnIn.weight), layerNormRows(xa, 8, p(n.ln2.weight).dataSync(), p(n.ln2.bias).dataSync(), 1e-12));
    const f = linearRows(g(TapSites.ffnActivation(1)), p(n.ffnOut.weight), p(n.ffnOut.bias));
    expectClose(g(TapSites.layerOutput(1)), f.map((v, i) => v + xa[i]));
    const fl = layerNormRows(g(TapSites.layerOutput(1)), 8, p('bert.encoder.final_layer_norm.weight').dataSync(), p('bert.encoder.final_layer_norm.bias').dataSync(), 1e-12);
    expectClose(g('encoder.output'), fl);
  });

  it('MLM head taps cover the selected rows minus padding, in the given order', () => {
    const rec = new Recorder((s) => s.startsWith('cls.'));
    const { out } = run(tinyConfig(), 'mlm', rec, [5, 6, 1]);
    expect(out.logits?.shape).toEqual([3, 20]);
    const dense = rec.got.get('cls.predictions.transform.dense.weight') as Got;
    expect([...dense.info.positions]).toEqual([5, 1]);
    expect(dense.shape).toEqual([2, 8]);
    expect((rec.got.get('cls.predictions.decoder.weight') as Got).shape).toEqual([2, 8]);
  });

  it('parseTapSite reads site names', () => {
    expect(parseTapSite('layer.12.ffn.activation')).toEqual({ kind: 'ffn-activation', layer: 12 });
    expect(parseTapSite('layer.3.output')).toEqual({ kind: 'layer-output', layer: 3 });
    expect(parseTapSite('roberta.encoder.layer.3.output.dense.weight')).toEqual({ kind: 'linear-input', layer: 3 });
    expect(parseTapSite('classifier.out_proj.weight')).toEqual({ kind: 'linear-input' });
    expect(parseTapSite('embeddings.output')).toEqual({ kind: 'embeddings-output' });
  });
});

