/**
 * Structured initialisation (sinusoidal positions, mimetic W_Q/W_K): values, purity, and the
 * locality it is for — at step 0, every head's attention peaks near its own position.
 */
import { describe, expect, it } from 'vitest';
import { type EncoderConfig, applyStructuredInit, initParams, layerParamNames, embeddingParamNames, sinusoids } from '../src/model/index.js';

const config: EncoderConfig = {
  modelType: 'bert', hiddenSize: 16, numLayers: 2, numHeads: 2, intermediateSize: 24, hiddenAct: 'gelu',
  layerNormEps: 1e-12, layerNormPlacement: 'post', vocabSize: 30, maxPositionEmbeddings: 32,
  typeVocabSize: 2, padTokenId: 0,
};

describe('applyStructuredInit', () => {
  it('writes amplitude·sinusoids into the position embeddings and adds scale·I to W_Q and W_K only', () => {
    const base = initParams(config, { seed: 3, std: 0.1 });
    const before = new Map([...base].map(([k, t]) => [k, Float32Array.from(t.dataSync())]));
    const out = applyStructuredInit(config, base, { sinusoidalPositions: { amplitude: 0.5 }, mimeticAttention: { scale: 2 } });
    const pos = out.get(embeddingParamNames('bert').position)!.dataSync();
    // Row p, column 2i = 0.5·sin(p·10000^(−2i/16)); column 2i+1 the cosine.
    expect(pos[3 * 16 + 0]).toBeCloseTo(0.5 * Math.sin(3), 6);
    expect(pos[3 * 16 + 1]).toBeCloseTo(0.5 * Math.cos(3), 6);
    expect(pos[5 * 16 + 4]).toBeCloseTo(0.5 * Math.sin(5 * Math.pow(10000, -4 / 16)), 6);
    expect(Array.from(sinusoids(2, 4, 1).slice(0, 4))).toEqual([0, 1, 0, 1]);
    for (let l = 0; l < 2; l++) {
      const n = layerParamNames('bert', l);
      for (const w of [n.query.weight, n.key.weight]) {
        const a = out.get(w)!.dataSync();
        const b = before.get(w)!;
        for (let i = 0; i < 16; i++) for (let j = 0; j < 16; j++) expect(a[i * 16 + j] - b[i * 16 + j]).toBeCloseTo(i === j ? 2 : 0, 6);
      }
      expect(out.get(n.value.weight)).toBe(base.get(n.value.weight)); // untouched tensors are shared
    }
    // The input map and its tensors are unchanged.
    for (const [k, t] of base) expect(Array.from(t.dataSync())).toEqual(Array.from(before.get(k)!));
  });

  it('leaves everything as it is with no options, and names a missing or misshapen parameter', () => {
    const base = initParams(config, { seed: 1 });
    const same = applyStructuredInit(config, base, {});
    for (const [k, t] of base) expect(same.get(k)).toBe(t);
    const broken = new Map(base);
    broken.delete(layerParamNames('bert', 1).key.weight);
    expect(() => applyStructuredInit(config, broken, { mimeticAttention: { scale: 1 } })).toThrow(/'bert\.encoder\.layer\.1\.attention\.self\.key\.weight' is missing/);
    expect(() => applyStructuredInit({ ...config, maxPositionEmbeddings: 8 }, base, { sinusoidalPositions: { amplitude: 1 } })).toThrow(/has shape \[32, 16\]; expected \[8, 16\]/);
  });

  it('makes q_i·k_j of the embedding output peak at j = i (and fall off with |i − j|) before any training', () => {
    // Positions only (word and type embeddings are shared by all positions in this probe).
    const p = sinusoids(32, 16, 1);
    const score = (i: number, j: number) => {
      let s = 0;
      for (let c = 0; c < 16; c++) s += p[i * 16 + c] * p[j * 16 + c];
      return s;
    };
    for (const i of [5, 16, 26]) {
      expect(score(i, i)).toBeGreaterThan(score(i, i + 1));
      expect(score(i, i + 1)).toBeGreaterThan(score(i, i + 4));
      expect(score(i, i - 1)).toBeGreaterThan(score(i, i - 4));
    }
  });
});
