/**
 * WebGPU kernels on tensors larger than `maxStorageBufferBindingSize`, made testable at small sizes:
 * the backends here see the limit lowered to a few KiB (`limitsForTesting`), the storage offset
 * alignment raised to 256 bytes (the WebGPU default; lavapipe allows 16) and at most 8 or 16
 * workgroups per dimension (so dispatch splitting and folding run too). Every kernel that chunks is
 * compared with the CPU backend at awkward sizes, and every dispatch is checked to bind no more than
 * the lowered limit. The shared conformance suites run once more on such a backend.
 */
import * as T from '@symfuse/tensor';
import { ShapeError, type Tensor, ValueError, getBackend } from '@symfuse/tensor';
import { TestRng, describeConformance } from '@symfuse/tensor/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DispatchRequest, type WebGpuBackend, createWebGpuBackend } from '../src/backends/webgpu/index.js';
import { gateWebGpu } from './webgpu-gate.js';

const adapter = await gateWebGpu('webgpu-chunking.test');

const cpu = getBackend('cpu');
/** Lowered binding limit: 1024 f32 elements (956 usable per window after alignment). */
const LIMIT = 4096;
const ALIGN = 256;

type Host = Float32Array | Int32Array;
/** Builds the op under test from host data; draw random data from `r` (seeded alike for both backends). */
type Build = (on: (data: Host, shape: readonly number[]) => Tensor, r: TestRng) => Tensor;

/** Max |a − b| / (atol + rtol·|b|) (≤ 1 passes); NaN only where both are NaN. */
function excess(a: ArrayLike<number>, b: ArrayLike<number>, rtol: number, atol: number): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(b[i]) || Number.isNaN(a[i])) {
      if (!(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return Infinity;
      continue;
    }
    if (a[i] !== b[i]) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (atol + rtol * Math.abs(b[i])));
  }
  return worst;
}

/** Binding sizes of a dispatch request. */
function bindingSizes(req: DispatchRequest): number[] {
  return req.storage.map((r) => ('buffer' in r ? (r.size ?? r.buffer.size - (r.offset ?? 0)) : r.size));
}

/** A backend with lowered limits whose every dispatch is checked against them. */
async function loweredBackend(options: { maxStorageBufferBindingSize: number; maxComputeWorkgroupsPerDimension: number; matmul?: 'register' | 'tiled' }) {
  const gpu = await createWebGpuBackend({
    matmul: options.matmul,
    limitsForTesting: {
      maxStorageBufferBindingSize: options.maxStorageBufferBindingSize,
      minStorageBufferOffsetAlignment: ALIGN,
      maxComputeWorkgroupsPerDimension: options.maxComputeWorkgroupsPerDimension,
    },
  });
  const counters = { dispatches: 0, widest: 0, misaligned: 0, programs: new Set<string>() };
  const dispatch = gpu.dispatch.bind(gpu);
  gpu.dispatch = (req: DispatchRequest): void => {
    counters.dispatches++;
    counters.programs.add(`${req.program.name}|${req.program.key}`);
    for (const s of bindingSizes(req)) counters.widest = Math.max(counters.widest, s);
    for (const r of req.storage) if ('buffer' in r && (r.offset ?? 0) % ALIGN !== 0) counters.misaligned++;
    dispatch(req);
  };
  return { gpu, counters };
}

describe.skipIf(!adapter)(`WebGPU kernels past maxStorageBufferBindingSize (lowered to ${LIMIT} bytes)`, () => {
  let gpu: WebGpuBackend;
  let tiled: WebGpuBackend;
  let counters: { dispatches: number; widest: number; misaligned: number; programs: Set<string> };
  let tiledCounters: typeof counters;
  beforeAll(async () => {
    ({ gpu, counters } = await loweredBackend({ maxStorageBufferBindingSize: LIMIT, maxComputeWorkgroupsPerDimension: 8 }));
    ({ gpu: tiled, counters: tiledCounters } = await loweredBackend({ maxStorageBufferBindingSize: LIMIT, maxComputeWorkgroupsPerDimension: 8, matmul: 'tiled' }));
  });
  afterAll(() => {
    gpu?.dispose();
    tiled?.dispose();
  });

  /**
   * Runs `build` on a lowered backend and on the CPU with the same host data and compares; checks
   * that the run needed more than one dispatch (it was chunked), that no binding exceeded the
   * lowered limit and that every binding offset was aligned.
   */
  async function same(what: string, build: Build, tol: { rtol: number; atol: number } | 'exact', on: WebGpuBackend = gpu): Promise<void> {
    const made: Tensor[] = [];
    const onBackend = (b: T.Backend) => (data: Host, shape: readonly number[]): Tensor => {
      const t = T.tensor(data, shape, { backend: b, dtype: data instanceof Int32Array ? 'i32' : 'f32' });
      made.push(t);
      return t;
    };
    const c = on === gpu ? counters : tiledCounters;
    const before = c.dispatches;
    const seed = ++cases;
    try {
      const g = build(onBackend(on), new TestRng(seed));
      made.push(g);
      const want = build(onBackend(cpu), new TestRng(seed));
      made.push(want);
      expect(g.shape, what).toEqual(want.shape);
      const got = await g.data();
      const ref = await want.data();
      expect(c.dispatches - before, `${what}: dispatches`).toBeGreaterThan(1);
      if (tol === 'exact') expect(Array.from(got), what).toEqual(Array.from(ref));
      else expect(excess(got, ref, tol.rtol, tol.atol), what).toBeLessThanOrEqual(1);
    } finally {
      for (const t of made) t.dispose();
    }
    expect(c.widest, `${what}: widest binding`).toBeLessThanOrEqual(LIMIT);
    expect(c.misaligned, `${what}: misaligned binding offsets`).toBe(0);
  }

  let cases = 100;
  const rng = new TestRng(11);
  const f32 = (n: number): Float32Array => rng.normalF32(n);
  const numel = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);
  const SUM = { rtol: 1e-5, atol: 1e-5 };

  it('sees the lowered limits; refuses to loosen them', async () => {
    expect(gpu.context.limits.maxStorageBufferBindingSize).toBe(LIMIT);
    expect(gpu.context.limits.minStorageBufferOffsetAlignment).toBe(ALIGN);
    expect(gpu.context.limits.maxComputeWorkgroupsPerDimension).toBe(8);
    expect(gpu.context.device.limits.maxStorageBufferBindingSize).toBeGreaterThan(LIMIT);
    await expect(createWebGpuBackend({ limitsForTesting: { maxStorageBufferBindingSize: 2 ** 40 } })).rejects.toThrow(ValueError);
  });

  it('gather: an embedding table over the limit, repeated ids, every axis, i32', async () => {
    const ids = Int32Array.from([0, 300, 5, 5, 299, 150, 0, ...rng.ints(40, 0, 300)]);
    await same('embedding [301, 7]', (on, r) => T.gather(on(r.normalF32(301 * 7), [301, 7]), on(ids, [ids.length])), 'exact');
    const many = rng.ints(230, 0, 39);
    await same('output over the limit [230, 9]', (on, r) => T.gather(on(r.normalF32(40 * 9), [40, 9]), on(many, [230])), 'exact');
    await same('axis 1 of [3, 200, 5]', (on, r) => T.gather(on(r.normalF32(3000), [3, 200, 5]), on(r.ints(41, 0, 199), [41]), 1), 'exact');
    await same('axis 2 of [4, 5, 97]', (on, r) => T.gather(on(r.normalF32(4 * 5 * 97), [4, 5, 97]), on(r.ints(31, 0, 96), [31]), 2), 'exact');
    await same('i32 table', (on, r) => T.gather(on(r.ints(257 * 5, -99, 99), [257, 5]), on(r.ints(33, 0, 256), [33])), 'exact');
  });

  it('gather and scatterAdd skip out-of-range ids across chunks (the CPU rejects them)', async () => {
    // gather: zero rows; scatterAdd: the update is dropped. Host oracles.
    const table = rng.normalF32(301 * 7);
    const ids = Int32Array.from([3, -1, 301, 300, 1000, 0, -7, 299]);
    const x = T.tensor(table, [301, 7], { backend: gpu });
    const i = T.tensor(ids, [ids.length], { backend: gpu, dtype: 'i32' });
    const g = T.gather(x, i);
    const want = new Float32Array(ids.length * 7);
    ids.forEach((id, j) => {
      if (id >= 0 && id < 301) want.set(table.subarray(id * 7, id * 7 + 7), j * 7);
    });
    expect(Array.from(await g.data())).toEqual(Array.from(want));
    const upd = rng.normalF32(ids.length * 150);
    const u = T.tensor(upd, [ids.length, 150], { backend: gpu });
    const s = T.scatterAdd(i, u, 0, 301);
    const sums = new Float32Array(301 * 150);
    ids.forEach((id, j) => {
      if (id >= 0 && id < 301) for (let c = 0; c < 150; c++) sums[id * 150 + c] += upd[j * 150 + c];
    });
    expect(Array.from(await s.data())).toEqual(Array.from(sums));
    for (const t of [x, i, g, u, s]) t.dispose();
  });

  it('scatterAdd: updates and output over the limit, axes 0 and 1, order-exact sums', async () => {
    const idx = rng.ints(400, 0, 60);
    await same('[400, 5] into 61', (on, r) => T.scatterAdd(on(idx, [400]), on(r.normalF32(2000), [400, 5]), 0, 61), { rtol: 1e-6, atol: 1e-6 });
    const wide = rng.ints(300, 0, 249);
    await same('[300, 5] into 250 (output over the limit)', (on, r) => T.scatterAdd(on(wide, [300]), on(r.normalF32(1500), [300, 5]), 0, 250), { rtol: 1e-6, atol: 1e-6 });
    await same('axis 1 of [3, 300, 2]', (on, r) => T.scatterAdd(on(r.ints(300, 0, 99), [300]), on(r.normalF32(1800), [3, 300, 2]), 1, 100), { rtol: 1e-6, atol: 1e-6 });
  });

  it('oneHot, fill, cast and unary ops over the limit', async () => {
    await same('oneHot [150] depth 13', (on, r) => T.oneHot(on(r.ints(150, -1, 13), [150]), 13), 'exact');
    await same('exp [3001]', (on, r) => T.exp(on(r.normalF32(3001), [3001])), { rtol: 1e-5, atol: 1e-6 });
    await same('cast [2999]', (on, r) => T.cast(on(r.normalF32(2999).map((v) => v * 1000), [2999]), 'i32'), 'exact');
    const x = f32(1);
    await same('fill [37, 81]', (on) => T.add(T.fill([37, 81], 2.5, 'f32', on(x, [1]).backend), on(x, [1])), 'exact');
  });

  it('transpose, slice, pad and concat in boxes', async () => {
    await same('transpose [301, 7]', (on, r) => T.transpose(on(r.normalF32(2107), [301, 7])), 'exact');
    await same('transpose [5, 12, 33] perm [2, 0, 1]', (on, r) => T.transpose(on(r.normalF32(5 * 12 * 33), [5, 12, 33]), [2, 0, 1]), 'exact');
    await same('i32 transpose [40, 50]', (on, r) => T.transpose(on(r.ints(2000, -9, 9), [40, 50])), 'exact');
    await same('slice [3, 200, 5]', (on, r) => T.slice(on(r.normalF32(3000), [3, 200, 5]), [1, 17, 2], [2, 150, 3]), 'exact');
    await same('pad [40, 30] into [45, 37]', (on, r) => T.pad(on(r.normalF32(1200), [40, 30]), [3, 4], [45, 37]), 'exact');
    await same('concat axis 0', (on, r) => T.concat([on(r.normalF32(1200), [300, 4]), on(r.normalF32(400), [100, 4])], 0), 'exact');
    await same('concat axis 1', (on, r) => T.concat([on(r.normalF32(1000), [50, 20]), on(r.normalF32(650), [50, 13])], 1), 'exact');
  });

  it('broadcasting binary ops in boxes (f32 and i32)', async () => {
    await same('[60, 33] + [33]', (on, r) => T.add(on(r.normalF32(1980), [60, 33]), on(r.normalF32(33), [33])), 'exact');
    await same('[60, 1] * [1, 33]', (on, r) => T.mul(on(r.normalF32(60), [60, 1]), on(r.normalF32(33), [1, 33])), 'exact');
    await same('[3, 40, 20] - [40, 1]', (on, r) => T.sub(on(r.normalF32(2400), [3, 40, 20]), on(r.normalF32(40), [40, 1])), 'exact');
    await same('[20, 1, 50] max [1, 30, 1]', (on, r) => T.maximum(on(r.normalF32(1000), [20, 1, 50]), on(r.normalF32(30), [1, 30, 1])), 'exact');
    await same('[7] / [300, 7]', (on, r) => T.div(on(r.normalF32(7), [7]), on(r.normalF32(2100), [300, 7])), { rtol: 1e-6, atol: 0 });
    await same('i32 [50, 40] + [40]', (on, r) => T.add(on(r.ints(2000, -50, 50), [50, 40]), on(r.ints(40, -5, 5), [40])), 'exact');
  });

  it('reductions: row blocks, two-pass rows, column blocks, re-laid-out axes', async () => {
    const x = f32(300 * 7);
    for (const [name, f] of [['sum', T.sum], ['mean', T.mean], ['max', T.max], ['min', T.min]] as const) {
      const tol = name === 'sum' || name === 'mean' ? SUM : 'exact';
      await same(`${name} [300, 7] axis 1`, (on) => f(on(x, [300, 7]), [1]), tol);
      await same(`${name} [300, 7] axis 0`, (on) => f(on(x, [300, 7]), [0]), tol);
      await same(`${name} [3, 500, 5] axis 1`, (on, r) => f(on(r.normalF32(7500), [3, 500, 5]), [1], true), tol);
    }
    const ones = new Float32Array(4100).fill(1);
    ones[0] = 2 ** 24;
    await same('sum of one row of 4100 (2²⁴ + ones)', (on) => T.sum(on(ones, [4100])), SUM);
    await same('mean [20, 70] axis 1 (workgroup rows)', (on, r) => T.mean(on(r.normalF32(1400), [20, 70]), [1]), SUM);
    await same('sum [2, 3, 400] axes [0, 2]', (on, r) => T.sum(on(r.normalF32(2400), [2, 3, 400]), [0, 2]), SUM);
    await same('max [3, 600] axis 0 (columns wider than half a window)', (on, r) => T.max(on(r.normalF32(1800), [3, 600]), [0]), 'exact');
    await same('i32 sum [400, 6] axis 0', (on, r) => T.sum(on(r.ints(2400, -100, 100), [400, 6]), [0]), 'exact');
  });

  it('argmax: blocks of rows joined in order, ties and NaN as on the CPU', async () => {
    const x = f32(300 * 7);
    x[0] = Number.NaN; // column 0: a leading NaN wins
    x[136 * 7 + 1] = Number.NaN; // column 1: NaN at the start of the second block
    x[5 * 7 + 2] = 50;
    x[200 * 7 + 2] = 50; // column 2: a tie across blocks, the first wins
    await same('argmax [300, 7] axis 0', (on) => T.argmax(on(x, [300, 7]), 0), 'exact');
    await same('argmax [300, 7] axis 1', (on) => T.argmax(on(x, [300, 7]), 1), 'exact');
    await same('argmax [3, 600] axis 0 (re-laid out)', (on, r) => T.argmax(on(r.normalF32(1800), [3, 600]), 0), 'exact');
    await same('argmax [2, 400, 3] axis 1', (on, r) => T.argmax(on(r.normalF32(2400), [2, 400, 3]), 1), 'exact');
    await same('i32 argmax [500, 4] axis 0', (on, r) => T.argmax(on(r.ints(2000, -3, 3), [500, 4]), 0), 'exact');
  });

  it('softmax, logSoftmax and layerNorm in row blocks at odd row lengths', async () => {
    for (const shape of [[40, 57], [9, 257]] as const) {
      const x = rng.normalF32(numel(shape), 0, 4);
      await same(`softmax [${shape}]`, (on) => T.softmax(on(x, shape)), { rtol: 1e-5, atol: 1e-7 });
      await same(`logSoftmax [${shape}]`, (on) => T.logSoftmax(on(x, shape)), { rtol: 1e-5, atol: 1e-5 });
      const d = shape[1];
      await same(`layerNorm [${shape}]`, (on, r) => T.layerNorm(on(x, shape), on(r.normalF32(d), [d]), on(r.normalF32(d), [d]), 1e-5), { rtol: 1e-4, atol: 1e-5 });
    }
    // A row longer than a window cannot be split by the row kernels: a clear error.
    const long = T.tensor(f32(2000), [2, 1000], { backend: gpu });
    expect(() => T.softmax(long)).toThrow(/^softmax: a row of 1000 elements needs 4000 bytes in one storage binding/);
    long.dispose();
  });

  it('attention in ranges of (batch, head) slabs, with and without a mask', async () => {
    for (const shape of [[3, 4, 20, 12], [2, 3, 33, 7]] as const) {
      const n = numel(shape);
      const [B, , T_] = shape;
      const mask = new Float32Array(B * T_).fill(1);
      for (let t = T_ - 5; t < T_; t++) mask[t] = 0; // batch 0 padded
      const q = f32(n);
      const k = f32(n);
      const v = f32(n);
      await same(`attention [${shape}]`, (on) => T.attention(on(q, shape), on(k, shape), on(v, shape)), { rtol: 1e-4, atol: 1e-5 });
      await same(`attention [${shape}] masked`, (on) => T.attention(on(q, shape), on(k, shape), on(v, shape), on(mask, [B, T_]), 0.3), { rtol: 1e-4, atol: 1e-5 });
    }
    // One head's keys must fit a window: a clear error otherwise.
    const big = [0, 1, 2].map(() => T.tensor(f32(2400), [1, 1, 300, 8], { backend: gpu }));
    expect(() => T.attention(big[0], big[1], big[2])).toThrow(ShapeError);
    expect(() => T.attention(big[0], big[1], big[2])).toThrow(/^attention: one \(batch, head\) slab \[300, 8\] needs/);
    for (const t of big) t.dispose();
  });

  const MATMULS: readonly [string, readonly number[], readonly number[], boolean, boolean][] = [
    ['nn [70, 33]·[33, 45]', [70, 33], [33, 45], false, false],
    ['tn [33, 70]ᵀ·[33, 45]', [33, 70], [33, 45], true, false],
    ['nt [70, 33]·[45, 33]ᵀ', [70, 33], [45, 33], false, true],
    ['tt [33, 70]ᵀ·[45, 33]ᵀ', [33, 70], [45, 33], true, true],
    ['vec4 nn [64, 40]·[40, 48]', [64, 40], [40, 48], false, false],
    ['vec4 nt [64, 40]·[48, 40]ᵀ', [64, 40], [48, 40], false, true],
    ['vec4 tn [40, 64]ᵀ·[40, 48]', [40, 64], [40, 48], true, false],
    ['deep k [5, 900]·[900, 3]', [5, 900], [900, 3], false, false],
    ['vec4 deep nt [6, 1200]·[5, 1200]ᵀ', [6, 1200], [5, 1200], false, true],
    ['batched, matrices fit [16, 9, 10]·[10, 11]', [16, 9, 10], [10, 11], false, false],
    ['broadcast batch [2, 3, 20, 30]·[3, 30, 25]', [2, 3, 20, 30], [3, 30, 25], false, false],
    ['batched, matrices over a window [2, 40, 30]ᵀ·[2, 40, 52]', [2, 40, 30], [2, 40, 52], true, false],
  ];

  it('matmul in batch groups and M × N × K blocks (register variants)', async () => {
    for (const [what, sa, sb, transA, transB] of MATMULS) {
      const a = f32(numel(sa));
      const b = f32(numel(sb));
      await same(what, (on) => T.matmul(on(a, sa), on(b, sb), { transA, transB }), { rtol: 1e-5, atol: 1e-5 });
    }
    // Every register variant ran blocks, including K blocks accumulating into C.
    for (const v of ['nn4', 'nt4', 'tn4', 'generic']) expect(counters.programs).toContain(`matmul-${v}|f32|plain|add`);
  });

  it('matmul in batch groups and M × N × K blocks (tiled variant)', async () => {
    for (const [what, sa, sb, transA, transB] of MATMULS.filter((_, i) => i % 2 === 0)) {
      const a = f32(numel(sa));
      const b = f32(numel(sb));
      await same(`tiled ${what}`, (on) => T.matmul(on(a, sa), on(b, sb), { transA, transB }), { rtol: 1e-5, atol: 1e-5 }, tiled);
    }
  });

  it('centeredCross over many rows: K blocks accumulate (scalar and vec4 programs, both families)', async () => {
    for (const [n, p, q] of [[300, 7, 9], [200, 8, 12]] as const) {
      const x = rng.normalF32(n * p, 3, 2);
      const y = rng.normalF32(n * q, -1, 1);
      const mean = (d: Float32Array, c: number): Float32Array => {
        const m = new Float32Array(c);
        for (let i = 0; i < d.length; i++) m[i % c] += d[i] / n;
        return m;
      };
      const build: Build = (on) => T.centeredCross(on(x, [n, p]), on(y, [n, q]), on(mean(x, p), [p]), on(mean(y, q), [q]));
      await same(`centeredCross [${n}, ${p}]ᵀ[${n}, ${q}]`, build, { rtol: 1e-5, atol: 1e-4 });
      await same(`tiled centeredCross [${n}, ${p}]ᵀ[${n}, ${q}]`, build, { rtol: 1e-5, atol: 1e-4 }, tiled);
    }
    for (const v of ['tn4', 'generic']) expect(counters.programs).toContain(`matmul-${v}|f32|centered|add`);
    expect(tiledCounters.programs).toContain('matmul-tiled|f32|tA|nB|centered|add');
  });

  it('random transposes, gathers and matmuls agree with the CPU (property)', async () => {
    const dims = fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 2, maxLength: 3 });
    await fc.assert(
      fc.asyncProperty(dims, fc.integer(), async (shape, seed) => {
        const r = new TestRng(seed);
        const x = r.normalF32(numel(shape));
        const perm = Array.from(r.permutation(shape.length));
        const idx = r.ints(17, 0, shape[0] - 1);
        const [m, k] = [shape[0], shape[shape.length - 1]];
        const b = r.normalF32(k * 23);
        const made: Tensor[] = [];
        const on = (bk: T.Backend) => (d: Host, s: readonly number[]): Tensor => {
          const t = T.tensor(d, s, { backend: bk, dtype: d instanceof Int32Array ? 'i32' : 'f32' });
          made.push(t);
          return t;
        };
        try {
          for (const [what, build, tol] of [
            ['transpose', (o) => T.transpose(o(x, shape), perm), 0],
            ['gather', (o) => T.gather(o(x, shape), o(idx, [17])), 0],
            ['matmul', (o) => T.matmul(o(x, [numel(shape) / k, k]), o(b, [k, 23])), 1e-5],
          ] as [string, Build, number][]) {
            const g = build(on(gpu), r);
            const c = build(on(cpu), r);
            made.push(g, c);
            expect(excess(await g.data(), await c.data(), tol, tol), `${what} [${shape}] (m=${m})`).toBeLessThanOrEqual(1);
          }
        } finally {
          for (const t of made) t.dispose();
        }
      }),
      { numRuns: 12 },
    );
    expect(counters.widest).toBeLessThanOrEqual(LIMIT);
  });
});

// The shared conformance suites on a backend whose limit is 8 KiB (2048 f32; large enough for their
// longest rows and attention heads, small enough that their larger operands are chunked).
describe.skipIf(!adapter)('conformance with an 8 KiB binding limit and 16 workgroups per dimension', () => {
  let lowered: Awaited<ReturnType<typeof loweredBackend>> | undefined;
  afterAll(() => lowered?.gpu.dispose());
  const get = async (): Promise<T.Backend> => {
    lowered ??= await loweredBackend({ maxStorageBufferBindingSize: 8192, maxComputeWorkgroupsPerDimension: 16 });
    return lowered.gpu;
  };
  describeConformance('webgpu (8 KiB bindings)', get, { numRuns: 4, families: ['linalg', 'layout', 'reduce', 'nn'] });
  it('bound no more than 8 KiB per binding, at aligned offsets, and chunked some operands', () => {
    expect(lowered?.counters.widest).toBeLessThanOrEqual(8192);
    expect(lowered?.counters.misaligned).toBe(0);
    expect(lowered?.counters.programs).toContain('strided-copy|u32');
    expect(lowered?.counters.programs).toContain('matmul-generic|f32|plain|add');
  });
});
