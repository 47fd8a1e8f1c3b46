/**
 * Evaluation on any backend: the asynchronous entry points (`pseudoPerplexityAsync`,
 * `evaluateClassifierAsync`, the evaluators) give exactly the synchronous CPU numbers on the CPU, and
 * — where a WebGPU adapter exists — the same numbers within f32 rounding on the GPU, where the
 * synchronous ones refuse with a message naming the asynchronous variant. `interpolateParams` on GPU
 * tensors interpolates on the GPU.
 */
import type { ClassificationBatch } from '@symfuse/data';
import { fixedMasks } from '@symfuse/data';
import { type EncoderConfig, initParams, type ParamMap } from '@symfuse/models';
import { type Backend, initBackend, type Tensor, tensor } from '@symfuse/tensor';
import { probeAdapter, registerWebGpuBackend } from '@symfuse/tensor/webgpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { classificationEvaluator, evaluateClassifier, evaluateClassifierAsync, interpolateParams, mlmEvaluator, pseudoPerplexity, pseudoPerplexityAsync } from '../src/index.js';

const BERT: EncoderConfig = {
  modelType: 'bert', hiddenSize: 32, numLayers: 2, numHeads: 4, intermediateSize: 48, hiddenAct: 'gelu',
  layerNormEps: 1e-12, layerNormPlacement: 'post', vocabSize: 60, maxPositionEmbeddings: 32,
  typeVocabSize: 2, padTokenId: 0, numLabels: 3, architectures: ['BertForMaskedLM'],
};
const CLASSIFIER: EncoderConfig = { ...BERT, architectures: ['BertForSequenceClassification'] };
const MASK = 4;

/** Seven blocks of 20 ids in [5, 60) (so batches of 3 leave a partial last batch), 15% masked. */
function maskedBlocks() {
  const blocks = Array.from({ length: 7 }, (_, b) => Int32Array.from({ length: 20 }, (_, t) => 5 + ((b * 31 + t * 17) % 55)));
  return fixedMasks(blocks, 3, { maskId: MASK, specialIds: [0, 1, 2, 3, MASK] });
}

/** Two padded batches of labelled sequences (the second row of each padded after 6 tokens). */
function classificationBatches(): ClassificationBatch[] {
  return [0, 1].map((k) => {
    const seqLen = 11;
    const ids = new Int32Array(3 * seqLen);
    const mask = new Int32Array(3 * seqLen);
    for (let r = 0; r < 3; r++) {
      const len = r === 1 ? 6 : seqLen;
      for (let t = 0; t < len; t++) {
        ids[r * seqLen + t] = 5 + ((k * 13 + r * 7 + t * 5) % 55);
        mask[r * seqLen + t] = 1;
      }
    }
    return { ids, mask, batch: 3, seqLen, labels: Int32Array.of((k + 0) % 3, (k + 1) % 3, (k + 2) % 3) };
  });
}

describe('asynchronous evaluation on the CPU', () => {
  const mlm = { config: BERT, params: initParams(BERT, { seed: 5, head: 'mlm', std: 0.3 }), head: 'mlm' as const };
  const cls = { config: CLASSIFIER, params: initParams(CLASSIFIER, { seed: 6, head: 'classifier', std: 0.3 }) };

  it('pseudoPerplexityAsync and the MLM evaluator give exactly the synchronous numbers', async () => {
    const masked = maskedBlocks();
    const sync = pseudoPerplexity(mlm, masked, { batchSize: 3 });
    expect(sync.tokens).toBeGreaterThan(7);
    expect(await pseudoPerplexityAsync(mlm, masked, { batchSize: 3 })).toEqual(sync);
    const score = await mlmEvaluator(masked, 'test', { batchSize: 3 }).evaluate(mlm);
    expect(score).toEqual({ loss: sync.nll, pppl: sync.pppl, count: sync.tokens });
  });

  it('evaluateClassifierAsync and the classification evaluator give exactly the synchronous numbers', async () => {
    const batches = classificationBatches();
    const sync = evaluateClassifier(cls, batches);
    expect(sync.examples).toBe(6);
    expect(await evaluateClassifierAsync(cls, batches)).toEqual(sync);
    expect(await classificationEvaluator(batches, 'test').evaluate(cls)).toEqual({ loss: sync.loss, accuracy: sync.accuracy, macroF1: sync.macroF1, count: 6 });
  });
});

const adapter = await probeAdapter();
if (!adapter) console.warn('[eval backends.test] WebGPU part SKIPPED: requestAdapter() returned null (no WebGPU adapter)');

describe.skipIf(!adapter)('evaluation on WebGPU', () => {
  let gpu: Backend;
  const onGpu = (p: ParamMap): Map<string, Tensor> => new Map([...p].map(([k, t]) => [k, tensor(t.dataSync(), t.shape, { dtype: t.dtype, backend: gpu })]));
  beforeAll(async () => {
    registerWebGpuBackend();
    gpu = await initBackend('webgpu');
  });

  it('pseudo-perplexity and classification agree with the CPU within 1e-5 relative; the synchronous ones refuse', async () => {
    const mlmParams = initParams(BERT, { seed: 5, head: 'mlm', std: 0.3 });
    const clsParams = initParams(CLASSIFIER, { seed: 6, head: 'classifier', std: 0.3 });
    const mlm = { config: BERT, params: onGpu(mlmParams), head: 'mlm' as const };
    const cls = { config: CLASSIFIER, params: onGpu(clsParams) };
    const masked = maskedBlocks();
    const batches = classificationBatches();
    const cpuPppl = pseudoPerplexity({ config: BERT, params: mlmParams, head: 'mlm' }, masked, { batchSize: 3 });
    const gpuPppl = await pseudoPerplexityAsync(mlm, masked, { batchSize: 3 });
    expect(gpuPppl.tokens).toBe(cpuPppl.tokens);
    expect(Math.abs(gpuPppl.nll - cpuPppl.nll)).toBeLessThan(1e-5 * cpuPppl.nll);
    const cpuCls = evaluateClassifier({ config: CLASSIFIER, params: clsParams }, batches);
    const gpuCls = await evaluateClassifierAsync(cls, batches);
    expect(Math.abs(gpuCls.loss - cpuCls.loss)).toBeLessThan(1e-5 * cpuCls.loss);
    expect(gpuCls.confusion).toEqual(cpuCls.confusion);
    expect(() => pseudoPerplexity(mlm, masked)).toThrow(/backend 'webgpu'.*pseudoPerplexityAsync/);
    expect(() => evaluateClassifier(cls, batches)).toThrow(/backend 'webgpu'.*evaluateClassifierAsync/);
    for (const m of [mlm.params, cls.params]) for (const t of m.values()) t.dispose();
  });

  it('interpolateParams of GPU tensors stays on the GPU and matches the host result', async () => {
    const a = initParams(BERT, { seed: 1, head: 'mlm', std: 0.3 });
    const b = initParams(BERT, { seed: 2, head: 'mlm', std: 0.3 });
    const host = interpolateParams(a, b, 0.3);
    const device = interpolateParams(onGpu(a), onGpu(b), 0.3);
    for (const [name, t] of host) {
      const d = device.get(name)!;
      expect(d.backend.name, name).toBe('webgpu');
      const x = t.dataSync();
      const y = await d.data();
      const xa = a.get(name)!.dataSync();
      const xb = b.get(name)!.dataSync();
      // The GPU rounds 0.3·a and 0.7·b to f32 before adding them: a few ulps of the terms' magnitude.
      let worst = 0;
      for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]) / (0.3 * Math.abs(xa[i]) + 0.7 * Math.abs(xb[i]) + 1e-30));
      expect(worst, name).toBeLessThan(1e-6);
    }
    expect(() => interpolateParams(a, onGpu(b), 0.5)).toThrow(/lives on backend 'cpu' in the first model and 'webgpu' in the second/);
  });
});
