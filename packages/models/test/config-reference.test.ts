/**
 * Configs written by Hugging Face `transformers` (5.18) with the values transformers itself reads from
 * them (fixtures from `packages/models/scripts/config_reference.py fixtures`). Our parser must agree
 * on every field, including the defaults for absent keys.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseModelConfig, serializeModelConfig } from '../src/config/model-config.js';

const dir = path.join(import.meta.dirname, 'fixtures', 'config');
const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as Record<string, Record<string, unknown>>;

describe('configs written by transformers', () => {
  for (const [name, want] of Object.entries(expected)) {
    it(`${name}: same values as transformers reads`, () => {
      const text = fs.readFileSync(path.join(dir, name, 'config.json'), 'utf8');
      const cfg = parseModelConfig(text, name);
      expect({
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
      }).toEqual(want);
      // Every key transformers wrote survives our load/save cycle with the same value.
      const original = JSON.parse(text) as Record<string, unknown>;
      const written = JSON.parse(serializeModelConfig(cfg)) as Record<string, unknown>;
      for (const [k, v] of Object.entries(original)) if (v !== null) expect(written[k], k).toEqual(v);
    });
  }

  it('RoBERTa checkpoints: 514 positions with padding_idx 1 cover 512 tokens', () => {
    const cfg = parseModelConfig(fs.readFileSync(path.join(dir, 'roberta-sst', 'config.json'), 'utf8'));
    expect(cfg.positionOffset).toBe(2);
    expect(cfg.maxSequenceLength).toBe(512);
  });
});
