/**
 * Cross-checks against files written by the reference implementation (Python `safetensors` 0.8.0,
 * Rust core, with numpy/ml_dtypes, and huggingface_hub's shard splitter). The fixtures are committed;
 * regenerate them with `packages/models/scripts/safetensors_reference.py fixtures` (see its docstring).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSafetensors, readSafetensorsBuffer } from '../src/io/reader.js';
import { SafetensorsError } from '../src/io/safetensors-error.js';
import { openCheckpoint, writeShardedSafetensors } from '../src/io/sharded.js';
import { serializeSafetensors, type TensorToWrite } from '../src/io/writer.js';
import type { SafetensorsDtype } from '../src/io/dtypes.js';

const dir = path.join(import.meta.dirname, 'fixtures', 'safetensors');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'symfuse-stref-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

type Expected = { dtype: SafetensorsDtype; shape: number[]; values: (number | string)[] };
const readJson = <T>(name: string): T => JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as T;
const num = (v: number | string): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Number(v));

describe('files written by the reference implementation', () => {
  it('reads every dtype with the values numpy/ml_dtypes decode', () => {
    const expected = readJson<{ metadata: Record<string, string>; tensors: Record<string, Expected> }>('reference.expected.json');
    const r = openSafetensors(path.join(dir, 'reference.safetensors'));
    try {
      expect({ ...r.metadata }).toEqual(expected.metadata);
      expect(r.keys().sort()).toEqual(Object.keys(expected.tensors).sort());
      for (const [name, t] of Object.entries(expected.tensors)) {
        const got = r.read(name);
        expect(got.dtype, name).toBe(t.dtype);
        expect(got.shape, name).toEqual(t.shape);
        const values = Array.from(got.data as ArrayLike<number | bigint>);
        if (t.dtype === 'I64' || t.dtype === 'U64') expect(values.map(String), name).toEqual(t.values);
        else expect(values, name).toEqual(t.values.map(num));
      }
      // I64 token ids through the checked conversions.
      expect(() => r.read('i64.ids', { int64: 'int32' })).toThrow(/element 2 is 1099511627776/);
      expect(() => r.read('i64.ids', { int64: 'float64' })).toThrow(/element 4 is 4611686018427387904/);
    } finally {
      r.close();
    }
  });

  it('our writer produces byte-identical output for the same tensors', () => {
    const ref = new Uint8Array(fs.readFileSync(path.join(dir, 'byte-exact.safetensors')));
    const r = readSafetensorsBuffer(ref);
    const tensors = new Map<string, TensorToWrite>(r.keys().map((k) => [k, { dtype: r.info(k).dtype, shape: r.info(k).shape, data: r.read(k).data }]));
    // F16 data goes back as raw bits, so the rounding path is not involved here.
    const half = tensors.get('c.half')!;
    tensors.set('c.half', { ...half, data: new Uint16Array(r.readBytes('c.half').buffer) });
    const ours = serializeSafetensors(tensors, { metadata: { ...r.metadata } });
    expect(Buffer.from(ours).equals(Buffer.from(ref))).toBe(true);
  });

  it('rejects every malformed file the reference rejects, with a SafetensorsError naming the file', () => {
    const report = readJson<Record<string, { reference_accepts: boolean }>>('malformed/report.json');
    expect(Object.keys(report).length).toBeGreaterThanOrEqual(18);
    for (const [name, { reference_accepts }] of Object.entries(report)) {
      expect(reference_accepts, name).toBe(false);
      const file = path.join(dir, 'malformed', `${name}.safetensors`);
      let err: unknown;
      try {
        openSafetensors(file).close();
      } catch (e) {
        err = e;
      }
      expect(err, name).toBeInstanceOf(SafetensorsError);
      expect((err as Error).message, name).toContain(file);
    }
  });

  it('reads a sharded checkpoint split by huggingface_hub, and splits the same way', () => {
    const expected = readJson<{ max_shard_size: number; order: string[]; filename_to_tensors: Record<string, string[]>; values: Record<string, number[]> }>(
      'sharded.expected.json',
    );
    const r = openCheckpoint(path.join(dir, 'sharded'));
    try {
      expect(r.files.map((f) => path.basename(f))).toEqual(Object.keys(expected.filename_to_tensors).sort());
      expect(r.keys().sort()).toEqual([...expected.order].sort());
      for (const [name, values] of Object.entries(expected.values)) expect(Array.from(r.read(name).data as Float32Array)).toEqual(values);
    } finally {
      r.close();
    }
    // Our writer, given the same tensors in the same order and limit, must choose the same shards.
    const tensors = new Map<string, TensorToWrite>(expected.order.map((k) => [k, { dtype: 'F32', shape: [expected.values[k].length], data: expected.values[k] }]));
    const out = path.join(tmp, 'sharded');
    const result = writeShardedSafetensors(out, tensors, { maxShardSize: expected.max_shard_size });
    const groups = Object.fromEntries(result.files.map((f) => [f, openSafetensors(path.join(out, f))]));
    try {
      expect(Object.keys(groups)).toEqual(Object.keys(expected.filename_to_tensors));
      for (const [f, names] of Object.entries(expected.filename_to_tensors)) expect(groups[f].keys().sort()).toEqual([...names].sort());
    } finally {
      for (const g of Object.values(groups)) g.close();
    }
    const refIndex = JSON.parse(fs.readFileSync(path.join(dir, 'sharded', 'model.safetensors.index.json'), 'utf8'));
    expect(JSON.parse(fs.readFileSync(path.join(out, 'model.safetensors.index.json'), 'utf8'))).toEqual(refIndex);
  });
});
