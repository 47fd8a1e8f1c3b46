/**
 * Parameter naming, init, tolerant loading, config validation and summaries of the encoder family.
 */
import { type Tensor, fromHost } from '@symfuse/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type EncoderConfig, type HeadKind, ParamMismatchError, SeededNormalRng, UnsupportedConfigError, expectedParams,
  type TensorReader, forward, initParams, loadCheckpointParams, loadParams, paramNames, planParamLoad, summarizeModel,
} from '../src/model/index.js';

function tinyConfig(over: Partial<EncoderConfig> = {}): EncoderConfig {
  return {
    modelType: 'bert', hiddenSize: 8, numLayers: 2, numHeads: 2, intermediateSize: 12, hiddenAct: 'gelu',
    layerNormEps: 1e-12, layerNormPlacement: 'post', vocabSize: 20, maxPositionEmbeddings: 16,
    typeVocabSize: 2, padTokenId: 0, numLabels: 3, ...over,
  };
}

/** Independent count: the textbook parameter count of a BERT-style encoder and its heads. */
function countByFormula(c: EncoderConfig, head: HeadKind): number {
  const d = c.hiddenSize;
  const f = c.intermediateSize;
  const emb = (c.vocabSize + c.maxPositionEmbeddings + c.typeVocabSize) * d + 2 * d;
  const layer = 4 * (d * d + d) + 2 * d + (d * f + f) + (f * d + d) + 2 * d;
  const final = c.layerNormPlacement === 'pre' ? 2 * d : 0;
  const headCount = head === 'mlm' ? d * d + d + 2 * d + c.vocabSize : head === 'classifier' ? d * d + d + (c.numLabels ?? 0) * (d + 1) : 0;
  return emb + c.numLayers * layer + final + headCount;
}

const arbConfig = fc.record({
  modelType: fc.constantFrom('bert', 'roberta'),
  placement: fc.constantFrom('post', 'pre'),
  act: fc.constantFrom('gelu', 'gelu_tanh', 'relu'),
  heads: fc.integer({ min: 1, max: 3 }),
  headDim: fc.integer({ min: 1, max: 4 }),
  layers: fc.integer({ min: 1, max: 3 }),
  ffn: fc.integer({ min: 1, max: 9 }),
  vocab: fc.integer({ min: 4, max: 30 }),
  labels: fc.integer({ min: 1, max: 4 }),
  head: fc.constantFrom<HeadKind>('none', 'mlm', 'classifier'),
}).map((r) => ({
  head: r.head,
  config: tinyConfig({
    modelType: r.modelType, layerNormPlacement: r.placement, hiddenAct: r.act, numHeads: r.heads,
    hiddenSize: r.heads * r.headDim, numLayers: r.layers, intermediateSize: r.ffn, vocabSize: r.vocab,
    numLabels: r.labels, padTokenId: r.modelType === 'roberta' ? 1 : 0,
    typeVocabSize: r.modelType === 'roberta' ? 1 : 2,
  }),
}));

describe('expectedParams / paramNames', () => {
  it('uses the exact Hugging Face names for a BERT MLM', () => {
    const names = paramNames(tinyConfig({ numLayers: 1 }), 'mlm');
    expect(names).toEqual([
      'bert.embeddings.word_embeddings.weight', 'bert.embeddings.position_embeddings.weight',
      'bert.embeddings.token_type_embeddings.weight', 'bert.embeddings.LayerNorm.weight', 'bert.embeddings.LayerNorm.bias',
      'bert.encoder.layer.0.attention.self.query.weight', 'bert.encoder.layer.0.attention.self.query.bias',
      'bert.encoder.layer.0.attention.self.key.weight', 'bert.encoder.layer.0.attention.self.key.bias',
      'bert.encoder.layer.0.attention.self.value.weight', 'bert.encoder.layer.0.attention.self.value.bias',
      'bert.encoder.layer.0.attention.output.dense.weight', 'bert.encoder.layer.0.attention.output.dense.bias',
      'bert.encoder.layer.0.attention.output.LayerNorm.weight', 'bert.encoder.layer.0.attention.output.LayerNorm.bias',
      'bert.encoder.layer.0.intermediate.dense.weight', 'bert.encoder.layer.0.intermediate.dense.bias',
      'bert.encoder.layer.0.output.dense.weight', 'bert.encoder.layer.0.output.dense.bias',
      'bert.encoder.layer.0.output.LayerNorm.weight', 'bert.encoder.layer.0.output.LayerNorm.bias',
      'cls.predictions.transform.dense.weight', 'cls.predictions.transform.dense.bias',
      'cls.predictions.transform.LayerNorm.weight', 'cls.predictions.transform.LayerNorm.bias', 'cls.predictions.bias',
    ]);
  });

  it('names RoBERTa heads and the pre-LN final LayerNorm', () => {
    const c = tinyConfig({ modelType: 'roberta', padTokenId: 1, layerNormPlacement: 'pre', numLayers: 1 });
    const mlm = paramNames(c, 'mlm');
    expect(mlm).toContain('roberta.encoder.final_layer_norm.weight');
    expect(mlm.slice(-5)).toEqual(['lm_head.dense.weight', 'lm_head.dense.bias', 'lm_head.layer_norm.weight', 'lm_head.layer_norm.bias', 'lm_head.bias']);
    const cls = expectedParams(c, 'classifier');
    expect([...cls].slice(-4)).toEqual([
      ['classifier.dense.weight', [8, 8]], ['classifier.dense.bias', [8]],
      ['classifier.out_proj.weight', [3, 8]], ['classifier.out_proj.bias', [3]],
    ]);
    expect([...expectedParams(tinyConfig(), 'classifier')].slice(-4).map(([n]) => n)).toEqual([
      'bert.pooler.dense.weight', 'bert.pooler.dense.bias', 'classifier.weight', 'classifier.bias',
    ]);
  });

  it('linear weights are [out, in]', () => {
    const s = expectedParams(tinyConfig(), 'none');
    expect(s.get('bert.encoder.layer.1.intermediate.dense.weight')).toEqual([12, 8]);
    expect(s.get('bert.encoder.layer.1.output.dense.weight')).toEqual([8, 12]);
  });

  it('counts parameters like the textbook formula (property)', () => {
    fc.assert(fc.property(arbConfig, ({ config, head }) => {
      let n = 0;
      for (const shape of expectedParams(config, head).values()) n += shape.reduce((a, b) => a * b, 1);
      expect(n).toBe(countByFormula(config, head));
    }), { numRuns: 60 });
  });
});

describe('validateConfig errors', () => {
  const cases: [Partial<EncoderConfig>, RegExp][] = [
    [{ modelType: 'gpt2' }, /modelType: is "gpt2"; supported: 'bert', 'roberta'/],
    [{ hiddenAct: 'swish' }, /hiddenAct: is "swish"; supported: 'gelu', 'gelu_tanh', 'relu'/],
    [{ layerNormPlacement: 'sandwich' }, /layerNormPlacement: is "sandwich"/],
    [{ numHeads: 3 }, /numHeads: 3 does not divide hiddenSize 8/],
    [{ numLayers: 0 }, /numLayers: is 0; expected a positive integer/],
    [{ padTokenId: 20 }, /padTokenId: is 20; expected an integer in \[0, vocabSize=20\)/],
    [{ modelType: 'roberta', padTokenId: 1, maxPositionEmbeddings: 2 }, /maxPositionEmbeddings: is 2; RoBERTa positions start at padTokenId\+1 = 2/],
  ];
  for (const [over, re] of cases) {
    it(`rejects ${JSON.stringify(over)}`, () => {
      expect(() => expectedParams(tinyConfig(over), 'none')).toThrow(UnsupportedConfigError);
      expect(() => expectedParams(tinyConfig(over), 'none')).toThrow(re);
    });
  }
  it('needs numLabels for a classifier only', () => {
    expect(() => expectedParams(tinyConfig({ numLabels: undefined }), 'classifier')).toThrow(/numLabels: is undefined/);
    expect(() => expectedParams(tinyConfig({ numLabels: undefined }), 'mlm')).not.toThrow();
  });
});

function stats(t: Tensor): { mean: number; std: number } {
  const a = t.dataSync();
  let s = 0;
  let s2 = 0;
  for (const v of a) {
    s += v;
    s2 += v * v;
  }
  const mean = s / a.length;
  return { mean, std: Math.sqrt(s2 / a.length - mean * mean) };
}

describe('initParams', () => {
  it('creates exactly the expected parameters with BERT init (property)', () => {
    fc.assert(fc.property(arbConfig, fc.integer({ min: 0, max: 1000 }), ({ config, head }, seed) => {
      const p = initParams(config, { head, seed });
      const want = expectedParams(config, head);
      expect([...p.keys()]).toEqual([...want.keys()]);
      for (const [name, t] of p) {
        expect(t.shape, name).toEqual(want.get(name));
        const a = t.dataSync();
        if (/(LayerNorm|layer_norm)\.weight$/.test(name)) expect(a.every((v) => v === 1), name).toBe(true);
        else if (!name.endsWith('.weight')) expect(a.every((v) => v === 0), name).toBe(true);
      }
      const word = p.get(`${config.modelType}.embeddings.word_embeddings.weight`) as Tensor;
      const d = config.hiddenSize;
      expect([...word.dataSync().subarray(config.padTokenId * d, (config.padTokenId + 1) * d)]).toEqual(new Array(d).fill(0));
    }), { numRuns: 25 });
  });

  it('draws weights N(0, 0.02²), reproducibly per seed, independently of the head', () => {
    const c = tinyConfig({ hiddenSize: 64, numHeads: 4, intermediateSize: 256 });
    const a = initParams(c, { seed: 7, head: 'mlm' });
    const b = initParams(c, { seed: 7, head: 'none' });
    const other = initParams(c, { seed: 8, head: 'none' });
    const w = a.get('bert.encoder.layer.0.intermediate.dense.weight') as Tensor;
    const { mean, std } = stats(w);
    expect(Math.abs(mean)).toBeLessThan(0.002);
    expect(Math.abs(std - 0.02)).toBeLessThan(0.001);
    for (const [name, t] of b) expect(a.get(name)?.dataSync(), name).toEqual(t.dataSync());
    expect(other.get('bert.encoder.layer.0.intermediate.dense.weight')?.dataSync()).not.toEqual(w.dataSync());
    const q = a.get('bert.encoder.layer.0.attention.self.query.weight') as Tensor;
    const k = a.get('bert.encoder.layer.0.attention.self.key.weight') as Tensor;
    expect(q.dataSync()).not.toEqual(k.dataSync());
  });

  it('zeroes RoBERTa position embedding padding row and accepts an external rng and f64', () => {
    const c = tinyConfig({ modelType: 'roberta', padTokenId: 1, typeVocabSize: 1 });
    const p = initParams(c, { rng: new SeededNormalRng(3), dtype: 'f64', std: 0.5 });
    const pos = p.get('roberta.embeddings.position_embeddings.weight') as Tensor;
    expect(pos.dtype).toBe('f64');
    expect([...pos.dataSync().subarray(8, 16)]).toEqual(new Array(8).fill(0));
    expect(stats(pos).std).toBeGreaterThan(0.3);
  });
});

/** Clones a parameter map under renamed keys (values shared). */
function renamed(p: Map<string, Tensor>, f: (k: string) => string): Map<string, Tensor> {
  return new Map([...p].map(([k, t]) => [f(k), t]));
}

describe('loadParams', () => {
  const config = tinyConfig({ architectures: ['BertForMaskedLM'] });
  const params = initParams(config, { seed: 1, head: 'mlm', std: 0.3 });
  const batch = { ids: [2, 5, 7, 9, 11, 3], mask: [1, 1, 1, 1, 1, 0], batch: 2, seqLen: 3 };
  const logits = forward({ config, params }, batch).logits?.dataSync();

  it('loads the canonical names strictly with an empty report', () => {
    const r = loadParams(params, config, { strict: true });
    expect(r.head).toBe('mlm');
    expect({ missing: r.missing, unexpected: r.unexpected, mismatched: r.mismatched, renamed: r.renamed, ignored: r.ignored })
      .toEqual({ missing: [], unexpected: [], mismatched: [], renamed: [], ignored: [] });
    expect(r.params.get('cls.predictions.bias')).toBe(params.get('cls.predictions.bias'));
  });

  it('tolerates a missing prefix, legacy gamma/beta, the tied decoder, decoder.bias and position_ids', () => {
    const legacy = renamed(params, (k) =>
      k.replace(/^bert\./, '').replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta')
        .replace(/^cls\.predictions\.bias$/, 'cls.predictions.decoder.bias'));
    legacy.set('cls.predictions.decoder.weight', params.get('bert.embeddings.word_embeddings.weight') as Tensor);
    legacy.set('embeddings.position_ids', fromHost(new Int32Array(16), [1, 16]));
    const r = loadParams(legacy, config, { strict: true });
    expect(r.missing).toEqual([]);
    expect(r.unexpected).toEqual([]);
    expect(r.ignored.sort()).toEqual(['cls.predictions.decoder.weight', 'embeddings.position_ids']);
    expect(r.renamed).toContainEqual({ from: 'encoder.layer.1.output.LayerNorm.gamma', to: 'bert.encoder.layer.1.output.LayerNorm.weight' });
    expect(r.renamed).toContainEqual({ from: 'cls.predictions.decoder.bias', to: 'cls.predictions.bias' });
    expect([...r.params.keys()]).toEqual([...params.keys()]);
    expect(forward({ config, params: r.params }, batch).logits?.dataSync()).toEqual(logits);
  });

  it('prefers the canonical key over an alias of it', () => {
    const both = new Map(params);
    both.set('cls.predictions.decoder.bias', fromHost(new Float32Array(20).fill(9), [20]));
    const r = loadParams(both, config, { strict: true });
    expect(r.params.get('cls.predictions.bias')).toBe(params.get('cls.predictions.bias'));
    expect(r.ignored).toEqual(['cls.predictions.decoder.bias']);
  });

  it('reports missing and unexpected keys like transformers, and strict mode throws naming them', () => {
    const partial = new Map(params);
    partial.delete('cls.predictions.transform.dense.weight');
    partial.delete('bert.encoder.layer.0.attention.self.key.bias');
    partial.set('cls.seq_relationship.weight', fromHost(new Float32Array(16), [2, 8]));
    partial.set('bert.pooler.dense.bias', fromHost(new Float32Array(8), [8]));
    const r = loadParams(partial, config);
    expect(r.missing).toEqual(['bert.encoder.layer.0.attention.self.key.bias', 'cls.predictions.transform.dense.weight']);
    expect(r.unexpected).toEqual(['cls.seq_relationship.weight', 'bert.pooler.dense.bias']);
    expect(r.params.has('cls.predictions.transform.dense.weight')).toBe(false);
    expect(() => loadParams(partial, config, { strict: true })).toThrow(ParamMismatchError);
    expect(() => loadParams(partial, config, { strict: true })).toThrow(
      /2 missing: bert\.encoder\.layer\.0\.attention\.self\.key\.bias, cls\.predictions\.transform\.dense\.weight; 2 unexpected: cls\.seq_relationship\.weight, bert\.pooler\.dense\.bias/,
    );
    // A model that lacks parameters cannot run, and says which one.
    expect(() => forward({ config, params: r.params }, batch)).toThrow(/bert\.encoder\.layer\.0\.attention\.self\.key\.bias: is missing/);
  });

  it('initialises missing parameters on request (a new classifier head on an MLM checkpoint)', () => {
    const clsConfig = tinyConfig({ architectures: ['BertForSequenceClassification'] });
    const r = loadParams(params, clsConfig, { initMissing: { seed: 5 } });
    expect(r.head).toBe('classifier');
    expect(r.missing).toEqual(['bert.pooler.dense.weight', 'bert.pooler.dense.bias', 'classifier.weight', 'classifier.bias']);
    expect(r.unexpected).toEqual(paramNames(config, 'mlm').filter((n) => n.startsWith('cls.')));
    expect(r.params.get('classifier.weight')?.shape).toEqual([3, 8]);
    expect(forward({ config: clsConfig, params: r.params }, batch).logits?.shape).toEqual([2, 3]);
  });

  it('throws on shape mismatches naming the parameter and both shapes, unless told to ignore them', () => {
    const bad = new Map(params);
    bad.set('bert.encoder.layer.1.intermediate.dense.weight', fromHost(new Float32Array(13 * 8), [13, 8]));
    expect(() => loadParams(bad, config)).toThrow(/bert\.encoder\.layer\.1\.intermediate\.dense\.weight has shape \[13, 8\], expected \[12, 8\]/);
    const r = loadParams(bad, config, { ignoreMismatchedSizes: true, initMissing: { seed: 1 } });
    expect(r.mismatched).toEqual([{ name: 'bert.encoder.layer.1.intermediate.dense.weight', sourceName: 'bert.encoder.layer.1.intermediate.dense.weight', expected: [12, 8], found: [13, 8] }]);
    expect(r.params.get('bert.encoder.layer.1.intermediate.dense.weight')?.shape).toEqual([12, 8]);
  });

  it('infers the head from the parameters when the config has no architectures', () => {
    const plain = tinyConfig();
    expect(planParamLoad(new Map([...params].map(([k, t]) => [k, t.shape])), plain).head).toBe('mlm');
    expect(planParamLoad(new Map([['classifier.weight', [3, 8]]]), plain).head).toBe('classifier');
    expect(planParamLoad(new Map(), plain).head).toBe('none');
  });

  it('casts to the requested dtype', () => {
    const r = loadParams(params, config, { dtype: 'f64' });
    expect(r.params.get('cls.predictions.bias')?.dtype).toBe('f64');
    const out = forward({ config, params: r.params }, batch).logits?.dataSync() as Float64Array;
    const ref = logits as Float32Array;
    for (let i = 0; i < ref.length; i++) expect(Math.abs(out[i] - ref[i])).toBeLessThan(1e-4);
  });
});

describe('loadCheckpointParams', () => {
  it('reads only the tensors the model uses and reports the rest', () => {
    const config = tinyConfig({ architectures: ['BertForMaskedLM'] });
    const params = initParams(config, { seed: 2, head: 'mlm' });
    const stored = new Map<string, Tensor>([...renamed(params, (k) => k.replace(/^bert\./, ''))]);
    stored.set('cls.seq_relationship.weight', fromHost(new Float32Array(16), [2, 8]));
    stored.set('cls.predictions.decoder.weight', params.get('bert.embeddings.word_embeddings.weight') as Tensor);
    const read: string[] = [];
    const reader: TensorReader = {
      keys: () => [...stored.keys()],
      info: (name) => ({ shape: (stored.get(name) as Tensor).shape }),
      read: (name) => {
        read.push(name);
        const t = stored.get(name) as Tensor;
        return { shape: t.shape, data: Float32Array.from(t.dataSync()) };
      },
    };
    const r = loadCheckpointParams(reader, config);
    expect(r.unexpected).toEqual(['cls.seq_relationship.weight']);
    expect(r.ignored).toEqual(['cls.predictions.decoder.weight']);
    expect(read).not.toContain('cls.seq_relationship.weight');
    expect(read).not.toContain('cls.predictions.decoder.weight');
    expect([...r.params.keys()]).toEqual([...params.keys()]);
    for (const [k, t] of params) expect(r.params.get(k)?.dataSync(), k).toEqual(t.dataSync());
    const r64 = loadCheckpointParams(reader, config, { dtype: 'f64' });
    expect(r64.params.get('cls.predictions.bias')?.dtype).toBe('f64');
    expect(() => loadCheckpointParams(reader, config, { strict: true })).toThrow(/1 unexpected: cls\.seq_relationship\.weight/);
  });
});

describe('summarizeModel', () => {
  it('reports architecture, sizes, parameter count and dtypes', () => {
    const c = tinyConfig({ layerNormPlacement: 'pre', hiddenAct: 'relu' });
    const params = initParams(c, { head: 'classifier' });
    const s = summarizeModel({ config: c, params, head: 'classifier' });
    expect(s).toEqual({
      architecture: 'BertForSequenceClassification', modelType: 'bert', layerNormPlacement: 'pre', hiddenAct: 'relu',
      layers: 2, hidden: 8, heads: 2, ffn: 12, vocab: 20, maxPositions: 16, numLabels: 3,
      params: countByFormula(c, 'classifier'), tensors: params.size, dtypes: { f32: countByFormula(c, 'classifier') }, head: 'classifier',
    });
    expect(summarizeModel({ config: { ...c, architectures: ['RobertaForMaskedLM'], modelType: 'roberta', padTokenId: 1 }, params }).head).toBe('mlm');
  });
});
