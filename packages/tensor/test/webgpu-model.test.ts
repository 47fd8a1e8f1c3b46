/**
 * The encoder forward pass of `@symfuse/models` runs on the WebGPU backend unchanged (it uses only
 * tensor ops) and agrees with the CPU: tiny BERT (post-LN, exact GELU, MLM head) and RoBERTa-like
 * (pre-LN, tanh GELU, classifier head) with padded batches, parameters moved to the GPU.
 */
import type { EncoderConfig, HeadKind, ParamMap } from '@symfuse/models';
import { forward, initParams } from '@symfuse/models';
import { type Backend, type Tensor, initBackend, tensor } from '@symfuse/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWebGpuBackend } from '../src/backends/webgpu/index.js';
import { gateWebGpu } from './webgpu-gate.js';

const adapter = await gateWebGpu('webgpu-model.test');

const BERT: EncoderConfig = {
  modelType: 'bert', hiddenSize: 32, numLayers: 2, numHeads: 4, intermediateSize: 64, hiddenAct: 'gelu',
  layerNormEps: 1e-12, layerNormPlacement: 'post', vocabSize: 50, maxPositionEmbeddings: 24,
  typeVocabSize: 2, padTokenId: 0, numLabels: 3, architectures: ['BertForMaskedLM'],
};

const ROBERTA_PRE: EncoderConfig = {
  ...BERT, modelType: 'roberta', layerNormPlacement: 'pre', hiddenAct: 'gelu_tanh', padTokenId: 1,
  typeVocabSize: 1, layerNormEps: 1e-5, hiddenSize: 36, numHeads: 3, intermediateSize: 20,
  architectures: ['RobertaForSequenceClassification'],
};

/** A copy of every parameter on `backend`. */
async function moveTo(params: ParamMap, backend: Backend): Promise<ParamMap> {
  const out: ParamMap = new Map();
  for (const [name, p] of params) out.set(name, tensor(await p.data(), p.shape, { backend, dtype: p.dtype }));
  return out;
}

/** Two sequences of 11 tokens; the second padded after 7 tokens. */
function batch(padId: number): { ids: Int32Array; mask: Int32Array; batch: number; seqLen: number } {
  const seqLen = 11;
  const ids = new Int32Array(2 * seqLen);
  const mask = new Int32Array(2 * seqLen);
  for (let t = 0; t < seqLen; t++) {
    ids[t] = 2 + ((t * 7) % 40);
    mask[t] = 1;
    const real = t < 7;
    ids[seqLen + t] = real ? 3 + ((t * 5) % 40) : padId;
    mask[seqLen + t] = real ? 1 : 0;
  }
  return { ids, mask, batch: 2, seqLen };
}

describe.skipIf(!adapter)('model forward on WebGPU', () => {
  let gpu: Backend;
  beforeAll(async () => {
    registerWebGpuBackend();
    gpu = await initBackend('webgpu');
  });

  const cases: [string, EncoderConfig, HeadKind][] = [
    ['BERT post-LN, exact GELU, MLM head', BERT, 'mlm'],
    ['RoBERTa pre-LN, tanh GELU, classifier head', ROBERTA_PRE, 'classifier'],
  ];
  for (const [what, config, head] of cases) {
    it(`${what}: logits and hidden states match the CPU within 1e-4`, async () => {
      const cpuParams = initParams(config, { seed: 7, head, std: 0.2 });
      const gpuParams = await moveTo(cpuParams, gpu);
      const b = batch(config.padTokenId);
      const onCpu = forward({ config, params: cpuParams, head }, b);
      const onGpu = forward({ config, params: gpuParams, head }, b);
      const check = async (name: string, g: Tensor | undefined, c: Tensor | undefined): Promise<void> => {
        expect(g, name).toBeDefined();
        expect(g!.backend.name).toBe('webgpu');
        expect([...g!.shape]).toEqual([...c!.shape]);
        const gd = await g!.data();
        const cd = c!.dataSync();
        let worst = 0;
        for (let i = 0; i < cd.length; i++) worst = Math.max(worst, Math.abs(gd[i] - cd[i]));
        expect(worst, `${name}: max |gpu − cpu|`).toBeLessThan(1e-4);
      };
      await check('logits', onGpu.logits, onCpu.logits);
      await check('hidden', onGpu.hidden, onCpu.hidden);
      for (const m of [gpuParams, cpuParams]) for (const p of m.values()) p.dispose();
      for (const r of [onCpu, onGpu]) for (const t of [r.hidden, r.logits, r.pooled]) t?.dispose();
    });
  }
});
