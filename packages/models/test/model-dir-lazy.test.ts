/**
 * `openModelDir`: a model directory opened without reading weights gives, tensor by tensor, exactly
 * what `loadModelDir` loads — through the same key plan (legacy LayerNorm names, a missing prefix, the
 * tied decoder) — and names what it cannot give.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModelDir, ModelDirError, openModelDir, saveModelDir, writeModelDirFiles } from '../src/checkpoint/index.js';
import { parseModelConfig } from '../src/config/index.js';
import { writeSafetensors } from '../src/io/writer.js';
import { expectedParams, initParams } from '../src/model/index.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'symfuse-lazy-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const config = parseModelConfig({
  model_type: 'bert', architectures: ['BertForMaskedLM'], vocab_size: 30, hidden_size: 8, num_hidden_layers: 2, num_attention_heads: 2,
  intermediate_size: 12, hidden_act: 'gelu', max_position_embeddings: 16, type_vocab_size: 2, pad_token_id: 0,
});

describe('openModelDir', () => {
  it('reads each parameter as loadModelDir loads it, and only the ones asked for', () => {
    const dir = path.join(tmp, 'plain');
    saveModelDir(dir, { config, params: initParams(config, { seed: 4, head: 'mlm' }) });
    const whole = loadModelDir(dir);
    const lazy = openModelDir(dir);
    try {
      expect(lazy.head).toBe('mlm');
      expect([...lazy.shapes]).toEqual([...expectedParams(config, 'mlm')]);
      expect(lazy.report.missing).toEqual([]);
      const names = [...lazy.shapes.keys()];
      const some = lazy.read(names.slice(3, 7));
      expect([...some.keys()]).toEqual(names.slice(3, 7));
      for (const name of names) {
        const got = lazy.read([name]).get(name)!;
        expect(got.dtype).toBe('f32');
        expect(got.shape).toEqual(whole.params.get(name)!.shape);
        expect(got.dataSync()).toEqual(whole.params.get(name)!.dataSync());
      }
    } finally {
      lazy.close();
    }
    expect(() => lazy.read([[...lazy.shapes.keys()][0]])).toThrow(/closed/);
  });

  it('maps legacy names (no prefix, gamma/beta, a stored decoder) like loadModelDir, and names missing, unknown and non-finite tensors', () => {
    const dir = path.join(tmp, 'legacy');
    fs.mkdirSync(dir);
    writeModelDirFiles(dir, { config });
    const params = initParams(config, { seed: 5, head: 'mlm' });
    const stored = new Map<string, { dtype: 'F32'; shape: readonly number[]; data: Float32Array }>();
    for (const [name, t] of params) {
      let key = name.replace(/^bert\./, '').replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta');
      if (name === 'bert.encoder.layer.1.output.dense.bias') continue; // missing
      if (name === 'cls.predictions.bias') key = 'cls.predictions.decoder.bias';
      stored.set(key, { dtype: 'F32', shape: t.shape, data: Float32Array.from(t.dataSync() as Float32Array) });
    }
    stored.set('cls.predictions.decoder.weight', { dtype: 'F32', shape: [30, 8], data: new Float32Array(240) });
    stored.get('encoder.layer.0.intermediate.dense.weight')!.data[5] = Number.POSITIVE_INFINITY;
    writeSafetensors(path.join(dir, 'model.safetensors'), stored);
    const lazy = openModelDir(dir);
    try {
      expect(lazy.report.missing).toEqual(['bert.encoder.layer.1.output.dense.bias']);
      expect(lazy.report.ignored).toContain('cls.predictions.decoder.weight');
      const ln = 'bert.embeddings.LayerNorm.weight';
      expect(lazy.read([ln]).get(ln)!.dataSync()).toEqual(params.get(ln)!.dataSync());
      expect(lazy.read(['cls.predictions.bias']).get('cls.predictions.bias')!.dataSync()).toEqual(params.get('cls.predictions.bias')!.dataSync());
      expect(() => lazy.read(['bert.encoder.layer.1.output.dense.bias'])).toThrow(ModelDirError);
      expect(() => lazy.read(['bert.encoder.layer.1.output.dense.bias'])).toThrow(/'bert\.encoder\.layer\.1\.output\.dense\.bias' is missing from the checkpoint/);
      expect(() => lazy.read(['bert.pooler.dense.weight'])).toThrow(/is not a parameter of this bert model \(head 'mlm'\)/);
      expect(() => lazy.read(['bert.encoder.layer.0.intermediate.dense.weight'])).toThrow(/'encoder\.layer\.0\.intermediate\.dense\.weight' has a non-finite value \(Infinity\) at flat index 5/);
    } finally {
      lazy.close();
    }
  });
});
