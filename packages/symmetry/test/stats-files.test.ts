/**
 * Statistics files (any collector's bundle as safetensors): exact round trips of random bundles, and
 * refusals that leave no file behind. Oracle for the format: the raw safetensors reader.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSafetensors, writeSafetensors } from '@symfuse/models';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStatsBundle, saveStatsBundle, STATS_FILE_FORMAT, type StatEntry, type StatsBundle } from '../src/index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'symfuse-stats-files-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
const entry = fc
  .array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 })
  .chain((shape) => fc.float64Array({ minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1), noNaN: true, noDefaultInfinity: true }).map((data): StatEntry => ({ shape, data })));
const metaKey = fc.stringMatching(/^[a-z][a-z0-9_.]{0,11}$/).filter((k) => !['format', 'kind', 'numeric_keys'].includes(k));
const bundle = fc.record({
  kind: fc.constantFrom('gram', 'fisher', 'custom'),
  meta: fc.dictionary(metaKey, fc.oneof(finite, fc.string({ maxLength: 12 })), { maxKeys: 5 }),
  entries: fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9.]{0,15}$/), entry), { selector: ([k]) => k, maxLength: 4 }).map((xs) => new Map(xs)),
});

let counter = 0;
const fresh = () => path.join(dir, `b${counter++}.safetensors`);

describe('saveStatsBundle / loadStatsBundle', () => {
  it('round-trip any bundle exactly: kind, entries (F64 bit for bit) and meta with its types', () => {
    fc.assert(
      fc.property(bundle, (b: StatsBundle) => {
        const file = fresh();
        saveStatsBundle(file, b);
        const raw = openSafetensors(file);
        expect(raw.metadata.format).toBe(STATS_FILE_FORMAT);
        expect(raw.metadata.kind).toBe(b.kind);
        raw.close();
        const back = loadStatsBundle(file, { kind: b.kind });
        expect(back.kind).toBe(b.kind);
        // -0 is written as "0" in the string metadata: compare numbers by value.
        expect(Object.keys(back.meta).sort()).toEqual(Object.keys(b.meta).sort());
        for (const [k, v] of Object.entries(b.meta)) {
          expect(typeof back.meta[k]).toBe(typeof v);
          if (typeof v === 'number') expect(back.meta[k] === v).toBe(true);
          else expect(back.meta[k]).toBe(v);
        }
        expect([...back.entries.keys()].sort()).toEqual([...b.entries.keys()].sort());
        for (const [name, e] of b.entries) {
          const got = back.entries.get(name)!;
          expect(got.shape).toEqual(e.shape);
          expect(got.data).toBeInstanceOf(Float64Array);
          expect(Buffer.from(got.data.buffer, got.data.byteOffset, got.data.byteLength).equals(Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength))).toBe(true);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('never writes a bad bundle and never overwrites an existing file unless asked', () => {
    const file = path.join(dir, 'bad.safetensors');
    const bad = { kind: 'gram', meta: {}, entries: new Map([['w', { shape: [2, 2], data: new Float64Array([1, Number.NaN, 0, 1]) }]]) };
    expect(() => saveStatsBundle(file, bad)).toThrow(/entry 'w' has a non-finite value \(NaN\) at flat index 1/);
    const short = { kind: 'gram', meta: {}, entries: new Map([['w', { shape: [2, 2], data: new Float64Array(3) }]]) };
    expect(() => saveStatsBundle(file, short)).toThrow(/entry 'w' has 3 values for shape \[2, 2\]/);
    expect(() => saveStatsBundle(file, { kind: 'gram', meta: { format: 'x' }, entries: new Map() })).toThrow(/meta key 'format' is reserved/);
    expect(() => saveStatsBundle(file, { kind: 'gram', meta: { tokens: Number.POSITIVE_INFINITY }, entries: new Map() })).toThrow(/meta 'tokens' is Infinity/);
    expect(() => saveStatsBundle(file, { kind: '', meta: {}, entries: new Map() })).toThrow(/the bundle has no kind/);
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

  it('refuses a safetensors file that is not a statistics file, and reads F32 entries as f64', () => {
    const plain = path.join(dir, 'plain.safetensors');
    writeSafetensors(plain, new Map([['w', { dtype: 'F32', shape: [2], data: Float32Array.of(0.5, -1.25) }]]));
    expect(() => loadStatsBundle(plain)).toThrow(/not a symfuse statistics file \(metadata format = undefined; expected 'symfuse-stats\/1'\)/);
    const f32 = path.join(dir, 'f32.safetensors');
    writeSafetensors(f32, new Map([['w', { dtype: 'F32', shape: [2], data: Float32Array.of(0.5, -1.25) }]]), {
      metadata: { format: STATS_FILE_FORMAT, kind: 'fisher', numeric_keys: '[]' },
    });
    const back = loadStatsBundle(f32, { kind: 'fisher' });
    expect(back.entries.get('w')!.data).toEqual(Float64Array.of(0.5, -1.25));
  });
});
