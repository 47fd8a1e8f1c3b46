import { forward, initParams } from './src/index.js';
const config = { modelType: 'bert', hiddenSize: 256, numLayers: 4, numHeads: 4, intermediateSize: 1024, hiddenAct: 'gelu', layerNormEps: 1e-12, layerNormPlacement: 'post', vocabSize: 8000, maxPositionEmbeddings: 512, typeVocabSize: 2, padTokenId: 0 };
const params = initParams(config, { head: 'mlm', seed: 1 });
const B = 8, T = 128;
const ids = new Int32Array(B * T).map((_, i) => 2 + (i * 7919) % 7000);
const mask = new Int32Array(B * T).map((_, i) => (i % T < 100 + (i / T | 0) * 3 ? 1 : 0));
for (const [label, opts] of [['hidden only', { head: 'none' }], ['mlm full', {}], ['mlm 15% rows', { mlmRows: Int32Array.from({ length: 150 }, (_, i) => i * 6) }]] as const) {
  forward({ config, params }, { ids, mask, batch: B, seqLen: T }, opts as never);
  const t0 = performance.now();
  const n = 3;
  for (let i = 0; i < n; i++) forward({ config, params }, { ids, mask, batch: B, seqLen: T }, opts as never);
  console.log(label, ((performance.now() - t0) / n).toFixed(1), 'ms');
}
