/**
 * WebGPU MatMul (batched, transposes, broadcast batch dimensions) and CenteredCross, planned onto
 * the programs of `matmul-programs.ts`:
 *
 * 1. the output batch dimensions are collapsed (with A's and B's batch strides, 0 where broadcast)
 *    to ≤ 3 dimensions per dispatch; more are looped on the host with base offsets;
 * 2. the program is chosen by the backend's `tuning.matmul` — `register` (vec4 variants where the
 *    layout allows, else the scalar strided one) or `tiled` — and the operand layout;
 * 3. a 2-D product whose A or C exceeds `maxStorageBufferBindingSize` is split into row blocks bound
 *    at aligned offsets (B must fit one binding).
 */
import type { Storage } from '../../../backend.js';
import { ShapeError, fmtShape } from '../../../errors.js';
import { type KernelImpl, registerKernel } from '../../../kernel.js';
import { CenteredCross, MatMul } from '../../../kernels/defs.js';
import type { WebGpuBackend, WebGpuStorage } from '../webgpu-backend.js';
import { allocOut, gpuOf, prod, rejectF64 } from './common.js';
import { MATMUL_U, type RegisterVariant, TILE, registerProgram, tiledProgram } from './matmul-programs.js';
import { collapseDims } from './strided.js';

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

/** Which program a call runs (exported for tests and benchmarks). */
export function chooseMatmulProgram(
  gpu: WebGpuBackend, c: Pick<MatmulCall, 'transA' | 'transB' | 'm' | 'n' | 'k' | 'centered'>,
): { kind: RegisterVariant | 'tiled'; key: string } {
  const mode = c.centered ? 'centered' : 'plain';
  if (gpu.tuning.matmul === 'tiled') return { kind: 'tiled', key: `${c.transA ? 'tA' : 'nA'}|${c.transB ? 'tB' : 'nB'}|${mode}` };
  let v: RegisterVariant = 'generic';
  if (!c.centered && !c.transA && !c.transB && c.k > 0 && c.k % 4 === 0 && c.n % 4 === 0) v = 'nn4';
  else if (!c.centered && !c.transA && c.transB && c.k > 0 && c.k % 4 === 0) v = 'nt4';
  else if (c.transA && !c.transB && c.m % 4 === 0 && c.n % 4 === 0 && c.k > 0) v = 'tn4';
  return { kind: v, key: `${v}|${mode}` };
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
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

/** Enqueues `call` (see the module comment). Never awaits. */
export function enqueueMatmul(gpu: WebGpuBackend, call: MatmulCall): void {
  const { op, m, n, k } = call;
  const batchTotal = prod(call.batch);
  if (m * n * batchTotal === 0) return;
  const choice = chooseMatmulProgram(gpu, call);
  const program = choice.kind === 'tiled' ? tiledProgram(choice.key) : registerProgram(choice.key);
  const tile = TILE[choice.kind];
  const strides = {
    sai: call.transA ? 1 : k,
    sak: call.transA ? m : 1,
    sbk: call.transB ? 1 : n,
    sbj: call.transB ? k : 1,
  };
  const aBatch = call.aShape.slice(0, -2);
  const bBatch = call.bShape.slice(0, -2);
  const col = collapseDims(call.batch, [batchStrides(aBatch, call.batch, m * k), batchStrides(bBatch, call.batch, k * n)]);
  const inner = col.dims.slice(-3);
  const outer = col.dims.slice(0, -3);
  const innerA = col.strides[0].slice(-3);
  const innerB = col.strides[1].slice(-3);
  while (inner.length < 3) {
    inner.unshift(1);
    innerA.unshift(0);
    innerB.unshift(0);
  }
  const nb = inner[0] * inner[1] * inner[2];
  const limits = gpu.context.limits;
  const maxBytes = limits.maxStorageBufferBindingSize;
  const bind = (s: Storage, offset: number, count: number): GPUBufferBinding => {
    const whole = gpu.binding(s, op);
    return offset === 0 && count * 4 >= (whole.size ?? 0) - 3 ? whole : { buffer: whole.buffer, offset: offset * 4, size: Math.max(4, count * 4) };
  };
  const extra = call.centered ? [gpu.binding(call.centered.meanA, op), gpu.binding(call.centered.meanB, op)] : [];
  const dispatch = (rows: number, a: GPUBufferBinding, c: GPUBufferBinding, bases: { aBase: number; bBase: number; cBase: number }): void => {
    gpu.dispatch({
      program,
      storage: [a, gpu.binding(call.b, op), c, ...extra],
      uniforms: {
        layout: MATMUL_U,
        values: {
          M: rows, N: n, K: k, nb, nb1: inner[1], nb2: inner[2],
          sa0: innerA[0], sa1: innerA[1], sa2: innerA[2], sb0: innerB[0], sb1: innerB[1], sb2: innerB[2],
          ...bases, ...strides,
        },
      },
      workgroups: [Math.ceil(n / tile.cols), Math.ceil(rows / tile.rows), nb],
      sizes: `[${rows}x${k}]x[${k}x${n}]${batchTotal > 1 ? `x${batchTotal}` : ''}`,
      cost: 2 * rows * n * k * nb,
    });
  };
  const aBytes = call.a.size * 4;
  const cBytes = call.out.size * 4;
  if (call.b.size * 4 > maxBytes || (call.centered && (call.centered.meanA.size * 4 > maxBytes))) {
    throw new ShapeError(op, `operand b ${fmtShape(call.bShape)} needs ${call.b.size * 4} bytes in one storage binding; this device allows ${maxBytes} (maxStorageBufferBindingSize)`);
  }
  if (aBytes <= maxBytes && cBytes <= maxBytes) {
    const a = gpu.binding(call.a, op);
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
      dispatch(m, a, c, { aBase, bBase, cBase: o * nb * m * n });
    }
    return;
  }
  if (batchTotal !== 1 || call.transA) {
    throw new ShapeError(
      op,
      `a ${fmtShape(call.aShape)}${call.transA ? 'ᵀ' : ''} (${aBytes} bytes) or the output (${cBytes} bytes) exceeds maxStorageBufferBindingSize ${maxBytes}; ` +
        'webgpu splits only unbatched products with an untransposed a into row blocks',
    );
  }
  // Row blocks: offsets of A (r·k) and C (r·n) must be multiples of the offset alignment.
  const alignElems = Math.max(1, limits.minStorageBufferOffsetAlignment / 4);
  const stepA = alignElems / gcd(alignElems, k);
  const stepC = alignElems / gcd(alignElems, n);
  const step = (stepA / gcd(stepA, stepC)) * stepC;
  const rowsPer = Math.floor(Math.floor(maxBytes / 4 / Math.max(k, n)) / step) * step;
  if (rowsPer < 1) throw new ShapeError(op, `a row block of ${step} rows (k=${k}, n=${n}) does not fit one storage binding of ${maxBytes} bytes`);
  for (let r0 = 0; r0 < m; r0 += rowsPer) {
    const rows = Math.min(rowsPer, m - r0);
    dispatch(rows, bind(call.a, r0 * k, rows * k), bind(call.out, r0 * n, rows * n), { aBase: 0, bBase: 0, cBase: 0 });
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
