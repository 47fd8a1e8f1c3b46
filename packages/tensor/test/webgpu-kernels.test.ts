/**
 * WebGPU kernel behaviour the shared conformance suites do not reach: f64 rejection, erf/GELU
 * accuracy over a dense grid, device limits (bindings over 128 MiB split into chunks, more than
 * 65,535 workgroups folded), deep batch broadcasting, deterministic scatterAdd, shape-independent
 * pipeline caching, tuning overrides and backend selection. Compared with the CPU backend.
 */
import * as T from '@symfuse/tensor';
import { DTypeError, type Tensor, getBackend, initBackend } from '@symfuse/tensor';
import { TestRng } from '@symfuse/tensor/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { erf as erfF64, normalCdf } from '../src/backends/cpu/kernels/erf.js';
import { type WebGpuBackend, createWebGpuBackend, registerWebGpuBackend, selectBackend } from '../src/backends/webgpu/index.js';
import { gateWebGpu } from './webgpu-gate.js';

const adapter = await gateWebGpu('webgpu-kernels.test');

const cpu = getBackend('cpu');

/** Max |a − b| / (atol + rtol·|b|) over all elements (≤ 1 passes). */
function excess(a: ArrayLike<number>, b: ArrayLike<number>, rtol: number, atol: number): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (atol + rtol * Math.abs(b[i])));
  return worst;
}

describe.skipIf(!adapter)('WebGPU kernels beyond the conformance suites', () => {
  let gpu: WebGpuBackend;
  const made: Tensor[] = [];
  const on = (b: T.Backend, data: Float32Array | Int32Array | Float64Array, shape: readonly number[]): Tensor => {
    const dtype = data instanceof Int32Array ? 'i32' : data instanceof Float64Array ? 'f64' : 'f32';
    const t = T.tensor(data, shape, { backend: b, dtype });
    made.push(t);
    return t;
  };
  const keep = (t: Tensor): Tensor => {
    made.push(t);
    return t;
  };
  beforeAll(async () => {
    registerWebGpuBackend();
    gpu = (await initBackend('webgpu')) as WebGpuBackend;
  });
  afterAll(() => {
    for (const t of made) t.dispose();
  });

  it('rejects f64 operands with an error naming the op', () => {
    const x = on(gpu, new Float64Array([1, 2, 3, 4]), [2, 2]);
    const cases: [string, () => Tensor][] = [
      ['unary(exp)', () => T.exp(x)],
      ['binary(add)', () => T.add(x, x)],
      ['matmul', () => T.matmul(x, x)],
      ['cast', () => T.cast(x, 'f32')],
      ['transpose', () => T.transpose(x)],
      ['reduce(sum)', () => T.sum(x)],
      ['layerNorm', () => T.layerNorm(x, on(gpu, new Float64Array(2), [2]), on(gpu, new Float64Array(2), [2]))],
    ];
    for (const [op, run] of cases) {
      expect(run, op).toThrow(DTypeError);
      expect(run, op).toThrow(new RegExp(`^${op.replace(/[()]/g, '\\$&')}: f64 is not supported on the webgpu backend`));
    }
    expect(() => T.fill([2], 1, 'f64', gpu)).toThrow(/^fill: f64/);
  });

  it('erf is within 1e-6 of the f64 erf on a dense grid; GELU keeps relative accuracy in its tail', async () => {
    const n = 200_003;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = -7 + (14 * i) / (n - 1);
    const got = await keep(T.erf(on(gpu, x, [n]))).data();
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(got[i] - erfF64(x[i])));
    expect(worst).toBeLessThan(1e-6);
    // x·Φ(x) for x ∈ [−12, −3]: tiny values that a 1 + erf(x/√2) formulation would flush to 0.
    const tail = Float32Array.from({ length: 1001 }, (_, i) => -12 + (9 * i) / 1000);
    const g = await keep(T.gelu(on(gpu, tail, [1001]))).data();
    let rel = 0;
    for (let i = 0; i < tail.length; i++) {
      const want = tail[i] * normalCdf(tail[i]);
      if (Math.abs(want) > 1e-30) rel = Math.max(rel, Math.abs(g[i] - want) / Math.abs(want));
    }
    expect(rel).toBeLessThan(2e-5);
  });

  it('transcendentals stay finite at large |x| (no ∞/∞ in tanh, sigmoid, tanh-GELU)', async () => {
    const x = Float32Array.of(-100, -30, 30, 100);
    for (const f of [T.tanh, T.sigmoid, T.geluTanh, T.geluTanhGrad, T.gelu, T.geluGrad]) {
      const y = await keep(f(on(gpu, x, [4]))).data();
      const want = await f(on(cpu, x, [4])).data();
      expect(excess(y, want, 1e-6, 1e-6)).toBeLessThanOrEqual(1);
    }
  });

  it('folds more than 65,535 workgroups (softmax over 70,000 rows, sum of 70,000 rows)', async () => {
    const rows = 70_000;
    const x = new TestRng(3).normalF32(rows * 2);
    const s = await keep(T.softmax(on(gpu, x, [rows, 2]))).data();
    const sc = await T.softmax(on(cpu, x, [rows, 2])).data();
    expect(excess(s, sc, 1e-5, 1e-7)).toBeLessThanOrEqual(1);
    const r = await keep(T.sum(on(gpu, x, [rows, 2]), [1])).data();
    expect(excess(r, await T.sum(on(cpu, x, [rows, 2]), [1]).data(), 1e-6, 1e-6)).toBeLessThanOrEqual(1);
    expect(gpu.stats().batcher.dispatches).toBeGreaterThan(0);
  });

  it('splits operands over maxStorageBufferBindingSize: elementwise chunks, matmul row blocks', async () => {
    const limitElems = gpu.context.limits.maxStorageBufferBindingSize / 4;
    const n = limitElems + 40_000;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = (i % 1013) / 100 - 5;
    const big = on(gpu, x, [n]);
    const before = gpu.stats().batcher.dispatches;
    const y = await keep(T.affine(big, 2, 1)).data();
    expect(gpu.stats().batcher.dispatches - before).toBeGreaterThan(1);
    for (const i of [0, 1, limitElems - 1, limitElems, limitElems + 1, n - 1]) expect(y[i]).toBe(Math.fround(2 * x[i] + 1));
    big.dispose();
    // A [m, 1024] just over the limit, B small: row blocks at aligned offsets.
    const k = 1024;
    const m = Math.ceil(limitElems / k) + 8;
    const b = new TestRng(7).uniformF32(k * 4);
    const c = await keep(T.matmul(on(gpu, x.subarray(0, m * k), [m, k]), on(gpu, b, [k, 4]))).data();
    for (const r0 of [0, Math.floor(m / 2) - 3, m - 4]) {
      const want = await T.matmul(on(cpu, x.slice(r0 * k, (r0 + 4) * k), [4, k]), on(cpu, b, [k, 4])).data();
      expect(excess(c.subarray(r0 * 4, (r0 + 4) * 4), want, 2e-5, 1e-4), `rows ${r0}..${r0 + 3}`).toBeLessThanOrEqual(1);
    }
  });

  it('batched matmul with more than three non-mergeable batch dimensions (host-looped dispatches)', async () => {
    const rng = new TestRng(5);
    const sa = [2, 1, 3, 1, 5, 8];
    const sb = [1, 2, 1, 3, 8, 6];
    const a = rng.uniformF32(sa.reduce((p, d) => p * d));
    const b = rng.uniformF32(sb.reduce((p, d) => p * d));
    for (const [ta, tb] of [[false, false], [false, true], [true, false]] as const) {
      const A = ta ? [...sa.slice(0, -2), sa[5], sa[4]] : sa;
      const B = tb ? [...sb.slice(0, -2), sb[5], sb[4]] : sb;
      const g = await keep(T.matmul(on(gpu, a, A), on(gpu, b, B), { transA: ta, transB: tb })).data();
      const c = await T.matmul(on(cpu, a, A), on(cpu, b, B), { transA: ta, transB: tb }).data();
      expect(excess(g, c, 1e-5, 1e-6), `transA=${ta} transB=${tb}`).toBeLessThanOrEqual(1);
    }
  });

  it('attention at a model-sized head (dk = 32: blocked key loop) with padding, vs the CPU', async () => {
    const rng = new TestRng(15);
    const shape = [2, 2, 37, 32];
    const size = shape.reduce((p, d) => p * d);
    const [q, k, v] = [rng.normalF32(size), rng.normalF32(size), rng.normalF32(size)];
    const mask = Float32Array.from({ length: 2 * 37 }, (_, i) => (i < 37 ? (i < 30 ? 1 : 0) : i % 4 === 0 ? 0 : 1));
    for (const m of [undefined, mask]) {
      const run = (b: T.Backend): Tensor => T.attention(on(b, q, shape), on(b, k, shape), on(b, v, shape), m && on(b, m, [2, 37]), 0.3);
      const got = await keep(run(gpu)).data();
      expect(excess(got, await run(cpu).data(), 1e-4, 1e-5), m ? 'masked' : 'unmasked').toBeLessThanOrEqual(1);
    }
  });

  it('scatterAdd is deterministic, sums heavy duplicates across placement blocks, skips out-of-range indices', async () => {
    const rng = new TestRng(9);
    const count = 1000;
    const idx = rng.ints(count, -1, 7); // −1 and 7 are out of range for size 7
    const upd = rng.normalF32(count * 3);
    const run = async (): Promise<Float32Array> => (await keep(T.scatterAdd(on(gpu, idx, [count]), on(gpu, upd, [count, 3]), 0, 7)).data()) as Float32Array;
    const first = await run();
    const second = await run();
    expect(Array.from(second)).toEqual(Array.from(first));
    const want = new Float64Array(21);
    for (let j = 0; j < count; j++) if (idx[j] >= 0 && idx[j] < 7) for (let c = 0; c < 3; c++) want[idx[j] * 3 + c] += upd[j * 3 + c];
    expect(excess(first, want, 1e-5, 1e-5)).toBeLessThanOrEqual(1);
  });

  it('compiles one pipeline per compile-time variant, not per shape', async () => {
    const rng = new TestRng(11);
    const run = async (m: number, k: number, n: number): Promise<void> => {
      await keep(T.matmul(on(gpu, rng.uniformF32(m * k), [m, k]), on(gpu, rng.uniformF32(k * n), [k, n]))).data();
      await keep(T.layerNorm(on(gpu, rng.uniformF32(m * k), [m, k]), on(gpu, rng.uniformF32(k), [k]), on(gpu, rng.uniformF32(k), [k]), 1e-5)).data();
    };
    await run(8, 12, 16);
    const before = gpu.stats().pipelines.compiles;
    await run(20, 36, 44);
    await run(64, 100, 128);
    expect(gpu.stats().pipelines.compiles).toBe(before);
  });

  it('honours tuning overrides: row kernels at 256 threads, the tiled matmul', async () => {
    const other = await createWebGpuBackend({ rowThreads: 256, matmul: 'tiled' });
    try {
      expect(other.tuning).toEqual({ rowThreads: 256, matmul: 'tiled' });
      const rng = new TestRng(13);
      const x = rng.normalF32(5 * 700, 2, 3);
      const g = rng.normalF32(700);
      const b = rng.normalF32(700);
      const want = await T.layerNorm(on(cpu, x, [5, 700]), on(cpu, g, [700]), on(cpu, b, [700]), 1e-5).data();
      const got = await keep(T.layerNorm(on(other, x, [5, 700]), on(other, g, [700]), on(other, b, [700]), 1e-5)).data();
      expect(excess(got, want, 1e-4, 1e-5)).toBeLessThanOrEqual(1);
      const sm = await keep(T.softmax(on(other, x, [5, 700]))).data();
      expect(excess(sm, await T.softmax(on(cpu, x, [5, 700])).data(), 1e-5, 1e-7)).toBeLessThanOrEqual(1);
    } finally {
      for (const t of made.splice(0)) t.dispose();
      other.dispose();
    }
    await expect(createWebGpuBackend({ rowThreads: 48 })).rejects.toThrow(/rowThreads 48 must be a power of two/);
  });

  it('selectBackend: WebGPU when an adapter exists, the CPU when asked', async () => {
    expect((await selectBackend()).name).toBe('webgpu');
    expect(await selectBackend()).toBe(await initBackend('webgpu'));
    expect((await selectBackend({ prefer: 'cpu' })).name).toBe('cpu');
    expect((await selectBackend({ prefer: 'webgpu' })).name).toBe('webgpu');
  });
});
