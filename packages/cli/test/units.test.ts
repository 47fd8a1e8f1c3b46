/**
 * Unit tests of the CLI's building blocks, in process: staged output directories, argument helpers,
 * configuration errors, the non-finite guard, and a sharded merge written by the job itself.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadModelDir } from '@symfuse/models';
import { fromHost } from '@symfuse/tensor';
import { describe, expect, it } from 'vitest';
import { keyValues, list } from '../src/args.js';
import { distributeOptions } from '../src/commands/align.js';
import { parseMergeConfig } from '../src/config.js';
import { CliError, oneLine, UsageError } from '../src/errors.js';
import { assertFinite, runMergeJob } from '../src/job/merge-job.js';
import { createConsole } from '../src/progress.js';
import { buildRegistry } from '../src/registry.js';
import { stageOutput } from '../src/staging.js';
import { tinyModel } from '../../../tests/cli-helpers.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'symfuse-unit-'));

describe('stageOutput', () => {
  it('writes into a hidden sibling and renames it into place on commit', () => {
    const dir = tmp();
    const s = stageOutput(path.join(dir, 'out'));
    s.write('a/b.txt', 'x');
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
    expect(path.dirname(s.dir)).toBe(dir);
    s.commit();
    expect(fs.readFileSync(path.join(dir, 'out/a/b.txt'), 'utf8')).toBe('x');
    expect(fs.readdirSync(dir)).toEqual(['out']);
  });
  it('refuses an existing target without force, replaces it with force, and discards cleanly', () => {
    const dir = tmp();
    const target = path.join(dir, 'out');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'old.txt'), 'old');
    expect(() => stageOutput(target)).toThrow(CliError);
    expect(() => stageOutput(target)).toThrow(/already exists; pass --force/);
    const d = stageOutput(target, { force: true });
    d.write('new.txt', 'new');
    d.discard();
    expect(fs.readdirSync(target)).toEqual(['old.txt']);
    const f = stageOutput(target, { force: true });
    f.write('new.txt', 'new');
    f.commit();
    expect(fs.readdirSync(target)).toEqual(['new.txt']);
    expect(fs.readdirSync(dir)).toEqual(['out']);
  });
});

describe('argument helpers', () => {
  it('parse key=value scalars and lists', () => {
    expect(keyValues(['a=1', 'b=true', 'c=head-perm', 'd=[1,2]', 'e=x=y'], 't')).toEqual({ a: 1, b: true, c: 'head-perm', d: [1, 2], e: 'x=y' });
    expect(() => keyValues(['novalue'], 't')).toThrow(UsageError);
    expect(list(' a, b,,c ')).toEqual(['a', 'b', 'c']);
  });
  it('give options to the aligners that take them, and name the keys when none does', () => {
    const reg = buildRegistry();
    expect(distributeOptions(reg, ['verma-elbayad', 'rotation'], ['mha=monotonic', 'rotation.rescale=false'], 't')).toEqual({ 'verma-elbayad': { mha: 'monotonic' }, rotation: { rescale: false } });
    expect(() => distributeOptions(reg, ['rotation'], ['mha=x'], 't')).toThrow(/no aligner takes 'mha'; options by aligner — rotation: .*rescale/);
    expect(() => distributeOptions(reg, ['verma-elbayad'], ['mha=bogus'], 't')).toThrow(/--option \(aligner 'verma-elbayad'\): .*mha/);
  });
  it('oneLine joins a multi-line message', () => {
    expect(oneLine('pipeline config is invalid:\n- a = 1: bad\n- b: worse')).toBe('pipeline config is invalid:; a = 1: bad; b: worse');
  });
});

describe('parseMergeConfig', () => {
  const reg = buildRegistry();
  const base = { models: [{ path: 'a' }, { path: 'b' }], output: 'o' };
  it('fills defaults', () => {
    const c = parseMergeConfig(base, 'x.yaml', reg);
    expect(c.merge).toEqual({ method: 'simple' });
    expect(c.align).toEqual([]);
  });
  it('names the key, the value and what is allowed', () => {
    expect(() => parseMergeConfig({ ...base, models: [{ path: 'a' }] }, 'x.yaml', reg)).toThrow(/x\.yaml: models = .*>=2|x\.yaml: models/);
    expect(() => parseMergeConfig({ ...base, anchor: 5 }, 'x.yaml', reg)).toThrow(/anchor = 5: expected an index into models \(0 … 1\)/);
    expect(() => parseMergeConfig({ ...base, eval: { point: 3 } }, 'x.yaml', reg)).toThrow(/eval.*point.*allowed keys: data, points, blocks/);
    expect(() => parseMergeConfig({ ...base, merge: { method: 'regmean', alpha: 3 } }, 'x.yaml', reg)).toThrow(/merge \(merger 'regmean'\): alpha/);    expect(() => parseMergeConfig({ ...base, eval: { png: 'yes' } }, 'x.yaml', reg)).toThrow(/eval\.png/);
  });
  it('eval.png asks for raster plots (default off)', () => {
    expect(parseMergeConfig({ ...base, eval: {} }, 'x.yaml', reg).eval?.png).toBe(false);
    expect(parseMergeConfig({ ...base, eval: { png: true } }, 'x.yaml', reg).eval?.png).toBe(true);
  });
});

describe('non-finite guard and a sharded merge', () => {
  it('assertFinite names the parameter and the index', () => {
    const p = new Map([['w', fromHost(Float32Array.from([1, Number.POSITIVE_INFINITY]), [2])]]);
    expect(() => assertFinite(p, 'merged model')).toThrow(/merged model: parameter 'w' has a non-finite value \(Infinity\) at flat index 1; nothing was written/);
  });
  it('runMergeJob shards model.safetensors above --max-shard-size and the result loads back', async () => {
    const dir = tmp();
    const a = tinyModel(path.join(dir, 'a'), 1);
    const b = tinyModel(path.join(dir, 'b'), 2);
    const cfg = parseMergeConfig({ models: [{ path: a }, { path: b }], anchor: 1, output: path.join(dir, 'out') }, 'test', buildRegistry());
    const r = await runMergeJob(cfg, { registry: buildRegistry(), console: createConsole({ quiet: true }), command: 'merge', force: false, backend: 'cpu', maxShardSize: '8KB' });
    const files = fs.readdirSync(r.output);
    expect(files).toContain('model.safetensors.index.json');
    expect(files.filter((f) => /^model-\d+-of-\d+\.safetensors$/.test(f)).length).toBeGreaterThan(1);
    const merged = loadModelDir(r.output);
    // Anchor is models[1]: the simple mean is symmetric, so check it against both inputs.
    const pa = loadModelDir(a).params;
    const pb = loadModelDir(b).params;
    for (const [name, t] of merged.params) {
      const x = t.dataSync();
      const ya = pa.get(name)!.dataSync();
      const yb = pb.get(name)!.dataSync();
      for (let i = 0; i < x.length; i++) expect(x[i]).toBeCloseTo((ya[i] + yb[i]) / 2, 6);
    }
    expect(r.report.models[0].path).toBe(b);
    expect(r.report.evaluation).toBeUndefined();
  });
});
