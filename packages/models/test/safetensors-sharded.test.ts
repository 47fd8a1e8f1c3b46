import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { openSafetensors } from '../src/io/reader.js';
import { SafetensorsError } from '../src/io/safetensors-error.js';
import { openCheckpoint, parseByteSize, writeShardedSafetensors } from '../src/io/sharded.js';
import { writeSafetensors, type TensorToWrite } from '../src/io/writer.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'symfuse-shard-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let dirCount = 0;
const freshDir = (): string => path.join(tmp, `d${dirCount++}`);

const f32 = (n: number, start = 0): TensorToWrite => ({ dtype: 'F32', shape: [n], data: Float32Array.from({ length: n }, (_, i) => start + i) });

describe('sharded checkpoints', () => {
  it('round-trips through shards for random sizes and limits; every shard respects the limit', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 4, max: 100 }), (sizes, limit) => {
        const dir = freshDir();
        const tensors = new Map(sizes.map((n, i) => [`layer.${i}.weight`, f32(n, 100 * i)]));
        const result = writeShardedSafetensors(dir, tensors, { maxShardSize: limit, metadata: { format: 'pt' } });
        expect(result.totalSize).toBe(4 * sizes.reduce((a, b) => a + b, 0));
        for (const f of result.files) {
          const r = openSafetensors(path.join(dir, f));
          const bytes = r.keys().reduce((a, k) => a + r.info(k).byteLength, 0);
          // Over the limit only when a single tensor is itself larger than the limit.
          if (bytes > limit) expect(r.keys().length).toBe(1);
          r.close();
        }
        expect(result.index === undefined).toBe(result.files.length === 1);
        const r = openCheckpoint(dir);
        try {
          expect(r.keys().sort()).toEqual([...tensors.keys()].sort());
          expect(r.metadata.format).toBe('pt');
          for (const [k, t] of tensors) expect(r.read(k).data).toEqual(t.data);
        } finally {
          r.close();
        }
      }),
      { numRuns: 40 },
    );
  });

  it('writes HF names and the index, and openCheckpoint accepts the dir, the index or a shard', () => {
    const dir = freshDir();
    const tensors = { a: f32(10), b: f32(10, 10), c: f32(10, 20) };
    const result = writeShardedSafetensors(dir, tensors, { maxShardSize: '80B' });
    expect(result.files).toEqual(['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
    expect(result.index).toBe('model.safetensors.index.json');
    const index = JSON.parse(fs.readFileSync(path.join(dir, 'model.safetensors.index.json'), 'utf8'));
    expect(index).toEqual({
      metadata: { total_size: 120 },
      weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00001-of-00002.safetensors', c: 'model-00002-of-00002.safetensors' },
    });
    for (const p of [dir, path.join(dir, 'model.safetensors.index.json')]) {
      const r = openCheckpoint(p);
      expect(r.keys()).toEqual(['a', 'b', 'c']);
      expect(Array.from(r.read('c').data as Float32Array).slice(0, 2)).toEqual([20, 21]);
      r.close();
      expect(() => r.read('a')).toThrow(/reader is closed/);
    }
    const shard = openCheckpoint(path.join(dir, 'model-00002-of-00002.safetensors'));
    expect(shard.keys()).toEqual(['c']);
    shard.close();
  });

  it('replaces an earlier save: stale shards and a stale single file are removed', () => {
    const dir = freshDir();
    writeShardedSafetensors(dir, { a: f32(10), b: f32(10), c: f32(10) }, { maxShardSize: 40 });
    expect(fs.readdirSync(dir).sort()).toEqual([
      'model-00001-of-00003.safetensors',
      'model-00002-of-00003.safetensors',
      'model-00003-of-00003.safetensors',
      'model.safetensors.index.json',
    ]);
    fs.writeFileSync(path.join(dir, 'config.json'), '{}');
    writeShardedSafetensors(dir, { x: f32(1) }, { maxShardSize: 40 });
    expect(fs.readdirSync(dir).sort()).toEqual(['config.json', 'model.safetensors']);
    writeShardedSafetensors(dir, { a: f32(10), b: f32(10) }, { maxShardSize: 40 });
    expect(fs.readdirSync(dir).sort()).toEqual(['config.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'model.safetensors.index.json']);
    const r = openCheckpoint(dir);
    expect(r.keys()).toEqual(['a', 'b']);
    r.close();
  });

  it('validates input before writing anything', () => {
    const dir = freshDir();
    expect(() => writeShardedSafetensors(dir, { a: f32(2), b: { dtype: 'F32', shape: [3], data: [1] } }, { maxShardSize: 4 })).toThrow(/tensor "b": data has 1 elements/);
    expect(fs.existsSync(dir)).toBe(false);
    expect(() => writeShardedSafetensors(dir, { a: f32(2) }, { maxShardSize: 0 })).toThrow(/max shard size 0 is not a positive byte count/);
  });

  it('parses byte sizes like huggingface_hub (decimal) and binary units', () => {
    expect(parseByteSize('5GB')).toBe(5e9);
    expect(parseByteSize('500MB')).toBe(5e8);
    expect(parseByteSize('2GiB')).toBe(2 * 2 ** 30);
    expect(parseByteSize('1.5KB')).toBe(1500);
    expect(parseByteSize(1024)).toBe(1024);
    expect(() => parseByteSize('lots')).toThrow(SafetensorsError);
  });

  it('rejects bad indexes naming the problem', () => {
    const dir = freshDir();
    fs.mkdirSync(dir);
    writeSafetensors(path.join(dir, 'part.safetensors'), { a: f32(2) });
    const write = (index: unknown): string => {
      fs.writeFileSync(path.join(dir, 'model.safetensors.index.json'), typeof index === 'string' ? index : JSON.stringify(index));
      try {
        openCheckpoint(dir).close();
      } catch (e) {
        expect(e).toBeInstanceOf(SafetensorsError);
        return (e as Error).message;
      }
      throw new Error('expected an error');
    };
    expect(write('{oops')).toMatch(/index is not valid JSON/);
    expect(write({ metadata: {} })).toMatch(/weight_map is missing; expected an object/);
    expect(write({ weight_map: { a: '../elsewhere.safetensors' } })).toMatch(/tensor "a": weight_map value "..\/elsewhere.safetensors" is not a plain file name/);
    expect(write({ weight_map: { b: 'part.safetensors' } })).toMatch(/tensor "b": weight_map says it is in part.safetensors, but that shard has no such tensor/);
    expect(write('{"weight_map":{"a":"part.safetensors","a":"part.safetensors"}}')).toMatch(/tensor "a": tensor appears twice in weight_map/);
    expect(() => {
      fs.writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: { a: 'missing.safetensors' } }));
      openCheckpoint(dir);
    }).toThrow(/ENOENT/);
  });

  it('names what it looked for in a directory without a checkpoint', () => {
    const dir = freshDir();
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'config.json'), '{}');
    expect(() => openCheckpoint(dir)).toThrow(/no model.safetensors or model.safetensors.index.json in the directory \(found: config.json\)/);
  });
});
