/**
 * Structured initialisation (sinusoidal positions, mimetic W_Q/W_K): values, purity, and the
 * locality it is for — at step 0, every head's attention peaks near its own position.
 */
import { describe, expect, it } from 'vitest';
import { type EncoderConfig, applyStructuredInit, initParams, layerParamNames, embeddingParamNames, positionalFrequencies, sinusoids } from '../src/model/index.js';

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

  describe('positional heads', () => {
    const big: EncoderConfig = { ...config, hiddenSize: 64, numHeads: 4, numLayers: 2, vocabSize: 50, maxPositionEmbeddings: 128 };

    /** Layer-0 attention probabilities of head h at row i, on the embedding output of `ids`. */
    function attentionRow(params: Map<string, import('@symfuse/tensor').Tensor>, ids: number[], h: number, i: number): number[] {
      const d = 64;
      const dh = 16;
      const e = embeddingParamNames('bert');
      const we = params.get(e.word)!.dataSync();
      const pe = params.get(e.position)!.dataSync();
      const te = params.get(e.tokenType)!.dataSync();
      const g = params.get(e.ln.weight)!.dataSync();
      const b = params.get(e.ln.bias)!.dataSync();
      const x = ids.map((id, t) => {
        const v = Array.from({ length: d }, (_, c) => we[id * d + c] + pe[t * d + c] + te[c]);
        const mean = v.reduce((a, y) => a + y, 0) / d;
        const sd = Math.sqrt(v.reduce((a, y) => a + (y - mean) ** 2, 0) / d + 1e-12);
        return v.map((y, c) => ((y - mean) / sd) * g[c] + b[c]);
      });
      const n = layerParamNames('bert', 0);
      const [wq, bq, wk, bk] = [n.query.weight, n.query.bias, n.key.weight, n.key.bias].map((k) => params.get(k)!.dataSync());
      const proj = (w: ArrayLike<number>, bias: ArrayLike<number>, v: number[]) => Array.from({ length: dh }, (_, r) => v.reduce((a, y, c) => a + y * w[(h * dh + r) * d + c], bias[h * dh + r]));
      const q = proj(wq, bq, x[i]);
      const scores = x.map((v) => proj(wk, bk, v).reduce((a, y, r) => a + y * q[r], 0) / Math.sqrt(dh));
      const m = Math.max(...scores);
      const z = scores.reduce((a, s2) => a + Math.exp(s2 - m), 0);
      return scores.map((s2) => Math.exp(s2 - m) / z);
    }

    it('makes every first-layer head attend to its own offset at step 0, in a seed-drawn order', () => {
      const base = initParams(big, { seed: 7, std: 0.1 });
      const seen: number[][] = [];
      for (const seed of [1, 2]) {
        const params = applyStructuredInit(big, base, { positionalHeads: { seed } }) as Map<string, import('@symfuse/tensor').Tensor>;
        const ids = Array.from({ length: 128 }, (_, t) => 5 + ((t * 17) % 45));
        const offsets: number[] = [];
        for (let h = 0; h < 4; h++) {
          const found = new Set<number>();
          for (const i of [10, 40, 64, 100]) {
            const row = attentionRow(params, ids, h, i);
            const j = row.indexOf(Math.max(...row));
            expect(row[j]).toBeGreaterThan(0.8);
            found.add(j - i);
          }
          expect(found.size).toBe(1);
          offsets.push([...found][0]);
        }
        expect([...offsets].sort()).toEqual([-1, -2, 1, 2].sort());
        seen.push(offsets);
        // Layer 1 is untouched; word embeddings are zero in exactly 16 residual dimensions.
        expect(params.get(layerParamNames('bert', 1).query.weight)).toBe(base.get(layerParamNames('bert', 1).query.weight));
        const we = params.get(embeddingParamNames('bert').word)!.dataSync();
        const zeroCols = Array.from({ length: 64 }, (_, c) => c).filter((c) => Array.from({ length: 50 }, (_, v) => we[v * 64 + c]).every((y) => y === 0));
        expect(zeroCols.length).toBe(16);
      }
      // Different seeds put the offsets on different heads (drawn, not built in).
      expect(seen[0]).not.toEqual(seen[1]);
    });

    it('chooses frequencies whose side lobes stay well below the peak', () => {
      const w = positionalFrequencies(8, 128);
      let lobe = -Infinity;
      for (let delta = 1; delta < 128; delta++) lobe = Math.max(lobe, Array.from(w).reduce((a, x) => a + Math.cos(delta * x), 0));
      expect(lobe).toBeLessThan(4);
      expect(Array.from(positionalFrequencies(8, 128))).toEqual(Array.from(w)); // deterministic
    });
  });
});
