/**
 * Properties of the forward pass that hold for any configuration of the family: padding does not
 * change real tokens' outputs, sequences in a batch are independent, bad input is rejected with
 * errors that name it, intermediates are released, and the pass is differentiable.
 */
import { type Tensor, fromHost, mean, valueAndGrad } from '@symfuse/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type EncoderConfig, type HeadKind, ModelInputError, ParamMismatchError, UnsupportedConfigError, batchFromTensors, forward,
  initParams,
} from '../src/model/index.js';

function tinyConfig(over: Partial<EncoderConfig> = {}): EncoderConfig {
  return {
    modelType: 'bert', hiddenSize: 8, numLayers: 2, numHeads: 2, intermediateSize: 12, hiddenAct: 'gelu',
    layerNormEps: 1e-12, layerNormPlacement: 'post', vocabSize: 20, maxPositionEmbeddings: 16,
    typeVocabSize: 2, padTokenId: 0, numLabels: 3, ...over,
  };
}

const arbModel = fc.record({
  modelType: fc.constantFrom('bert', 'roberta'),
  placement: fc.constantFrom('post', 'pre'),
  act: fc.constantFrom('gelu', 'gelu_tanh', 'relu'),
  heads: fc.integer({ min: 1, max: 3 }),
  headDim: fc.integer({ min: 1, max: 4 }),
  layers: fc.integer({ min: 1, max: 2 }),
  ffn: fc.integer({ min: 1, max: 9 }),
  head: fc.constantFrom<HeadKind>('none', 'mlm', 'classifier'),
  seed: fc.integer({ min: 0, max: 1 << 20 }),
}).map((r) => {
  const roberta = r.modelType === 'roberta';
  const config = tinyConfig({
    modelType: r.modelType, layerNormPlacement: r.placement, hiddenAct: r.act, numHeads: r.heads,
    hiddenSize: r.heads * r.headDim, numLayers: r.layers, intermediateSize: r.ffn, vocabSize: 11,
    padTokenId: roberta ? 1 : 0, typeVocabSize: roberta ? 1 : 2, layerNormEps: roberta ? 1e-5 : 1e-12,
  });
  // Large weights so that every parameter visibly matters.
  return { config, head: r.head, params: initParams(config, { head: r.head, seed: r.seed, std: 0.5 }) };
});

/** Token ids of real tokens: never the padding id (RoBERTa's positions depend on it). */
const arbTokens = (len: { min: number; max: number }) => fc.array(fc.integer({ min: 2, max: 10 }), { minLength: len.min, maxLength: len.max });

function rowsOf(t: Tensor, rows: readonly number[]): number[] {
  const w = t.shape[t.shape.length - 1];
  const a = t.dataSync();
  return rows.flatMap((r) => [...a.subarray(r * w, (r + 1) * w)]);
}

function expectClose(got: readonly number[], want: readonly number[], tol = 2e-5): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= tol * Math.max(1, Math.abs(want[i])))) {
      throw new Error(`element ${i}: got ${got[i]}, want ${want[i]}`);
    }
  }
}

describe('forward: properties', () => {
  it('padding does not change the outputs at real tokens (property)', () => {
    fc.assert(fc.property(arbModel, arbTokens({ min: 1, max: 6 }), fc.integer({ min: 1, max: 4 }), ({ config, head, params }, toks, extra) => {
      const n = toks.length;
      const T = n + extra;
      const typeIds = toks.map((_, i) => (config.typeVocabSize > 1 && i >= n / 2 ? 1 : 0));
      const plain = forward({ config, params, head }, { ids: toks, typeIds, batch: 1, seqLen: n });
      const ids = [...toks, ...new Array(extra).fill(config.padTokenId)];
      const mask = [...new Array(n).fill(1), ...new Array(extra).fill(0)];
      const padded = forward({ config, params, head }, { ids, mask, typeIds: [...typeIds, ...new Array(extra).fill(0)], batch: 1, seqLen: T });
      const real = [...Array(n).keys()];
      expect(padded.hidden.shape).toEqual([1, T, config.hiddenSize]);
      expectClose(rowsOf(padded.hidden, real), rowsOf(plain.hidden, real));
      if (head === 'mlm') expectClose(rowsOf(padded.logits as Tensor, real), rowsOf(plain.logits as Tensor, real));
      if (head === 'classifier') expectClose([...(padded.logits as Tensor).dataSync()], [...(plain.logits as Tensor).dataSync()]);
    }), { numRuns: 40 });
  });

  it('sequences of a batch are independent of each other (property)', () => {
    fc.assert(fc.property(arbModel, arbTokens({ min: 1, max: 5 }), arbTokens({ min: 1, max: 5 }), ({ config, head, params }, s1, s2) => {
      const T = Math.max(s1.length, s2.length);
      const padTo = (s: number[]) => [...s, ...new Array(T - s.length).fill(config.padTokenId)];
      const maskOf = (s: number[]) => [...new Array(s.length).fill(1), ...new Array(T - s.length).fill(0)];
      const both = forward({ config, params, head }, { ids: [...padTo(s1), ...padTo(s2)], mask: [...maskOf(s1), ...maskOf(s2)], batch: 2, seqLen: T });
      for (const [b, s] of [[0, s1], [1, s2]] as const) {
        const alone = forward({ config, params, head }, { ids: s, batch: 1, seqLen: s.length });
        const rows = [...Array(s.length).keys()];
        expectClose(rowsOf(both.hidden.reshape([2 * T, -1]), rows.map((r) => b * T + r)), rowsOf(alone.hidden.reshape([s.length, -1]), rows));
        if (head === 'classifier') expectClose(rowsOf(both.logits as Tensor, [b]), rowsOf(alone.logits as Tensor, [0]));
      }
    }), { numRuns: 30 });
  });

  it('RoBERTa positions skip padding: a left-padded sequence equals the unpadded one', () => {
    const config = tinyConfig({ modelType: 'roberta', padTokenId: 1, typeVocabSize: 1 });
    const params = initParams(config, { seed: 3, std: 0.5 });
    const plain = forward({ config, params }, { ids: [0, 5, 6, 2], batch: 1, seqLen: 4 });
    const left = forward({ config, params }, { ids: [1, 1, 0, 5, 6, 2], mask: [0, 0, 1, 1, 1, 1], batch: 1, seqLen: 6 });
    expectClose(rowsOf(left.hidden.reshape([6, 8]), [2, 3, 4, 5]), rowsOf(plain.hidden.reshape([4, 8]), [0, 1, 2, 3]));
    // BERT's absolute positions do move with left padding.
    const bc = tinyConfig();
    const bp = initParams(bc, { seed: 3, std: 0.5 });
    const bPlain = forward({ config: bc, params: bp }, { ids: [2, 5, 6, 3], batch: 1, seqLen: 4 });
    const bLeft = forward({ config: bc, params: bp }, { ids: [0, 0, 2, 5, 6, 3], mask: [0, 0, 1, 1, 1, 1], batch: 1, seqLen: 6 });
    expect(rowsOf(bLeft.hidden.reshape([6, 8]), [2])).not.toEqual(rowsOf(bPlain.hidden.reshape([4, 8]), [0]));
  });

  it('accepts [B, T] CPU tensors as the batch', () => {
    const config = tinyConfig();
    const params = initParams(config, { seed: 1 });
    const ids = [2, 5, 6, 3, 7, 0];
    const a = forward({ config, params }, { ids, mask: [1, 1, 1, 1, 1, 0], batch: 2, seqLen: 3 });
    const b = forward({ config, params }, batchFromTensors(fromHost(Int32Array.from(ids), [2, 3]), fromHost(Int32Array.from([1, 1, 1, 1, 1, 0]), [2, 3])));
    expect(b.hidden.dataSync()).toEqual(a.hidden.dataSync());
  });

  it('releases intermediates unless asked to keep them', () => {
    const config = tinyConfig();
    const params = initParams(config, { seed: 1, head: 'mlm' });
    const seen: Tensor[] = [];
    const taps = { wants: () => true, collect: (_s: string, t: Tensor) => void seen.push(t) };
    const batch = { ids: [2, 5, 6, 3, 7, 9], batch: 2, seqLen: 3 }; // no padding: taps see the live tensors
    const out = forward({ config, params }, batch, { taps });
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.every((t) => t.isDisposed)).toBe(true);
    expect(out.hidden.isDisposed).toBe(false);
    expect([...params.values()].some((t) => t.isDisposed)).toBe(false);
    seen.length = 0;
    const kept = forward({ config, params }, batch, { taps, keepIntermediates: true });
    expect(seen.every((t) => !t.isDisposed)).toBe(true);
    expect(kept.logits?.dataSync()).toEqual(out.logits?.dataSync());
  });

  it('is differentiable: valueAndGrad agrees with finite differences', () => {
    const config = tinyConfig({ layerNormPlacement: 'pre', hiddenAct: 'gelu_tanh' });
    const params = initParams(config, { seed: 4, head: 'classifier', dtype: 'f64', std: 0.5 });
    const batch = { ids: [2, 5, 6, 3, 7, 0], mask: [1, 1, 1, 1, 1, 0], batch: 2, seqLen: 3 };
    const loss = (p: Map<string, Tensor>) => mean(forward({ config, params: p, head: 'classifier' }, batch).logits as Tensor);
    const name = 'bert.encoder.layer.0.intermediate.dense.weight';
    const { grads } = valueAndGrad(() => loss(params), new Map([[name, params.get(name) as Tensor]]));
    const g = (grads.get(name) as Tensor).dataSync();
    const w = params.get(name) as Tensor;
    for (const i of [0, 17, 50]) {
      const h = 1e-6;
      const plus = Float64Array.from(w.dataSync());
      plus[i] += h;
      const minus = Float64Array.from(w.dataSync());
      minus[i] -= h;
      const fd = (loss(new Map(params).set(name, fromHost(plus, w.shape))).item() - loss(new Map(params).set(name, fromHost(minus, w.shape))).item()) / (2 * h);
      expect(Math.abs(g[i] - fd)).toBeLessThan(1e-6 + 1e-4 * Math.abs(fd));
    }
  });
});

describe('forward: bad input', () => {
  const config = tinyConfig();
  const params = initParams(config, { seed: 1, head: 'mlm' });
  const model = { config, params };

  it('rejects ids outside the vocabulary, naming the entry, the value and vocabSize', () => {
    expect(() => forward(model, { ids: [2, 3, 4, 5, 25, 6], batch: 2, seqLen: 3 })).toThrow(ModelInputError);
    expect(() => forward(model, { ids: [2, 3, 4, 5, 25, 6], batch: 2, seqLen: 3 })).toThrow(
      'ids: entry 4 (sequence 1, position 1) is 25; expected an integer in [0, vocabSize=20)',
    );
    expect(() => forward(model, { ids: [-1], batch: 1, seqLen: 1 })).toThrow(/ids: entry 0 .* is -1/);
  });

  it('rejects malformed batches', () => {
    expect(() => forward(model, { ids: [2, 3, 4], batch: 2, seqLen: 3 })).toThrow('ids: has 3 entries; expected batch·seqLen = 6');
    expect(() => forward(model, { ids: [2, 3], mask: [1, 2], batch: 1, seqLen: 2 })).toThrow('mask: entry 1 is 2; expected 1 (real token) or 0 (padding)');
    expect(() => forward(model, { ids: [2, 3], typeIds: [0, 2], batch: 1, seqLen: 2 })).toThrow(/typeIds: entry 1 .* is 2; expected an integer in \[0, typeVocabSize=2\)/);
    expect(() => forward(model, { ids: new Array(17).fill(2), batch: 1, seqLen: 17 })).toThrow('seqLen: is 17; expected at most maxPositionEmbeddings=16');
    expect(() => forward(model, { ids: [2], batch: 0, seqLen: 1 })).toThrow(/batch: is 0/);
    expect(() => forward(model, { ids: [2, 3], batch: 1, seqLen: 2 }, { mlmRows: [2] })).toThrow(/mlmRows: entry 0 is 2; expected an integer row index in \[0, batch·seqLen=2\)/);
    expect(() => forward(model, { ids: [2, 3], batch: 1, seqLen: 2 }, { head: 'none', mlmRows: [0] })).toThrow(/mlmRows: was given but the head is 'none'/);
  });

  it('rejects RoBERTa sequences longer than its positions allow', () => {
    const rc = tinyConfig({ modelType: 'roberta', padTokenId: 1, typeVocabSize: 1 });
    const rm = { config: rc, params: initParams(rc) };
    expect(() => forward(rm, { ids: new Array(14).fill(5), batch: 1, seqLen: 14 })).not.toThrow();
    expect(() => forward(rm, { ids: new Array(15).fill(5), batch: 1, seqLen: 15 })).toThrow(/at most maxPositionEmbeddings−padTokenId−1 = 14 fit/);
  });

  it('rejects parameters that do not match the config', () => {
    const bad = new Map(params).set('bert.encoder.layer.0.output.dense.weight', fromHost(new Float32Array(8 * 11), [8, 11]));
    expect(() => forward({ config, params: bad }, { ids: [2], batch: 1, seqLen: 1 })).toThrow(ParamMismatchError);
    expect(() => forward({ config, params: bad }, { ids: [2], batch: 1, seqLen: 1 })).toThrow('bert.encoder.layer.0.output.dense.weight: has shape [8, 11]; the config needs [8, 12]');
    const mixed = new Map(params).set('cls.predictions.bias', fromHost(new Float64Array(20), [20]));
    expect(() => forward({ config, params: mixed }, { ids: [2], batch: 1, seqLen: 1 })).toThrow(/cls\.predictions\.bias: has dtype f64 but bert\.embeddings\.word_embeddings\.weight has f32/);
  });

  it('rejects unsupported configurations naming the field', () => {
    expect(() => forward({ config: { ...config, hiddenAct: 'silu' }, params }, { ids: [2], batch: 1, seqLen: 1 })).toThrow(UnsupportedConfigError);
    expect(() => forward({ config: { ...config, modelType: 'distilbert' }, params }, { ids: [2], batch: 1, seqLen: 1 })).toThrow(/modelType: is "distilbert"; supported: 'bert', 'roberta'/);
  });
});
