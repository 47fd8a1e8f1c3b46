import { initParams } from './src/model/index.js';
import { mlmObjective, trainLoop } from './src/train/index.js';
const [ln, lr, init] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4] ?? 0.02)];
const V = 24;
const config = { modelType: 'bert', hiddenSize: 32, numLayers: 2, numHeads: 2, intermediateSize: 64, hiddenAct: 'gelu', layerNormEps: 1e-12, layerNormPlacement: ln, vocabSize: V, maxPositionEmbeddings: 32, typeVocabSize: 2, padTokenId: 0, architectures: ['BertForMaskedLM'] } as const;
let s = 12345; const rnd = () => { s = (s * 1103515245 + 12345) & 0x7fffffff; return s / 0x7fffffff; };
const blocks: Int32Array[] = [];
for (let i = 0; i < 512; i++) { const b = new Int32Array(18); b[0] = 1; for (let t = 1; t <= 8; t++) { b[t] = 5 + Math.floor(rnd() * (V - 5)); b[t + 8] = b[t]; } b[17] = 2; blocks.push(b); }
const objective = mlmObjective(config, blocks, { maskId: 3, specialIds: [0, 1, 2, 3, 4] }, { batchSize: 32, seed: 7, rate: 0.15 });
const r = trainLoop(initParams(config, { seed: 1, std: init }), objective, { steps: 300, lr, warmupSteps: 20, logEvery: 50 });
console.log(ln, lr, init, r.history.map(h => h.loss.toFixed(2)).join(' '));
