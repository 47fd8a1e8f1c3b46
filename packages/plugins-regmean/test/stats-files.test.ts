import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSafetensors } from '@symfuse/models';
import { coreSymmetryPlugin, createRegistry, loadStatsBundle, saveStatsBundle } from '@symfuse/symmetry';
import { maxRelDiff, randomBatches, randomEncoderModel, smallEncoderConfig } from '@symfuse/symmetry/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { combineGrams, regmeanPlugin } from '../src/index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'symfuse-gram-files-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const config = smallEncoderConfig({ numLayers: 1 });
const registry = createRegistry().use(coreSymmetryPlugin()).use(regmeanPlugin()).freeze();
const spec = registry.architectureFor(config).buildSpec(config, { head: 'mlm' });
const model = randomEncoderModel(config, { seed: 2, head: 'mlm' });
const batches = randomBatches(config, 1, 6, 2, 8);

describe('Gram statistics as files', () => {
  it('round-trip a Gram bundle exactly, with its meta in __metadata__', async () => {
    const bundle = await registry.collector('gram').collect({ spec, model, batches, options: { data: 'random ids, seed 1' } });
    const file = path.join(dir, 'a.gram.safetensors');
    saveStatsBundle(file, bundle);
    const raw = openSafetensors(file);
    expect(raw.metadata).toMatchObject({ format: 'symfuse-stats/1', kind: 'gram', model: 'random-2', data: 'random ids, seed 1', tokens: String(bundle.meta.tokens) });
    expect(raw.info('bert.encoder.layer.0.attention.self.query.weight')).toMatchObject({ dtype: 'F64', shape: [16, 16] });
    raw.close();
    const back = loadStatsBundle(file, { kind: 'gram' });
    expect(back.kind).toBe('gram');
    expect(back.meta).toEqual(bundle.meta);
    expect([...back.entries.keys()].sort()).toEqual([...bundle.entries.keys()].sort());
    for (const [name, e] of bundle.entries) {
      expect(back.entries.get(name)!.shape).toEqual(e.shape);
      expect(maxRelDiff(back.entries.get(name)!.data, e.data)).toBe(0);
    }
  });

  it('shard files combine into the one-pass statistics', async () => {
    const c = registry.collector('gram');
    const files = [1, 2, 3].map((i) => path.join(dir, `shard-${i}.safetensors`));
    for (let i = 0; i < 3; i++) saveStatsBundle(files[i], await c.collect({ spec, model, batches, options: { shard: `${i + 1}/3` } }));
    const combined = combineGrams(files.map((f) => loadStatsBundle(f, { kind: 'gram' })));
    const whole = await c.collect({ spec, model, batches });
    expect(combined.meta).toEqual(whole.meta);
    for (const [name, e] of whole.entries) expect(maxRelDiff(e.data, combined.entries.get(name)!.data)).toBeLessThan(1e-13);
  });
});
