import { describe, expect, it } from 'vitest';
import { fromHost, tensor } from '@symfuse/tensor';
import { initParams } from '../src/model/index.js';
import { AdamW, clipGradNorm, linearWarmupDecay, mlmObjective, trainLoop } from '../src/train/index.js';

const config = {
  modelType: 'bert', hiddenSize: 16, numLayers: 1, numHeads: 2, intermediateSize: 32, hiddenAct: 'gelu',
  layerNormEps: 1e-12, layerNormPlacement: 'post', vocabSize: 40, maxPositionEmbeddings: 16, typeVocabSize: 2,
  padTokenId: 0, architectures: ['BertForMaskedLM'],
} as const;

describe('AdamW', () => {
  it('matches a hand-computed first and second step', () => {
    const p = new Map([['w', tensor(new Float32Array([1, -2]), [2])]]);
    const g = new Map([['w', tensor(new Float32Array([0.5, -1]), [2])]]);
    const opt = new AdamW({ lr: 0.1, weightDecay: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    const p1 = opt.step(p, g).get('w')!.dataSync();
    // step 1: m̂ = g, v̂ = g² → update = g/|g| = sign(g); θ − lr·sign(g) − lr·wd·θ
    expect(p1[0]).toBeCloseTo(1 - 0.1 * 1 - 0.1 * 0.01 * 1, 6);
    expect(p1[1]).toBeCloseTo(-2 + 0.1 * 1 - 0.1 * 0.01 * -2, 6);
    const p2 = opt.step(new Map([['w', fromHost(Float32Array.from(p1), [2])]]), new Map([['w', tensor(new Float32Array([0.25, 0]), [2])]])).get('w')!.dataSync();
    // step 2, element 0: m = 0.9·0.05 + 0.1·0.25 = 0.07 → m̂ = 0.07/0.19; v = 0.999·0.00025 + 0.001·0.0625 → v̂ = v/(1−0.999²)
    const m = (0.9 * 0.05 + 0.1 * 0.25) / (1 - 0.81);
    const v = (0.999 * 0.001 * 0.25 + 0.001 * 0.0625) / (1 - 0.999 ** 2);
    expect(p2[0]).toBeCloseTo(p1[0] - 0.1 * (m / (Math.sqrt(v) + 1e-8)) - 0.1 * 0.01 * p1[0], 5);
  });

  it('does not decay biases and LayerNorm parameters', () => {
    const p = new Map([['a.bias', tensor(new Float32Array([1]), [1])], ['a.LayerNorm.weight', tensor(new Float32Array([1]), [1])]]);
    const g = new Map([...p.keys()].map((k) => [k, tensor(new Float32Array([0]), [1])] as const));
    const out = new AdamW({ lr: 0.1, weightDecay: 0.5 }).step(p, g);
    for (const t of out.values()) expect(t.dataSync()[0]).toBe(1);
  });

  it('clips the global norm and leaves small gradients alone', () => {
    const g = new Map([['a', tensor(new Float32Array([3, 4]), [2])]]);
    const { norm, grads } = clipGradNorm(g, 1);
    expect(norm).toBeCloseTo(5, 6);
    expect([...grads.get('a')!.dataSync()].map((v) => +v.toFixed(4))).toEqual([0.6, 0.8]);
    expect(clipGradNorm(g, 10).grads.get('a')).toBe(g.get('a'));
  });

  it('schedules a linear warm-up then a linear decay to zero', () => {
    expect(linearWarmupDecay(5, 100, 10)).toBeCloseTo(0.5);
    expect(linearWarmupDecay(10, 100, 10)).toBe(1);
    expect(linearWarmupDecay(55, 100, 10)).toBeCloseTo(0.5);
    expect(linearWarmupDecay(100, 100, 10)).toBe(0);
  });
});

describe('trainLoop + MLM objective', () => {
  it('a tiny model trains for a few dozen steps and its loss falls; resuming continues exactly', () => {
    // A learnable toy corpus: each block repeats a short pattern, so masked tokens are predictable.
    const blocks: Int32Array[] = [];
    for (let i = 0; i < 32; i++) {
      const b = new Int32Array(12);
      b[0] = 1;
      for (let t = 1; t < 11; t++) b[t] = 5 + ((i % 4) * 7 + t * (1 + (i % 3))) % 30;
      b[11] = 2;
      blocks.push(b);
    }
    const objective = mlmObjective(config, blocks, { maskId: 3, specialIds: [0, 1, 2, 3, 4] }, { batchSize: 8, seed: 7, rate: 0.3 });
    const params = initParams(config, { seed: 1 });
    const full = trainLoop(params, objective, { steps: 40, lr: 3e-2, warmupSteps: 4, logEvery: 10 });
    const first = full.history[0].loss;
    const last = full.history[full.history.length - 1].loss;
    expect(last).toBeLessThan(first - 0.5); // from ≈ ln(40) = 3.7 towards the pattern's entropy

    // Stop after 20 steps, then resume to 40 from the saved state: identical final parameters.
    let saved: { step: number; params: Map<string, import('@symfuse/tensor').Tensor>; optimizer: import('../src/train/index.js').AdamWState } | undefined;
    trainLoop(initParams(config, { seed: 1 }), objective, {
      steps: 40, lr: 3e-2, warmupSteps: 4, checkpointEvery: 20,
      checkpoint: (s) => { if (s.step === 20 && !saved) saved = { step: s.step, params: s.params, optimizer: structuredClone(s.optimizer) }; },
    });
    const resumed = trainLoop(saved!.params, objective, { steps: 40, lr: 3e-2, warmupSteps: 4, resume: { step: 20, optimizer: saved!.optimizer } });
    for (const [k, t] of full.params) expect([...resumed.params.get(k)!.dataSync()]).toEqual([...t.dataSync()]);
  });
});
