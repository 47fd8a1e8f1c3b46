/**
 * WebGPU MatMul (batched, transposes, broadcast batch dimensions) and CenteredCross, planned onto
 * the programs of `matmul-programs.ts`:
 *
 * 1. the output batch dimensions are collapsed (with A's and B's batch strides, 0 where broadcast)
 *    to ≤ 3 dimensions per dispatch; more are looped on the host with base offsets;
 * 2. the program is chosen by the backend's `tuning.matmul` — `register` (vec4 variants where the
 *    layout allows, else the scalar strided one) or `tiled` — and the operand layout;
 * 3. when A, B or C exceeds `maxStorageBufferBindingSize`, every operand is bound through windows:
 *    batch entries in groups whose windows fit, and matrices larger than a window in M × N × K blocks
 *    (any transposes, batches and CenteredCross; K blocks accumulate into C with the `add` programs).
 */
import type { Storage } from '../../../backend.js';
import { ShapeError } from '../../../errors.js';
import { type KernelImpl, registerKernel } from '../../../kernel.js';
import { CenteredCross, MatMul } from '../../../kernels/defs.js';
import { collapseAxes, prod } from '../../index-space.js';
import type { WebGpuBackend, WebGpuStorage } from '../webgpu-backend.js';
import { allocOut, bindWhole, gpuOf, rejectF64 } from './common.js';
import { MATMUL_U, type RegisterVariant, type StoreMode, TILE, registerProgram, tiledProgram } from './matmul-programs.js';
import { bindWindow, fitsBinding, windowBudget } from './windows.js';

/** One (possibly batched) product to enqueue. */
export interface MatmulCall {
  readonly op: string;
  readonly a: Storage;
  readonly b: Storage;
  readonly out: WebGpuStorage;
  readonly aShape: readonly number[];
  readonly bShape: readonly number[];
  readonly transA: boolean;
  readonly transB: boolean;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** Output batch shape (broadcast of A's and B's). */
  readonly batch: readonly number[];
  /** CenteredCross: subtract `meanA[i]` from A(i, ·) and `meanB[j]` from B(·, j). */
  readonly centered?: { readonly meanA: Storage; readonly meanB: Storage };
}

/**
 * Which program a call runs (exported for tests and benchmarks). `layout.vec4 = false` rules out
 * the vec4 register variants (a block whose strides or offsets are not multiples of 4);
 * `layout.store = 'add'` picks the accumulating variant (K blocks after the first).
 */
export function chooseMatmulProgram(
  gpu: WebGpuBackend, c: Pick<MatmulCall, 'transA' | 'transB' | 'm' | 'n' | 'k' | 'centered'>,
  layout: { readonly vec4?: boolean; readonly store?: StoreMode } = {},
): { kind: RegisterVariant | 'tiled'; key: string } {
  const mode = c.centered ? 'centered' : 'plain';
  const sm = layout.store === 'add' ? '|add' : '';
  if (gpu.tuning.matmul === 'tiled') return { kind: 'tiled', key: `${c.transA ? 'tA' : 'nA'}|${c.transB ? 'tB' : 'nB'}|${mode}${sm}` };
  let v: RegisterVariant = 'generic';
  if (layout.vec4 !== false) {
    if (!c.centered && !c.transA && !c.transB && c.k > 0 && c.k % 4 === 0 && c.n % 4 === 0) v = 'nn4';
    else if (!c.centered && !c.transA && c.transB && c.k > 0 && c.k % 4 === 0) v = 'nt4';
    else if (c.transA && !c.transB && c.m % 4 === 0 && c.n % 4 === 0 && c.k > 0) v = 'tn4';
  }
  return { kind: v, key: `${v}|${mode}${sm}` };
}

/** Batch strides of an operand with matrix size `mat` and batch shape `own`, against the output batch. */
function batchStrides(own: readonly number[], out: readonly number[], mat: number): number[] {
  const off = out.length - own.length;
  const s = new Array<number>(out.length).fill(0);
  let acc = mat;
  for (let d = own.length - 1; d >= 0; d--) {
    if (own[d] !== 1) s[d + off] = acc;
    acc *= own[d];
  }
  return s;
}

/** Element strides of A (`sai` along M, `sak` along K) and B (`sbk`, `sbj`) inside one matrix. */
interface MatStrides {
  readonly sai: number;
  readonly sak: number;
  readonly sbk: number;
  readonly sbj: number;
}

/** Enqueues `call` (see the module comment). Never awaits. */
export function enqueueMatmul(gpu: WebGpuBackend, call: MatmulCall): void {
  const { op, m, n, k } = call;
  const batchTotal = prod(call.batch);
  if (m * n * batchTotal === 0) return;
  const strides: MatStrides = {
    sai: call.transA ? 1 : k,
    sak: call.transA ? m : 1,
    sbk: call.transB ? 1 : n,
    sbj: call.transB ? k : 1,
  };
  const aBatch = call.aShape.slice(0, -2);
  const bBatch = call.bShape.slice(0, -2);
  const batchA = batchStrides(aBatch, call.batch, m * k);
  const batchB = batchStrides(bBatch, call.batch, k * n);
  const extra = call.centered
    ? [bindWhole(gpu, call.centered.meanA, op, 'mean of a'), bindWhole(gpu, call.centered.meanB, op, 'mean of b')]
    : [];
  if (![call.a, call.b, call.out].every((s) => fitsBinding(gpu, s, op))) {
    enqueueChunked(gpu, call, strides, batchA, batchB, extra);
    return;
  }
  const choice = chooseMatmulProgram(gpu, call);
  const program = choice.kind === 'tiled' ? tiledProgram(choice.key) : registerProgram(choice.key);
  const tile = TILE[choice.kind];
  const col = collapseAxes(call.batch, [batchA, batchB]);
  const inner = col.shape.slice(-3);
  const outer = col.shape.slice(0, -3);
  const innerA = col.strides[0].slice(-3);
  const innerB = col.strides[1].slice(-3);
  while (inner.length < 3) {
    inner.unshift(1);
    innerA.unshift(0);
    innerB.unshift(0);
  }
  const nb = inner[0] * inner[1] * inner[2];
  const a = gpu.binding(call.a, op);
  const b = gpu.binding(call.b, op);
  const c = gpu.binding(call.out, op);
  // Batch dimensions beyond three: loop over the leading ones on the host.
  const outerCount = prod(outer);
  for (let o = 0; o < outerCount; o++) {
    let rem = o;
    let aBase = 0;
    let bBase = 0;
    for (let d = outer.length - 1; d >= 0; d--) {
      const i = rem % outer[d];
      rem = Math.floor(rem / outer[d]);
      aBase += i * col.strides[0][d];
      bBase += i * col.strides[1][d];
    }
    gpu.dispatch({
      program,
      storage: [a, b, c, ...extra],
      uniforms: {
        layout: MATMUL_U,
        values: {
          M: m, N: n, K: k, nb, nb1: inner[1], nb2: inner[2],
          sa0: innerA[0], sa1: innerA[1], sa2: innerA[2], sb0: innerB[0], sb1: innerB[1], sb2: innerB[2],
          aBase, bBase, cBase: o * nb * m * n, ...strides, ldc: n, ma0: 0, mb0: 0,
        },
      },
      workgroups: [Math.ceil(n / tile.cols), Math.ceil(m / tile.rows), nb],
      sizes: `[${m}x${k}]x[${k}x${n}]${batchTotal > 1 ? `x${batchTotal}` : ''}`,
      cost: 2 * m * n * k * nb,
    });
  }
}

/**
 * Whether a vec4 register variant can run a block: it divides by 4 the base offsets and batch
 * strides of the operands it reads as vec4, their non-unit matrix strides, and (tn4) the means'
 * offsets. Other variants always fit.
 */
function vec4Fits(
  kind: RegisterVariant | 'tiled',
  v: { aBase: number; bBase: number; cBase: number; sa0: number; sb0: number; cStep: number; ldc: number; ma0: number; mb0: number },
  s: MatStrides,
): boolean {
  const all4 = (...xs: number[]): boolean => xs.every((x) => x % 4 === 0);
  switch (kind) {
    case 'nn4': return all4(v.aBase, v.bBase, v.cBase, v.sa0, v.sb0, v.cStep, s.sai, s.sbk, v.ldc);
    case 'nt4': return all4(v.aBase, v.bBase, v.sa0, v.sb0, s.sai, s.sbj);
    case 'tn4': return all4(v.aBase, v.bBase, v.cBase, v.sa0, v.sb0, v.cStep, s.sak, s.sbk, v.ldc, v.ma0, v.mb0);
    default: return true;
  }
}

/** Block sizes (rows of C, columns of C, depth) of a product split to fit the binding windows. */
interface Blocks {
  readonly mb: number;
  readonly nb: number;
  readonly kb: number;
}

/** Halves a block length, keeping multiples of 4 (vec4 variants) while it is above 4. */
function halve(x: number): number {
  return x > 4 ? Math.ceil(x / 8) * 4 : Math.ceil(x / 2);
}

/**
 * The largest blocks (by halving) whose windows of A, B and C each span at most `budget` elements:
 * each overflowing operand first loses its strided dimension (rows of a row-major matrix), then its
 * contiguous one.
 */
function planBlocks(op: string, call: MatmulCall, budget: number): Blocks {
  const { m, n, k } = call;
  let mb = m;
  let nb = n;
  let kb = k;
  for (;;) {
    const spanA = call.transA ? (kb - 1) * m + mb : (mb - 1) * k + kb;
    const spanB = call.transB ? (nb - 1) * k + kb : (kb - 1) * n + nb;
    const spanC = (mb - 1) * n + nb;
    if (spanA <= budget && spanB <= budget && spanC <= budget) return { mb, nb, kb };
    if (mb === 1 && nb === 1 && kb === 1) {
      throw new ShapeError(op, `cannot split the product into blocks within a ${budget * 4}-byte binding window`);
    }
    if (spanA > budget) {
      if (call.transA) {
        if (kb > 1) kb = halve(kb);
        else mb = halve(mb);
      } else if (mb > 1) mb = halve(mb);
      else kb = halve(kb);
    } else if (spanB > budget) {
      if (call.transB) {
        if (nb > 1) nb = halve(nb);
        else kb = halve(kb);
      } else if (kb > 1) kb = halve(kb);
      else nb = halve(nb);
    } else if (mb > 1) mb = halve(mb);
    else nb = halve(nb);
  }
}

/**
 * The product when A, B or C exceeds `maxStorageBufferBindingSize`: every operand is bound through
 * windows (`windows.ts`). Whole matrices that fit a window run in groups of consecutive batch
 * entries whose offsets step evenly (one dispatch each); larger ones are cut into M × N × K blocks
 * (`planBlocks`), the K blocks after the first accumulating into C.
 */
function enqueueChunked(
  gpu: WebGpuBackend, call: MatmulCall, strides: MatStrides, batchA: readonly number[], batchB: readonly number[], extra: readonly GPUBufferBinding[],
): void {
  const { op, m, n, k } = call;
  const budget = windowBudget(gpu);
  const batchTotal = prod(call.batch);
  const offA = new Array<number>(batchTotal);
  const offB = new Array<number>(batchTotal);
  for (let z = 0; z < batchTotal; z++) {
    let rem = z;
    let oa = 0;
    let ob = 0;
    for (let d = call.batch.length - 1; d >= 0; d--) {
      const i = rem % call.batch[d];
      rem = Math.floor(rem / call.batch[d]);
      oa += i * batchA[d];
      ob += i * batchB[d];
    }
    offA[z] = oa;
    offB[z] = ob;
  }
  const sizes = `[${m}x${k}]x[${k}x${n}]${batchTotal > 1 ? `x${batchTotal}` : ''}`;
  const run = (
    z0: number, count: number, sa0: number, sb0: number, r0: number, c0: number, k0: number, blk: Blocks,
  ): void => {
    const mb = Math.min(blk.mb, m - r0);
    const nb = Math.min(blk.nb, n - c0);
    const kb = Math.min(blk.kb, k - k0);
    const a0 = offA[z0] + r0 * strides.sai + k0 * strides.sak;
    const b0 = offB[z0] + k0 * strides.sbk + c0 * strides.sbj;
    const c0e = z0 * m * n + r0 * n + c0;
    const spanA = (count - 1) * sa0 + (mb - 1) * strides.sai + (kb - 1) * strides.sak + 1;
    const spanB = (count - 1) * sb0 + (kb - 1) * strides.sbk + (nb - 1) * strides.sbj + 1;
    const spanC = (count - 1) * m * n + (mb - 1) * n + nb;
    const aw = bindWindow(gpu, call.a, op, a0, a0 + spanA);
    const bw = bindWindow(gpu, call.b, op, b0, b0 + spanB);
    const cw = bindWindow(gpu, call.out, op, c0e, c0e + spanC);
    const bases = { aBase: a0 - aw.start, bBase: b0 - bw.start, cBase: c0e - cw.start };
    const store: StoreMode = k0 > 0 ? 'add' : 'set';
    const block = { ...call, m: mb, n: nb, k: kb };
    let choice = chooseMatmulProgram(gpu, block, { store });
    const cStep = count > 1 ? m * n : 0;
    if (!vec4Fits(choice.kind, { ...bases, sa0, sb0, cStep, ldc: n, ma0: r0, mb0: c0 }, strides)) {
      choice = chooseMatmulProgram(gpu, block, { store, vec4: false });
    }
    const program = choice.kind === 'tiled' ? tiledProgram(choice.key) : registerProgram(choice.key);
    const tile = TILE[choice.kind];
    gpu.dispatch({
      program,
      storage: [aw.binding, bw.binding, cw.binding, ...extra],
      uniforms: {
        layout: MATMUL_U,
        values: {
          M: mb, N: nb, K: kb, nb: count, nb1: 1, nb2: 1, sa0, sa1: 0, sa2: 0, sb0, sb1: 0, sb2: 0,
          ...bases, ...strides, ldc: n, ma0: r0, mb0: c0,
        },
      },
      workgroups: [Math.ceil(nb / tile.cols), Math.ceil(mb / tile.rows), count],
      sizes,
      cost: 2 * mb * nb * kb * count,
    });
  };
  const whole: Blocks = { mb: m, nb: n, kb: k };
  if (m * k <= budget && k * n <= budget && m * n <= budget) {
    // Groups of consecutive entries with even offset steps whose windows fit.
    let z0 = 0;
    while (z0 < batchTotal) {
      let count = 1;
      const sa = z0 + 1 < batchTotal ? offA[z0 + 1] - offA[z0] : 0;
      const sb = z0 + 1 < batchTotal ? offB[z0 + 1] - offB[z0] : 0;
      while (
        z0 + count < batchTotal &&
        sa >= 0 && sb >= 0 &&
        offA[z0 + count] - offA[z0 + count - 1] === sa &&
        offB[z0 + count] - offB[z0 + count - 1] === sb &&
        count * sa + m * k <= budget && count * sb + k * n <= budget && (count + 1) * m * n <= budget
      ) count++;
      run(z0, count, count > 1 ? sa : 0, count > 1 ? sb : 0, 0, 0, 0, whole);
      z0 += count;
    }
    return;
  }
  const blk = planBlocks(op, call, budget);
  for (let z = 0; z < batchTotal; z++) {
    for (let k0 = 0; k0 < k; k0 += blk.kb) {
      for (let r0 = 0; r0 < m; r0 += blk.mb) {
        for (let c0 = 0; c0 < n; c0 += blk.nb) run(z, 1, 0, 0, r0, c0, k0, blk);
      }
    }
  }
}

export const matmulGpu: KernelImpl<{ transA: boolean; transB: boolean }> = (inputs, attrs, outputs, backend) => {
  const gpu = gpuOf(backend, 'matmul');
  const [a, b] = inputs;
  rejectF64('matmul', a, b);
  const info = outputs[0];
  const out = allocOut(gpu, info);
  if (out.size === 0) return [out];
  const r = info.shape.length;
  const m = info.shape[r - 2];
  const n = info.shape[r - 1];
  const k = attrs.transA ? a.shape[a.shape.length - 2] : a.shape[a.shape.length - 1];
  if (k === 0) {
    gpu.batcher.clear(out.buffer, 0, out.size * 4, 'matmul');
    return [out];
  }
  enqueueMatmul(gpu, {
    op: 'matmul', a: a.storage, b: b.storage, out, aShape: a.shape, bShape: b.shape,
    transA: attrs.transA, transB: attrs.transB, m, n, k, batch: info.shape.slice(0, -2),
  });
  return [out];
};

/** `(X − μX)ᵀ (Y − μY)`: a transposed-A product that centres its operands as it loads them. */
export const centeredCrossGpu: KernelImpl<Record<string, never>> = (inputs, _attrs, outputs, backend) => {
  const gpu = gpuOf(backend, 'centeredCross');
  const [x, y, mx, my] = inputs;
  rejectF64('centeredCross', x, y, mx, my);
  const out = allocOut(gpu, outputs[0]);
  if (out.size === 0) return [out];
  const [rows, p] = x.shape;
  const q = y.shape[1];
  if (rows === 0) {
    gpu.batcher.clear(out.buffer, 0, out.size * 4, 'centeredCross');
    return [out];
  }
  enqueueMatmul(gpu, {
    op: 'centeredCross', a: x.storage, b: y.storage, out, aShape: x.shape, bShape: y.shape,
    transA: true, transB: false, m: p, n: q, k: rows, batch: [],
    centered: { meanA: mx.storage, meanB: my.storage },
  });
  return [out];
};

/** Registers matmul and centeredCross on `webgpu`. */
export function registerMatmulGpu(): void {
  registerKernel(MatMul, 'webgpu', matmulGpu);
  registerKernel(CenteredCross, 'webgpu', centeredCrossGpu);
}
