/**
 * WebGPU backend infrastructure on a real adapter (Mesa lavapipe in CI): transfers, pooling,
 * batching, uniforms, dispatch splitting, chunked bindings, error reporting, device loss.
 * Skips — with one line saying why — where `requestAdapter()` returns null.
 */
import { TestRng } from '@symfuse/tensor/testing';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  GpuDeviceLostError,
  GpuProgramError,
  type GpuProgram,
  WGSL_LINEAR_WORKGROUP,
  WGSL_WORKGROUP_OFFSET,
  WebGpuBackend,
  type WebGpuStorage,
  defineUniforms,
  isLavapipe,
  writeBytes,
} from '../src/backends/webgpu/index.js';
import { gateWebGpu } from './webgpu-gate.js';

const adapter = await gateWebGpu('webgpu-backend.test');

const AFFINE = defineUniforms({ n: 'u32', scale: 'f32', shift: 'f32' });

/** y[i] = x[i]·scale + shift over a folded 1-D dispatch of 64-wide workgroups. */
const affineProgram: GpuProgram = {
  name: 'test-affine',
  key: 'f32',
  bindings: ['read', 'read_write', 'uniform'],
  wgsl: () => /* wgsl */ `
${AFFINE.wgsl()}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> u: Uniforms;
${WGSL_LINEAR_WORKGROUP}
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = linear_workgroup(wid, nwg) * 64u + li;
  if (i >= u.n) { return; }
  y[i] = x[i] * u.scale + u.shift;
}`,
};

const COUNT = defineUniforms({ n: 'u32' });

/** In place: y[i] += 1 (tests ordering of dependent dispatches inside one pass). */
const incrementProgram: GpuProgram = {
  name: 'test-increment',
  key: 'f32',
  bindings: ['read_write', 'uniform'],
  wgsl: () => /* wgsl */ `
${COUNT.wgsl()}
@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<uniform> u: Uniforms;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3u) {
  if (g.x >= u.n) { return; }
  y[g.x] = y[g.x] + 1.0;
}`,
};

const GRID = defineUniforms({ nx: 'u32' }, { workgroupOffset: true });

/** One invocation per workgroup writes its global x id: checks offset-split dispatches. */
const gridProgram: GpuProgram = {
  name: 'test-grid',
  key: 'i32',
  bindings: ['read_write', 'uniform'],
  wgsl: () => /* wgsl */ `
${GRID.wgsl()}
@group(0) @binding(0) var<storage, read_write> out: array<i32>;
@group(0) @binding(1) var<uniform> u: Uniforms;
${WGSL_WORKGROUP_OFFSET}
@compute @workgroup_size(1)
fn main(@builtin(workgroup_id) wid: vec3u) {
  let g = global_workgroup(wid);
  if (g.x >= u.nx) { return; }
  out[g.x] = i32(g.x) + 1;
}`,
};

function randomF32(rng: TestRng, n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.nextU32() / 2 ** 31 - 1;
  return a;
}

describe.skipIf(!adapter)('WebGPU backend (infrastructure)', () => {
  let gpu: WebGpuBackend;
  beforeAll(async () => {
    gpu = await WebGpuBackend.create();
  });
  afterAll(() => gpu?.dispose());

  function affine(x: WebGpuStorage, n: number, scale: number, shift: number): WebGpuStorage {
    const y = gpu.allocate('f32', n);
    gpu.dispatch({
      program: affineProgram,
      storage: [gpu.binding(x, 'affine'), gpu.binding(y, 'affine')],
      uniforms: { layout: AFFINE, values: { n, scale, shift } },
      workgroups: { linear: Math.ceil(n / 64) },
      sizes: `[${n}]`,
    });
    return y;
  }

  it('describes the adapter and was granted the adapter-maximal limits', () => {
    expect(gpu.describe()).toMatch(/^WebGPU \(dawn\.node\): /);
    expect(gpu.context.robustness).toBe(true); // Dawn's default is kept unless asked
    expect(gpu.context.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 2 ** 20);
    expect(gpu.context.limits.maxComputeInvocationsPerWorkgroup).toBeGreaterThanOrEqual(256);
    expect(gpu.context.limits.maxBufferSize).toBeGreaterThanOrEqual(256 * 2 ** 20);
  });

  it('round-trips f32, i32 and f64 data of awkward sizes exactly', async () => {
    const rng = new TestRng(1);
    for (const n of [0, 1, 7, 63, 65, 257, 4099]) {
      const f = randomF32(rng, n);
      const i = Int32Array.from({ length: n }, () => (rng.nextU32() | 0));
      const d = Float64Array.from({ length: n }, () => rng.nextU32() / 3 - 1e9);
      const sf = gpu.upload(f, 'f32');
      const si = gpu.upload(i, 'i32');
      const sd = gpu.upload(d, 'f64');
      expect(await gpu.read(sf)).toEqual(f);
      expect(await gpu.read(si)).toEqual(i);
      expect(await gpu.read(sd)).toEqual(d);
      for (const s of [sf, si, sd]) gpu.release(s);
    }
  });

  it('runs a kernel with uniforms for awkward sizes', async () => {
    const rng = new TestRng(2);
    for (const n of [1, 7, 63, 64, 65, 257, 10_001]) {
      const x = randomF32(rng, n);
      const sx = gpu.upload(x, 'f32');
      const sy = affine(sx, n, 3, -0.5);
      const y = await gpu.read(sy);
      for (let k = 0; k < n; k++) expect(y[k]).toBe(Math.fround(Math.fround(x[k] * 3) - 0.5));
      gpu.release(sx);
      gpu.release(sy);
    }
  });

  it('reuses released buffers of the same bucket', async () => {
    const before = gpu.stats().storage;
    for (let r = 0; r < 5; r++) {
      const s = gpu.allocate('f32', 1000);
      gpu.release(s);
    }
    const after = gpu.stats().storage;
    expect(after.created - before.created).toBeLessThanOrEqual(1);
    expect(after.reused - before.reused).toBeGreaterThanOrEqual(4);
    expect(after.liveBuffers).toBe(before.liveBuffers);
  });

  it('keeps dependent dispatches in order and batches them into few submits', async () => {
    const n = 1000;
    const s = gpu.upload(new Float32Array(n), 'f32');
    const before = gpu.stats().batcher;
    for (let r = 0; r < 200; r++) {
      gpu.dispatch({ program: incrementProgram, storage: [gpu.binding(s, 'inc')], uniforms: { layout: COUNT, values: { n } }, workgroups: Math.ceil(n / 64) });
    }
    const y = await gpu.read(s);
    const after = gpu.stats().batcher;
    expect(y.every((v) => v === 200)).toBe(true);
    expect(after.dispatches - before.dispatches).toBe(200);
    // 64 dispatches per submit by default: 200 dispatches + the read's copy → at most 4 submits.
    expect(after.submits - before.submits).toBeLessThanOrEqual(4);
    gpu.release(s);
  });

  it('never lets an upload overwrite a released buffer that queued work still reads', async () => {
    const n = 4096;
    const x = new Float32Array(n).fill(2);
    const sx = gpu.upload(x, 'f32');
    const sy = affine(sx, n, 1, 0); // queued, not submitted: reads sx later
    gpu.release(sx);
    const other = gpu.upload(new Float32Array(n).fill(-7), 'f32'); // same bucket as sx
    const y = await gpu.read(sy);
    expect(y.every((v) => v === 2)).toBe(true);
    expect(Array.from(await gpu.read(other)).every((v) => v === -7)).toBe(true);
    gpu.release(sy);
    gpu.release(other);
  });

  it('spills a full uniform arena into another submit without mixing values', async () => {
    // A 1 KiB arena holds at most 64 blocks (16-byte alignment) — fewer at 256: 300 distinct blocks spill.
    const small = await WebGpuBackend.create({ uniformArenaBytes: 1024, maxDispatchesPerBatch: 10_000 });
    try {
      const n = 64;
      const sx = small.upload(new Float32Array(n).fill(1), 'f32');
      const outs: WebGpuStorage[] = [];
      for (let r = 0; r < 300; r++) {
        const y = small.allocate('f32', n);
        small.dispatch({
          program: affineProgram,
          storage: [small.binding(sx, 'affine'), small.binding(y, 'affine')],
          uniforms: { layout: AFFINE, values: { n, scale: r, shift: 0.25 } },
          workgroups: { linear: 1 },
        });
        outs.push(y);
      }
      expect(small.stats().batcher.submits).toBeGreaterThanOrEqual(4); // arena overflows only
      const reads = await Promise.all(outs.map((o) => small.read(o)));
      reads.forEach((y, r) => expect(y[n - 1]).toBe(Math.fround(r + 0.25)));
    } finally {
      small.dispose();
    }
  });

  it('folds a 1-D dispatch over 65,535 workgroups', async () => {
    const n = 65_600 * 64; // 65,600 workgroups
    const x = new Float32Array(n);
    for (let k = 0; k < n; k++) x[k] = k % 1000;
    const sx = gpu.upload(x, 'f32');
    const before = gpu.stats().batcher.splitDispatches;
    const sy = affine(sx, n, 2, 1);
    const y = await gpu.read(sy);
    expect(gpu.stats().batcher.splitDispatches).toBe(before + 1);
    let bad = 0;
    for (let k = 0; k < n; k++) if (y[k] !== (k % 1000) * 2 + 1) bad++;
    expect(bad).toBe(0);
    gpu.release(sx);
    gpu.release(sy);
  });

  it('splits an N-D dispatch over 65,535 workgroups by workgroup offset', async () => {
    const nx = 70_001;
    const s = gpu.upload(new Int32Array(nx), 'i32');
    gpu.dispatch({ program: gridProgram, storage: [gpu.binding(s, 'grid')], uniforms: { layout: GRID, values: { nx } }, workgroups: [nx, 1, 1] });
    const out = await gpu.read(s);
    let bad = 0;
    for (let k = 0; k < nx; k++) if (out[k] !== k + 1) bad++;
    expect(bad).toBe(0);
    gpu.release(s);
  });

  it('refuses an oversized dispatch whose program cannot be split, naming it', () => {
    const s = gpu.allocate('f32', 64);
    expect(() =>
      gpu.dispatch({ program: incrementProgram, storage: [gpu.binding(s, 'inc')], uniforms: { layout: COUNT, values: { n: 64 } }, workgroups: [70_000, 1, 1], sizes: '[64]' }),
    ).toThrow(/test-increment: dispatch of \[70000, 1, 1\] workgroups exceeds maxComputeWorkgroupsPerDimension 65535/);
    gpu.release(s);
  });

  it('binds a tensor larger than maxStorageBufferBindingSize in row chunks', async () => {
    const maxBinding = gpu.context.limits.maxStorageBufferBindingSize;
    const cols = 1000;
    const rows = Math.floor(maxBinding / 4 / cols) + 300; // just over one binding
    const n = rows * cols;
    if (n * 4 > gpu.context.limits.maxBufferSize) return; // adapter allows huge bindings: nothing to chunk
    const x = new Float32Array(n);
    for (let k = 0; k < n; k += 997) x[k] = k;
    const sx = gpu.upload(x, 'f32');
    const sy = gpu.allocate('f32', n);
    const cx = gpu.chunks(sx, 'affine', cols);
    const cy = gpu.chunks(sy, 'affine', cols);
    expect(cx.length).toBe(2);
    cx.forEach((c, i) => {
      gpu.dispatch({
        program: affineProgram,
        storage: [c.binding, cy[i].binding],
        uniforms: { layout: AFFINE, values: { n: c.elementCount, scale: 1, shift: 1 } },
        workgroups: { linear: Math.ceil(c.elementCount / 64) },
        sizes: `[chunk ${i}: ${c.elementCount}]`,
      });
    });
    const y = await gpu.read(sy);
    let bad = 0;
    for (let k = 0; k < n; k++) if (y[k] !== Math.fround(x[k] + 1)) bad++;
    expect(bad).toBe(0);
    gpu.release(sx);
    gpu.release(sy);
  }, 60_000);

  it('reports a WGSL compile error naming the program and line, then throws at once for that key', async () => {
    const broken: GpuProgram = {
      name: 'test-broken',
      key: 'f32',
      bindings: ['read_write'],
      wgsl: () => '@group(0) @binding(0) var<storage, read_write> y: array<f32>;\n@compute @workgroup_size(1) fn main() { y[0] = undefined_thing; }',
    };
    const s = gpu.allocate('f32', 4);
    gpu.dispatch({ program: broken, storage: [gpu.binding(s, 'broken')], workgroups: 1 });
    const err = await gpu.sync().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GpuProgramError);
    expect(String((err as Error).message)).toMatch(/program 'test-broken' \(key 'f32'\) failed to compile/);
    expect(String((err as Error).message)).toMatch(/wgsl 2:\d+: .*undefined_thing/);
    expect(() => gpu.dispatch({ program: broken, storage: [gpu.binding(s, 'broken')], workgroups: 1 })).toThrow(/test-broken.*failed to compile/);
    await gpu.sync(); // errors were consumed: the backend is usable again
    gpu.release(s);
  });

  it('reports a validation error with the label of the dispatch that caused it', async () => {
    const s = gpu.allocate('f32', 64);
    // A read_write binding that overlaps a read binding of the same buffer is invalid.
    gpu.dispatch({
      program: affineProgram,
      storage: [gpu.binding(s, 'alias'), gpu.binding(s, 'alias')],
      uniforms: { layout: AFFINE, values: { n: 64, scale: 1, shift: 0 } },
      workgroups: { linear: 1 },
      sizes: '[aliased 64]',
    });
    const err = await gpu.sync().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GpuProgramError);
    expect((err as GpuProgramError).programs).toContain('test-affine[aliased 64]');
    expect((err as Error).message).toMatch(/while running: test-affine\[aliased 64\]/);
    await gpu.sync();
    gpu.release(s);
  });

  it('checks the resource count against the program', () => {
    const s = gpu.allocate('f32', 4);
    expect(() => gpu.dispatch({ program: affineProgram, storage: [gpu.binding(s, 'x')], uniforms: { layout: AFFINE, values: { n: 4, scale: 1, shift: 0 } }, workgroups: 1 })).toThrow(
      /test-affine: got 1 storage resources; the program binds 2/,
    );
    expect(() => gpu.dispatch({ program: incrementProgram, storage: [gpu.binding(s, 'x')], workgroups: 1 })).toThrow(/has a uniform binding but no uniforms/);
    gpu.release(s);
  });

  it('caches pipelines by compile-time key only', async () => {
    const before = gpu.stats().pipelines;
    const sx = gpu.upload(new Float32Array(100), 'f32');
    for (const n of [10, 50, 100]) gpu.release(affine(sx, n, 1, 0));
    await gpu.sync();
    const after = gpu.stats().pipelines;
    expect(after.compiles).toBe(before.compiles);
    expect(after.hits - before.hits).toBe(3);
    gpu.release(sx);
  });

  it('keeps out-of-bounds accesses harmless on lavapipe without Dawn robustness (robustness: auto)', async (ctx) => {
    if (!adapter || !isLavapipe(adapter)) ctx.skip();
    const gpu = await WebGpuBackend.create({ robustness: 'auto' });
    onTestFinished(() => gpu.dispose());
    expect(gpu.context.robustness).toBe(false);
    expect(gpu.describe()).toMatch(/no robustness pass/);
    const oob: GpuProgram = {
      name: 'test-oob',
      key: 'f32',
      bindings: ['read_write', 'read_write'],
      wgsl: () => /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<storage, read_write> probe: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3u) {
  // Deliberately unchecked: 128 invocations on a 100-element binding, plus far reads.
  probe[g.x % 4u] = y[g.x * 1000003u + 50000000u];
  y[g.x] = 9.0;
  y[g.x * 7919u + 1000000u] = 3.0;
}`,
    };
    const y = gpu.allocate('f32', 100); // its pooled buffer holds 128 floats
    expect(y.buffer.size).toBe(512);
    writeBytes(gpu.context.device, y.buffer, 0, new Float32Array(128).fill(5));
    const probe = gpu.upload(new Float32Array([1, 1, 1, 1]), 'f32');
    gpu.dispatch({ program: oob, storage: [gpu.binding(y, 'oob'), gpu.binding(probe, 'oob')], workgroups: 2 });
    const raw = new Float32Array(await gpu.readBuffer(y.buffer, 0, 512));
    expect(Array.from(raw.subarray(0, 100)).every((v) => v === 9)).toBe(true);
    expect(Array.from(raw.subarray(100)).every((v) => v === 5)).toBe(true); // writes past the binding dropped
    expect(Array.from(await gpu.read(probe))).toEqual([0, 0, 0, 0]); // reads past it return 0
    gpu.release(y);
    gpu.release(probe);
  });

  it('restores the global setImmediate after a throttled wait', async () => {
    const original = globalThis.setImmediate;
    const s = gpu.upload(new Float32Array([1, 2, 3]), 'f32');
    const pending = gpu.read(s);
    expect(globalThis.setImmediate).not.toBe(original); // throttled while waiting
    expect(Array.from(await pending)).toEqual([1, 2, 3]);
    expect(globalThis.setImmediate).toBe(original);
    // setImmediate/clearImmediate still behave during a wait.
    const p2 = gpu.read(s);
    let ran = false;
    const h = setImmediate(() => (ran = true));
    clearImmediate(h);
    await new Promise<void>((r) => setImmediate(r));
    await p2;
    expect(ran).toBe(false);
    gpu.release(s);
  });
});

describe.skipIf(!adapter)('WebGPU backend (device loss)', () => {
  it('reports the loss once, recreates the device and refuses storages of the lost one', async () => {
    const gpu = await WebGpuBackend.create();
    try {
      const old = gpu.upload(new Float32Array([1, 2, 3]), 'f32');
      expect(gpu.stats().deviceGeneration).toBe(1);
      gpu.context.device.destroy(); // simulate a loss from outside the backend
      await new Promise((r) => setTimeout(r, 20));
      expect(gpu.context.isLost).toBe(true);
      expect(() => gpu.allocate('f32', 4)).toThrow(GpuDeviceLostError);
      await expect(gpu.sync()).rejects.toThrow(/device was lost and has been recreated/);
      expect(gpu.stats().deviceGeneration).toBe(2);
      await expect(gpu.read(old)).rejects.toThrow(/lived on a GPU device that was lost/);
      const fresh = gpu.upload(new Float32Array([4, 5]), 'f32');
      expect(Array.from(await gpu.read(fresh))).toEqual([4, 5]);
    } finally {
      gpu.dispose();
    }
  });
});
