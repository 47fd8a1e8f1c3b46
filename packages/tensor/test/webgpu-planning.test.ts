/**
 * The WebGPU backend's host-side planning logic — buffer buckets, dispatch splitting, chunked
 * bindings, uniform packing, pipeline keys. Pure functions: these run on every machine, GPU or not.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_VARIANTS_PER_PROGRAM,
  UniformLayout,
  bucketSize,
  defineUniforms,
  foldWorkgroups,
  planBindingChunks,
  planDispatch,
  programCacheKey,
} from '../src/backends/webgpu/index.js';

describe('bucketSize', () => {
  it('rounds up to a multiple of 256 with at most 25% waste beyond 1 KiB', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 33 }), (bytes) => {
        const b = bucketSize(bytes);
        expect(b).toBeGreaterThanOrEqual(bytes);
        expect(b % 256).toBe(0);
        if (bytes > 1024) expect(b).toBeLessThanOrEqual(bytes * 1.25 + 256);
      }),
    );
  });

  it('is monotone and has few distinct values per octave', () => {
    const seen = new Set<number>();
    for (let b = 4097; b <= 8192; b += 4) seen.add(bucketSize(b));
    expect(seen.size).toBeLessThanOrEqual(4);
    fc.assert(fc.property(fc.nat(2 ** 30), fc.nat(2 ** 30), (a, b) => (a <= b ? bucketSize(a) <= bucketSize(b) : bucketSize(a) >= bucketSize(b))));
  });

  it('rejects non-sizes', () => {
    expect(() => bucketSize(-1)).toThrow(/not a byte count/);
    expect(() => bucketSize(Number.NaN)).toThrow(/not a byte count/);
  });
});

describe('foldWorkgroups', () => {
  it('covers the linear count with every dimension within the limit and overshoot < x·y', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 300 }).chain((max) => fc.tuple(fc.constant(max), fc.integer({ min: 0, max: max ** 3 }))), ([max, total]) => {
        const [x, y, z] = foldWorkgroups('t', total, max);
        expect(x).toBeLessThanOrEqual(max);
        expect(y).toBeLessThanOrEqual(max);
        expect(z).toBeLessThanOrEqual(max);
        expect(x * y * z).toBeGreaterThanOrEqual(total);
        if (total > 0) expect(x * y * z - total).toBeLessThan(x * y);
      }),
    );
  });

  it('leaves counts within the limit alone and names the op past max³', () => {
    expect(foldWorkgroups('t', 65535)).toEqual([65535, 1, 1]);
    expect(foldWorkgroups('t', 65536)).toEqual([32768, 2, 1]);
    expect(() => foldWorkgroups('relu', 10 ** 3 + 1, 10)).toThrow(/relu: 1001 workgroups exceed 10³/);
  });
});

describe('planDispatch', () => {
  it('partitions the grid exactly: every workgroup appears once, parts within the limit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 20 })),
        (max, counts) => {
          const parts = planDispatch('t', counts, max);
          const [cx, cy, cz] = counts;
          const hits = new Uint8Array(cx * cy * cz);
          let outside = 0;
          let oversized = 0;
          for (const p of parts) {
            for (const c of p.count) if (c > max) oversized++;
            for (let z = p.offset[2]; z < p.offset[2] + p.count[2]; z++)
              for (let y = p.offset[1]; y < p.offset[1] + p.count[1]; y++)
                for (let x = p.offset[0]; x < p.offset[0] + p.count[0]; x++) {
                  if (x >= cx || y >= cy || z >= cz) outside++;
                  else hits[x + cx * (y + cy * z)]++;
                }
          }
          expect(oversized).toBe(0);
          expect(outside).toBe(0);
          expect(hits.every((h) => h === 1)).toBe(true);
        },
      ),
    );
  });

  it('is a single zero-offset part when nothing exceeds the limit', () => {
    expect(planDispatch('t', [12, 3, 1])).toEqual([{ offset: [0, 0, 0], count: [12, 3, 1] }]);
    expect(planDispatch('t', [70000, 1, 1])).toEqual([
      { offset: [0, 0, 0], count: [65535, 1, 1] },
      { offset: [65535, 0, 0], count: [4465, 1, 1] },
    ]);
  });

  it('rejects fractional or negative counts naming the op', () => {
    expect(() => planDispatch('matmul', [1.5, 1, 1])).toThrow(/matmul: x workgroup count 1.5/);
    expect(() => planDispatch('matmul', [1, -1, 1])).toThrow(/matmul: y workgroup count -1/);
  });
});

describe('planBindingChunks', () => {
  it('covers every element once with aligned, bounded chunks of whole units', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5000 }),
        fc.constantFrom(4, 8),
        fc.integer({ min: 1, max: 40 }),
        fc.constantFrom(16, 64, 256),
        fc.integer({ min: 1, max: 12 }),
        (elements, bpe, granularity, align, kib) => {
          const maxBindingBytes = kib * 1024;
          let chunks;
          try {
            chunks = planBindingChunks('t', { elements, bytesPerElement: bpe, maxBindingBytes, offsetAlignment: align, granularity });
          } catch (e) {
            // Only legitimate when one aligned unit does not fit.
            expect(String(e)).toMatch(/cannot bind in chunks/);
            return;
          }
          let next = 0;
          for (const [i, c] of chunks.entries()) {
            expect(c.elementOffset).toBe(next);
            expect(c.byteOffset).toBe(c.elementOffset * bpe);
            expect(c.byteOffset % align).toBe(0);
            expect(c.byteSize).toBeLessThanOrEqual(Math.max(maxBindingBytes, 4));
            expect(c.byteSize % 4).toBe(0);
            expect(c.byteSize).toBeGreaterThanOrEqual(c.elementCount * bpe);
            if (chunks.length > 1 && i < chunks.length - 1) expect(c.elementCount % granularity).toBe(0);
            next += c.elementCount;
          }
          expect(next).toBe(elements);
        },
      ),
    );
  });

  it('splits a 200 MiB f32 tensor into 128 MiB row blocks', () => {
    const rows = 51200;
    const cols = 1024; // 4 KiB rows, 200 MiB in all
    const chunks = planBindingChunks('big', { elements: rows * cols, bytesPerElement: 4, maxBindingBytes: 128 * 2 ** 20, offsetAlignment: 256, granularity: cols });
    expect(chunks.map((c) => c.elementCount / cols)).toEqual([32768, 18432]);
    expect(chunks[1].byteOffset).toBe(128 * 2 ** 20);
  });

  it('names the op when one unit cannot fit a binding', () => {
    expect(() => planBindingChunks('gather', { elements: 100, bytesPerElement: 4, maxBindingBytes: 256, offsetAlignment: 256, granularity: 100 })).toThrow(
      /gather: cannot bind in chunks: a unit of 100 elements/,
    );
  });
});

describe('UniformLayout', () => {
  it('generates the WGSL struct its packing matches (size rounded to 16)', () => {
    const layout = defineUniforms({ m: 'u32', n: 'u32', alpha: 'f32', shift: 'i32', k: 'u32' });
    expect(layout.byteSize).toBe(32);
    expect(layout.wgsl('Params')).toBe('struct Params {\n  m: u32,\n  n: u32,\n  alpha: f32,\n  shift: i32,\n  k: u32,\n}');
    const view = new DataView(new ArrayBuffer(64));
    layout.pack('t', { m: 7, n: 2 ** 32 - 1, alpha: 0.5, shift: -3, k: 0 }, view, 16);
    expect(view.getUint32(16, true)).toBe(7);
    expect(view.getUint32(20, true)).toBe(2 ** 32 - 1);
    expect(view.getFloat32(24, true)).toBe(0.5);
    expect(view.getInt32(28, true)).toBe(-3);
    expect(view.getUint32(32, true)).toBe(0);
  });

  it('round-trips random values through pack', () => {
    const layout = defineUniforms({ a: 'u32', b: 'i32', c: 'f32' });
    fc.assert(
      fc.property(fc.nat(2 ** 32 - 1), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.float({ noNaN: true }), (a, b, c) => {
        const view = new DataView(new ArrayBuffer(16));
        layout.pack('t', { a, b, c }, view, 0);
        expect(view.getUint32(0, true)).toBe(a);
        expect(view.getInt32(4, true)).toBe(b);
        expect(view.getFloat32(8, true)).toBe(Math.fround(c));
      }),
    );
  });

  it('rejects values that do not fit, naming the op and field', () => {
    const layout = defineUniforms({ n: 'u32', s: 'i32' });
    const view = new DataView(new ArrayBuffer(16));
    expect(() => layout.pack('softmax', { n: -1, s: 0 }, view, 0)).toThrow(/softmax: uniform 'n' = -1 is not a u32/);
    expect(() => layout.pack('softmax', { n: 1.5, s: 0 }, view, 0)).toThrow(/'n' = 1.5 is not a u32/);
    expect(() => layout.pack('softmax', { n: 1, s: 2 ** 31 }, view, 0)).toThrow(/'s' = 2147483648 is not an i32/);
    expect(() => layout.pack('softmax', { n: 1 } as never, view, 0)).toThrow(/softmax: uniform field 's' is missing; expected n, s/);
  });

  it('puts the workgroup-offset fields first and defaults them to 0', () => {
    const layout = defineUniforms({ n: 'u32' }, { workgroupOffset: true });
    expect(layout.hasWorkgroupOffset).toBe(true);
    expect(layout.fields.map((f) => f[0])).toEqual(['wg_offset_x', 'wg_offset_y', 'wg_offset_z', 'n']);
    const view = new DataView(new ArrayBuffer(16));
    view.setUint32(0, 99, true);
    layout.pack('t', { n: 5 }, view, 0);
    expect([view.getUint32(0, true), view.getUint32(12, true)]).toEqual([0, 5]);
    expect(defineUniforms({ n: 'u32' }).hasWorkgroupOffset).toBe(false);
  });

  it('rejects bad field names and duplicates', () => {
    expect(() => new UniformLayout([['1x', 'u32']])).toThrow(/not a WGSL identifier/);
    expect(() => new UniformLayout([['a', 'u32'], ['a', 'f32']])).toThrow(/duplicate field 'a'/);
    expect(() => new UniformLayout([])).toThrow(/at least one field/);
  });
});

describe('programCacheKey', () => {
  const base = { name: 'matmul', key: 'f32', bindings: ['read', 'read', 'read_write'] as const, wgsl: () => '' };
  it('depends on name, key, constants and entry point but not on constant order', () => {
    const k1 = programCacheKey({ ...base, constants: { TILE: 64, BOUNDS: true } });
    const k2 = programCacheKey({ ...base, constants: { BOUNDS: true, TILE: 64 } });
    expect(k1).toBe(k2);
    expect(programCacheKey({ ...base, constants: { TILE: 32, BOUNDS: true } })).not.toBe(k1);
    expect(programCacheKey({ ...base, key: 'f16', constants: { TILE: 64, BOUNDS: true } })).not.toBe(k1);
    expect(programCacheKey({ ...base, entryPoint: 'other', constants: { TILE: 64, BOUNDS: true } })).not.toBe(k1);
  });
  it('guards against shape-dependent keys with a variant cap', () => {
    expect(MAX_VARIANTS_PER_PROGRAM).toBeGreaterThanOrEqual(16);
  });
});
