/**
 * Writes config.json files with symfuse's serializer, plus `expected.json` with the values
 * transformers must read from them, for `config_reference.py verify DIR`.
 *
 *   node --import tsx packages/models/scripts/write-config-samples.ts /tmp/symfuse-cfg
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseModelConfig, serializeModelConfig, type ModelConfig } from '../src/config/model-config.js';

const out = process.argv[2];
if (!out) {
  console.error('usage: write-config-samples.ts OUT_DIR');
  process.exit(2);
}
const fixtures = path.join(import.meta.dirname, '..', 'test', 'fixtures', 'config');
const samples: Record<string, ModelConfig> = {};
for (const name of fs.readdirSync(fixtures)) {
  const file = path.join(fixtures, name, 'config.json');
  if (fs.existsSync(file)) samples[`roundtrip-${name}`] = parseModelConfig(fs.readFileSync(file, 'utf8'), file);
}
samples['built-pre-ln'] = parseModelConfig({
  model_type: 'roberta',
  architectures: ['RobertaForMaskedLM'],
  vocab_size: 512,
  hidden_size: 32,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  intermediate_size: 64,
  hidden_act: 'relu',
  max_position_embeddings: 66,
  symfuse_layer_norm_placement: 'pre',
});
samples['built-labels'] = parseModelConfig({
  model_type: 'bert',
  architectures: ['BertForSequenceClassification'],
  id2label: { 0: 'ham', 1: 'spam' },
  problem_type: 'multi_label_classification',
  vocab_size: 300,
  custom_key: { nested: [1, 2] },
});

const expected: Record<string, unknown> = {};
for (const [name, cfg] of Object.entries(samples)) {
  fs.mkdirSync(path.join(out, name), { recursive: true });
  fs.writeFileSync(path.join(out, name, 'config.json'), serializeModelConfig(cfg));
  expected[name] = {
    model_type: cfg.modelType,
    vocab_size: cfg.vocabSize,
    hidden_size: cfg.hiddenSize,
    num_hidden_layers: cfg.numLayers,
    num_attention_heads: cfg.numHeads,
    intermediate_size: cfg.intermediateSize,
    hidden_act: cfg.hfHiddenAct,
    max_position_embeddings: cfg.maxPositionEmbeddings,
    type_vocab_size: cfg.typeVocabSize,
    layer_norm_eps: cfg.layerNormEps,
    pad_token_id: cfg.padTokenId,
    bos_token_id: cfg.bosTokenId,
    eos_token_id: cfg.eosTokenId,
    num_labels: cfg.numLabels,
    problem_type: cfg.problemType,
    hidden_dropout_prob: cfg.hiddenDropoutProb,
    attention_probs_dropout_prob: cfg.attentionProbsDropoutProb,
    classifier_dropout: cfg.classifierDropout,
    initializer_range: cfg.initializerRange,
    tie_word_embeddings: cfg.tieWordEmbeddings,
    architectures: cfg.architectures,
    id2label: cfg.id2label,
    label2id: cfg.label2id,
  };
}
fs.writeFileSync(path.join(out, 'expected.json'), `${JSON.stringify(expected, null, 1)}\n`);
console.log(`wrote ${Object.keys(samples).length} configs to ${out}`);
