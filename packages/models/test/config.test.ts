import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelConfigError } from '../src/config/config-error.js';
import { modelConfigToJson, parseModelConfig, readModelConfig, serializeModelConfig, writeModelConfig } from '../src/config/model-config.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'symfuse-cfg-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const tiny = {
  model_type: 'bert',
  architectures: ['BertForMaskedLM'],
  vocab_size: 100,
  hidden_size: 16,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  intermediate_size: 32,
  hidden_act: 'gelu',
  max_position_embeddings: 64,
  type_vocab_size: 2,
  layer_norm_eps: 1e-12,
  pad_token_id: 0,
};

/** Parses and returns the error, failing unless it is a ModelConfigError naming the source. */
function issuesOf(json: unknown): ModelConfigError {
  try {
    parseModelConfig(json, 'test/config.json');
  } catch (e) {
    expect(e).toBeInstanceOf(ModelConfigError);
    expect((e as Error).message).toMatch(/^config test\/config.json: /);
    return e as ModelConfigError;
  }
  throw new Error('expected a ModelConfigError');
}

describe('parseModelConfig', () => {
  it('maps HF fields and derives head size, head and position offset', () => {
    const cfg = parseModelConfig(tiny);
    expect(cfg).toMatchObject({
      modelType: 'bert',
      head: 'mlm',
      vocabSize: 100,
      hiddenSize: 16,
      numLayers: 2,
      numHeads: 4,
      headDim: 4,
      intermediateSize: 32,
      hiddenAct: 'gelu',
      positionOffset: 0,
      maxSequenceLength: 64,
      layerNormPlacement: 'post',
      numLabels: 2,
      id2label: ['LABEL_0', 'LABEL_1'],
      label2id: { LABEL_0: 0, LABEL_1: 1 },
      tieWordEmbeddings: true,
    });
  });

  it('records RoBERTa position offset padding_idx + 1 and its defaults', () => {
    const cfg = parseModelConfig({ model_type: 'roberta', max_position_embeddings: 514, architectures: ['RobertaForSequenceClassification'] });
    expect(cfg).toMatchObject({ padTokenId: 1, bosTokenId: 0, eosTokenId: 2, positionOffset: 2, maxSequenceLength: 512, head: 'classifier', vocabSize: 50265 });
    expect(parseModelConfig({ model_type: 'roberta', pad_token_id: 5, max_position_embeddings: 100 }).positionOffset).toBe(6);
  });

  it('maps every supported hidden_act spelling to its function', () => {
    const acts: [string, string][] = [
      ['gelu', 'gelu'],
      ['gelu_new', 'gelu_tanh'],
      ['gelu_pytorch_tanh', 'gelu_tanh'],
      ['relu', 'relu'],
    ];
    for (const [hf, fn] of acts) {
      const cfg = parseModelConfig({ ...tiny, hidden_act: hf });
      expect(cfg.hiddenAct).toBe(fn);
      expect(modelConfigToJson(cfg).hidden_act).toBe(hf);
    }
  });

  it('reads the symfuse pre-LN extension and writes it back only when pre', () => {
    const pre = parseModelConfig({ ...tiny, symfuse_layer_norm_placement: 'pre' });
    expect(pre.layerNormPlacement).toBe('pre');
    expect(modelConfigToJson(pre).symfuse_layer_norm_placement).toBe('pre');
    expect('symfuse_layer_norm_placement' in modelConfigToJson(parseModelConfig(tiny))).toBe(false);
  });

  it('derives labels from id2label, num_labels, or the HF default', () => {
    const withMap = parseModelConfig({ ...tiny, id2label: { 1: 'pos', 0: 'neg' }, label2id: { neg: 0, pos: 1 } });
    expect(withMap.id2label).toEqual(['neg', 'pos']);
    expect(withMap.numLabels).toBe(2);
    expect(parseModelConfig({ ...tiny, num_labels: 3 }).id2label).toEqual(['LABEL_0', 'LABEL_1', 'LABEL_2']);
  });

  it('accepts the text of the file too, and keeps unknown keys for the round trip', () => {
    const cfg = parseModelConfig(JSON.stringify({ ...tiny, transformers_version: '4.40.0', custom: { a: [1] } }));
    expect(cfg.extra).toEqual({ transformers_version: '4.40.0', custom: { a: [1] } });
    expect(modelConfigToJson(cfg)).toMatchObject({ transformers_version: '4.40.0', custom: { a: [1] } });
  });
});

describe('parseModelConfig errors name the field, the value and what is supported', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['unknown model_type', { ...tiny, model_type: 'gpt2' }, /model_type is "gpt2"; supported: "bert", "roberta"/],
    ['missing model_type', { hidden_size: 8 }, /model_type is missing; supported: "bert", "roberta"/],
    ['hidden size not divisible by heads', { ...tiny, hidden_size: 18 }, /hidden_size is 18, not divisible by num_attention_heads = 4/],
    ['unsupported activation', { ...tiny, hidden_act: 'swish' }, /hidden_act is "swish"; supported: "gelu", "gelu_new", "gelu_pytorch_tanh", "relu"/],
    ['non-integer size', { ...tiny, hidden_size: 16.5 }, /hidden_size is 16.5; expected an integer/],
    ['zero layers', { ...tiny, num_hidden_layers: 0 }, /num_hidden_layers is 0; expected ≥ 1/],
    ['string vocab size', { ...tiny, vocab_size: '100' }, /vocab_size is "100"; expected number/],
    ['null size', { ...tiny, intermediate_size: null }, /intermediate_size is null; expected number/],
    ['pad id outside the vocabulary', { ...tiny, pad_token_id: 100 }, /pad_token_id is 100; expected a token id below vocab_size = 100/],
    ['unknown architecture', { ...tiny, architectures: ['BertForQuestionAnswering'] }, /architectures.0 is "BertForQuestionAnswering"; supported: "BertModel", "BertForMaskedLM"/],
    ['architecture of the other family', { ...tiny, architectures: ['RobertaForMaskedLM'] }, /architectures.0 is "RobertaForMaskedLM", a roberta architecture, but model_type is "bert"/],
    ['RoBERTa too few positions', { model_type: 'roberta', max_position_embeddings: 2 }, /max_position_embeddings is 2; RoBERTa positions start at pad_token_id \+ 1 = 2, so at least 3 are needed/],
    ['relative positions', { ...tiny, position_embedding_type: 'relative_key' }, /position_embedding_type is "relative_key"; only 'absolute' position embeddings are supported/],
    ['decoder', { ...tiny, is_decoder: true }, /is_decoder is true; symfuse implements encoders only/],
    ['bad placement', { ...tiny, symfuse_layer_norm_placement: 'sandwich' }, /symfuse_layer_norm_placement is "sandwich"; supported: "post", "pre"/],
    ['bad problem type', { ...tiny, problem_type: 'ranking' }, /problem_type is "ranking"; supported: "regression", "single_label_classification", "multi_label_classification"/],
    ['dropout above 1', { ...tiny, hidden_dropout_prob: 1.5 }, /hidden_dropout_prob is 1.5; expected ≤ 1/],
    ['num_labels vs id2label', { ...tiny, num_labels: 3, id2label: { 0: 'a', 1: 'b' } }, /num_labels is 3 but id2label has 2 labels/],
    ['id2label with a gap', { ...tiny, id2label: { 0: 'a', 2: 'b' } }, /id2label.2 has key "2"; keys must be the ids 0..1/],
    ['duplicate labels', { ...tiny, id2label: { 0: 'a', 1: 'a' } }, /id2label.1 is "a", the same label as id 0; labels must be unique/],
    ['label2id not the inverse', { ...tiny, id2label: { 0: 'a', 1: 'b' }, label2id: { a: 1, b: 0 } }, /label2id is \{"a":1,"b":0\}; expected the inverse of id2label, \{"a":0,"b":1\}/],
  ];
  for (const [what, json, message] of cases) {
    it(what, () => {
      expect(issuesOf(json).message).toMatch(message);
    });
  }

  it('reports every problem at once', () => {
    const err = issuesOf({ ...tiny, hidden_act: 'swish', num_hidden_layers: -1, vocab_size: 0 });
    expect(err.issues.map((i) => i.field).sort()).toEqual(['hidden_act', 'num_hidden_layers', 'vocab_size']);
  });

  it('rejects non-objects and invalid JSON text', () => {
    expect(issuesOf('[1]').message).toMatch(/\(root\) is \[1\]; expected a JSON object/);
    expect(issuesOf('{oops').message).toMatch(/\(file\) is not valid JSON/);
  });
});

describe('serializeModelConfig', () => {
  const configArb = fc
    .record({
      model_type: fc.constantFrom('bert', 'roberta'),
      heads: fc.integer({ min: 1, max: 8 }),
      headDim: fc.integer({ min: 1, max: 16 }),
      num_hidden_layers: fc.integer({ min: 1, max: 24 }),
      intermediate_size: fc.integer({ min: 1, max: 4096 }),
      hidden_act: fc.constantFrom('gelu', 'gelu_new', 'gelu_pytorch_tanh', 'relu'),
      vocab_size: fc.integer({ min: 10, max: 60000 }),
      pad_token_id: fc.integer({ min: 0, max: 9 }),
      max_position_embeddings: fc.integer({ min: 12, max: 4096 }),
      type_vocab_size: fc.integer({ min: 1, max: 4 }),
      layer_norm_eps: fc.double({ min: 1e-12, max: 1e-3, noNaN: true }),
      labels: fc.option(fc.uniqueArray(fc.string({ unit: 'grapheme', maxLength: 6 }), { minLength: 1, maxLength: 5 }), { nil: undefined }),
      problem_type: fc.constantFrom(undefined, 'regression', 'single_label_classification', 'multi_label_classification'),
      placement: fc.constantFrom(undefined, 'post', 'pre'),
      extra: fc.dictionary(fc.string({ maxLength: 6 }).map((k) => `x_${k}`), fc.jsonValue({ maxDepth: 2 }).filter((v) => !JSON.stringify(v, (_k, x) => (Object.is(x, -0) ? '__negzero__' : x)).includes('__negzero__')), { maxKeys: 3 }),
    })
    .map((r) => ({
      ...r.extra,
      model_type: r.model_type,
      architectures: [r.model_type === 'bert' ? 'BertForSequenceClassification' : 'RobertaForMaskedLM'],
      hidden_size: r.heads * r.headDim,
      num_attention_heads: r.heads,
      num_hidden_layers: r.num_hidden_layers,
      intermediate_size: r.intermediate_size,
      hidden_act: r.hidden_act,
      vocab_size: r.vocab_size,
      pad_token_id: r.pad_token_id,
      max_position_embeddings: r.max_position_embeddings,
      type_vocab_size: r.type_vocab_size,
      layer_norm_eps: r.layer_norm_eps,
      ...(r.labels ? { id2label: Object.fromEntries(r.labels.map((l, i) => [String(i), l])) } : {}),
      ...(r.problem_type ? { problem_type: r.problem_type } : {}),
      ...(r.placement ? { symfuse_layer_norm_placement: r.placement } : {}),
    }));

  it('parse(serialize(parse(json))) equals parse(json), and serialize is a fixed point', () => {
    fc.assert(
      fc.property(configArb, (json) => {
        const cfg = parseModelConfig(json);
        const text = serializeModelConfig(cfg);
        const again = parseModelConfig(text);
        expect(again).toEqual(cfg);
        expect(serializeModelConfig(again)).toBe(text);
        // Sorted keys, as transformers writes them.
        const keys = Object.keys(JSON.parse(text));
        expect(keys).toEqual([...keys].sort());
      }),
      { numRuns: 200 },
    );
  });

  it('writes and reads config.json files', () => {
    const file = path.join(tmp, 'config.json');
    const cfg = parseModelConfig({ ...tiny, id2label: { 0: 'x', 1: 'y', 2: 'z' } });
    writeModelConfig(file, cfg);
    expect(readModelConfig(file)).toEqual(cfg);
    fs.writeFileSync(file, JSON.stringify({ ...tiny, hidden_act: 'tanh' }));
    expect(() => readModelConfig(file)).toThrow(new RegExp(`config ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: hidden_act is "tanh"`));
  });
});
