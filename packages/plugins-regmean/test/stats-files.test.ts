import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSafetensors } from '@symfuse/models';
import { coreSymmetryPlugin, createRegistry } from '@symfuse/symmetry';
import { randomEncoderModel, smallEncoderConfig } from '@symfuse/symmetry/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { combineGrams, loadStatsBundle, regmeanPlugin, saveStatsBundle } from '../src/index.js';
import { maxRelDiff, randomBatches } from './helpers.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'symfuse-gram-files-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const config = smallEncoderConfig({ numLayers: 1 });
const registry = createRegistry().use(coreSymmetryPlugin()).use(regmeanPlugin()).freeze();
const spec = registry.architectureFor(config).buildSpec(config, { head: 'mlm' });
const model = randomEncoderModel(config, { seed: 2, head: 'mlm' });
const batches = randomBatches(config, 1, 6, 2, 8);

describe('statistics files', () => {
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

  it('never writes a bad bundle and never overwrites an existing file unless asked', async () => {
    const file = path.join(dir, 'bad.safetensors');
    const bad = { kind: 'gram', meta: {}, entries: new Map([['w', { shape: [2, 2], data: new Float64Array([1, Number.NaN, 0, 1]) }]]) };
    expect(() => saveStatsBundle(file, bad)).toThrow(/entry 'w' has a non-finite value \(NaN\) at flat index 1/);
    const short = { kind: 'gram', meta: {}, entries: new Map([['w', { shape: [2, 2], data: new Float64Array(3) }]]) };
    expect(() => saveStatsBundle(file, short)).toThrow(/entry 'w' has 3 values for shape \[2, 2\]/);
    expect(() => saveStatsBundle(file, { kind: 'gram', meta: { format: 'x' }, entries: new Map() })).toThrow(/meta key 'format' is reserved/);
    expect(fs.existsSync(file)).toBe(false);
    const good = { kind: 'gram', meta: { tokens: 3 }, entries: new Map([['w', { shape: [1, 1], data: new Float64Array([2]) }]]) };
    saveStatsBundle(file, good);
    const before = fs.readFileSync(file);
    expect(() => saveStatsBundle(file, { ...good, meta: { tokens: 4 } })).toThrow(/the file exists; pass overwrite: true/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    saveStatsBundle(file, { ...good, meta: { tokens: 4 } }, { overwrite: true });
    expect(loadStatsBundle(file).meta.tokens).toBe(4);
    expect(() => loadStatsBundle(file, { kind: 'fisher' })).toThrow(/holds 'gram' statistics; expected 'fisher'/);
  });
});
