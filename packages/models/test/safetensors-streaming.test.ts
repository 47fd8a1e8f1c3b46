/**
 * The tensor-at-a-time safetensors writers: a file written in any order of tensors has the bytes of
 * the whole-map writer and reads back with the package's readers; the header is validated before any
 * file exists; a tensor that does not fill its declared size exactly is refused; and nothing appears
 * at the target until every tensor has been written (temporary file + rename).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { SafetensorsDtype } from '../src/io/dtypes.js';
import { openSafetensors } from '../src/io/reader.js';
import { SafetensorsError } from '../src/io/safetensors-error.js';
import { openCheckpoint, writeShardedSafetensors } from '../src/io/sharded.js';
import { StreamingCheckpointWriter } from '../src/io/streaming-checkpoint.js';
import { StreamingSafetensorsWriter } from '../src/io/streaming-writer.js';
import { type TensorEntry, type TensorToWrite, writeSafetensors } from '../src/io/writer.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'symfuse-stream-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let fileNo = 0;
/** A fresh directory per case, so leftover checks see only that case's files. */
function caseDir(): string {
  const d = path.join(tmp, `case-${fileNo++}`);
  fs.mkdirSync(d);
  return d;
}

const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** A tensor of a dtype whose values round-trip exactly. */
const tensorArb: fc.Arbitrary<TensorToWrite> = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }).chain((shape) => {
  const len = { minLength: count(shape), maxLength: count(shape) };
  const of = (dtype: SafetensorsDtype) => (data: TensorToWrite['data']): TensorToWrite => ({ dtype, shape, data });
  return fc.oneof(
    fc.float32Array({ ...len, noNaN: true }).map(of('F32')),
    fc.float64Array({ ...len, noNaN: true }).map(of('F64')),
    fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), len).map((v) => of('I32')(Int32Array.from(v))),
    fc.array(fc.integer({ min: 0, max: 65535 }), len).map((v) => of('BF16')(Uint16Array.from(v))),
    fc.array(fc.integer({ min: 0, max: 255 }), len).map((v) => of('U8')(Uint8Array.from(v))),
  );
});

const fileArb = fc
  .uniqueArray(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }).filter((s) => s !== '__metadata__'), { minLength: 1, maxLength: 7 })
  .chain((names) =>
    fc.record({
      names: fc.constant(names),
      tensors: fc.array(tensorArb, { minLength: names.length, maxLength: names.length }),
      // The order the tensors are produced in (a permutation of the names).
      order: fc.shuffledSubarray(names, { minLength: names.length, maxLength: names.length }),
      metadata: fc.option(fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }), { nil: undefined }),
    }),
  );

const entriesOf = (names: readonly string[], tensors: readonly TensorToWrite[]): TensorEntry[] => names.map((name, i) => ({ name, dtype: tensors[i].dtype, shape: tensors[i].shape }));

describe('StreamingSafetensorsWriter', () => {
  it('in any write order, produces the bytes of writeSafetensors, and the reader reads every tensor back', () => {
    fc.assert(
      fc.property(fileArb, ({ names, tensors, order, metadata }) => {
        const dir = caseDir();
        const target = path.join(dir, 'streamed.safetensors');
        const w = new StreamingSafetensorsWriter(target, entriesOf(names, tensors), { metadata });
        for (const name of order) {
          expect(fs.existsSync(target)).toBe(false);
          w.write(name, tensors[names.indexOf(name)].data);
        }
        expect(w.pending()).toEqual([]);
        w.close();
        expect(fs.readdirSync(dir)).toEqual(['streamed.safetensors']);
        const whole = path.join(dir, 'whole.safetensors');
        writeSafetensors(whole, new Map(names.map((n, i) => [n, tensors[i]])), { metadata });
        expect(fs.readFileSync(target).equals(fs.readFileSync(whole))).toBe(true);
        expect(fs.statSync(target).size).toBe(w.totalBytes);
        const r = openSafetensors(target);
        try {
          expect(new Set(r.keys())).toEqual(new Set(names));
          names.forEach((n, i) => {
            const t = tensors[i];
            expect(r.info(n)).toMatchObject({ dtype: t.dtype, shape: t.shape });
            const got = t.dtype === 'BF16' ? new Uint16Array(r.readBytes(n).buffer) : r.read(n).data;
            expect(Array.from(got as ArrayLike<number>)).toEqual(Array.from(t.data as ArrayLike<number>));
          });
        } finally {
          r.close();
        }
      }),
      { numRuns: 40 },
    );
  });

  it('validates the header before creating anything: dtype, shape, reserved and duplicate names, metadata', () => {
    const dir = caseDir();
    const target = path.join(dir, 'm.safetensors');
    const bad: [TensorEntry[], Record<string, string> | undefined, RegExp][] = [
      [[{ name: 'a', dtype: 'F31' as SafetensorsDtype, shape: [2] }], undefined, /dtype "F31" is not supported/],
      [[{ name: 'a', dtype: 'F32', shape: [2, -1] }], undefined, /shape\[1\] is -1/],
      [[{ name: 'a', dtype: 'F32', shape: [1.5] }], undefined, /shape\[0\] is 1.5/],
      [[{ name: '__metadata__', dtype: 'F32', shape: [1] }], undefined, /reserved/],
      [[{ name: 'a', dtype: 'F32', shape: [1] }, { name: 'a', dtype: 'F64', shape: [1] }], undefined, /"a": appears twice/],
      [[{ name: 'a', dtype: 'F32', shape: [1] }], { n: 3 as unknown as string }, /metadata\["n"\] is 3/],
    ];
    for (const [entries, metadata, message] of bad) {
      let err: unknown;
      try {
        new StreamingSafetensorsWriter(target, entries, { metadata });
      } catch (e) {
        err = e;
      }
      expect(err, String(message)).toBeInstanceOf(SafetensorsError);
      expect((err as Error).message).toMatch(message);
      expect(fs.readdirSync(dir)).toEqual([]);
    }
  });

  it('refuses values that do not fill the declared size exactly, unknown names and second writes', () => {
    const dir = caseDir();
    const target = path.join(dir, 'm.safetensors');
    const w = new StreamingSafetensorsWriter(target, [
      { name: 'a', dtype: 'F32', shape: [2, 3] },
      { name: 'b', dtype: 'F32', shape: [4] },
    ]);
    expect(() => w.write('a', new Float32Array(7))).toThrow(/"a".*got 7 values; the header declares shape \[2, 3\] = 6 F32 values/);
    expect(() => w.write('a', new Float32Array(5))).toThrow(/got 5 values/);
    expect(() => w.write('c', new Float32Array(1))).toThrow(/"c".*not among the 2 tensors planned/);
    w.write('a', Float32Array.from([1, 2, 3, 4, 5, 6]));
    expect(() => w.write('a', new Float32Array(6))).toThrow(/already written/);
    w.write('b', Float32Array.from([7, 8, 9, 10]));
    w.close();
    expect(() => w.write('b', new Float32Array(4))).toThrow(/writer is closed/);
    // The refused writes left nothing behind: 'b' follows 'a' intact.
    const r = openSafetensors(target);
    expect(Array.from(r.read('a').data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(r.read('b').data as Float32Array)).toEqual([7, 8, 9, 10]);
    r.close();
  });

  it('leaves nothing at the target (and an existing file untouched) when a tensor is missing or the write is aborted', () => {
    const dir = caseDir();
    const target = path.join(dir, 'm.safetensors');
    fs.writeFileSync(target, 'old contents');
    const entries: TensorEntry[] = [
      { name: 'a', dtype: 'F32', shape: [3] },
      { name: 'b', dtype: 'I32', shape: [2] },
    ];
    const w1 = new StreamingSafetensorsWriter(target, entries);
    w1.write('a', Float32Array.from([1, 2, 3]));
    expect(() => w1.close()).toThrow(/"b".*never written \(1 of 2 planned tensors missing\)/);
    expect(fs.readdirSync(dir)).toEqual(['m.safetensors']);
    expect(fs.readFileSync(target, 'utf8')).toBe('old contents');

    const w2 = new StreamingSafetensorsWriter(target, entries);
    w2.write('b', Int32Array.from([4, 5]));
    w2.abort();
    w2.abort();
    expect(() => w2.write('a', new Float32Array(3))).toThrow(/writer is aborted/);
    expect(fs.readdirSync(dir)).toEqual(['m.safetensors']);
    expect(fs.readFileSync(target, 'utf8')).toBe('old contents');

    // A complete write replaces it in one rename.
    const w3 = new StreamingSafetensorsWriter(target, entries);
    w3.write('b', Int32Array.from([4, 5]));
    w3.write('a', Float32Array.from([1, 2, 3]));
    w3.close();
    w3.abort(); // no-op after close
    expect(fs.readdirSync(dir)).toEqual(['m.safetensors']);
    const r = openSafetensors(target);
    expect(Array.from(r.read('b').data as Int32Array)).toEqual([4, 5]);
    r.close();
  });
});

describe('StreamingCheckpointWriter', () => {
  const tensors = new Map<string, TensorToWrite>([
    ['emb', { dtype: 'F32', shape: [10, 4], data: Float32Array.from({ length: 40 }, (_, i) => i / 3) }],
    ['l0.w', { dtype: 'F32', shape: [4, 4], data: Float32Array.from({ length: 16 }, (_, i) => -i) }],
    ['l0.b', { dtype: 'F32', shape: [4], data: Float32Array.of(1, 2, 3, 4) }],
    ['l1.w', { dtype: 'F32', shape: [4, 4], data: Float32Array.from({ length: 16 }, (_, i) => i * i) }],
    ['head', { dtype: 'I32', shape: [3], data: Int32Array.of(7, 8, 9) }],
  ]);
  const entries = [...tensors].map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape }));

  for (const maxShardSize of [100, 10_000]) {
    it(`writes the files writeShardedSafetensors writes (max shard ${maxShardSize} bytes), in reverse order of tensors`, () => {
      const streamed = caseDir();
      const whole = caseDir();
      fs.writeFileSync(path.join(streamed, 'model-00001-of-00009.safetensors'), 'stale');
      const w = new StreamingCheckpointWriter(streamed, entries, { maxShardSize, metadata: { format: 'pt' } });
      for (const [name, t] of [...tensors].reverse()) w.write(name, t.data);
      w.close();
      const ref = writeShardedSafetensors(whole, tensors, { maxShardSize, metadata: { format: 'pt' } });
      expect(w.result).toEqual(ref);
      expect(fs.readdirSync(streamed).sort()).toEqual(fs.readdirSync(whole).sort());
      for (const f of fs.readdirSync(whole)) expect(fs.readFileSync(path.join(streamed, f)).equals(fs.readFileSync(path.join(whole, f))), f).toBe(true);
      const r = openCheckpoint(streamed);
      expect(Array.from(r.read('l1.w').data as Float32Array)).toEqual(Array.from(tensors.get('l1.w')!.data as Float32Array));
      r.close();
    });
  }

  it('writes no shard when a tensor is missing at close', () => {
    const dir = caseDir();
    const w = new StreamingCheckpointWriter(dir, entries, { maxShardSize: 100 });
    for (const [name, t] of tensors) if (name !== 'l0.b') w.write(name, t.data);
    expect(() => w.close()).toThrow(/"l0.b".*never written/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
