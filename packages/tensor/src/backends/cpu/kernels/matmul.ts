/**
 * CPU implementation of {@link MatMul}: batched `op(a)·op(b)` with broadcast batch dimensions,
 * one GEMM call per output matrix. When b has no (non-unit) batch dimensions and a is not
 * transposed, a's batch is folded into m so a linear layer `[B, T, d]·Wᵀ` is one large GEMM.
 */
import { type KernelImpl, registerKernel } from '../../../kernel.js';
import { MatMul } from '../../../kernels/defs.js';
import { broadcastStrides, prod } from '../../index-space.js';
import { gemmContiguous as gemm } from './gemm-call.js';
import { allocOut, arrayOf } from './util.js';

/** Batched matrix product; see {@link MatMul} for the contract. */
export const matmulCpu: KernelImpl<{ transA: boolean; transB: boolean }> = (inputs, attrs, outputs, backend) => {
  const [ta, tb] = inputs;
  const info = outputs[0];
  const { storage, array: c } = allocOut(backend, info);
  const { transA, transB } = attrs;
  const ar = ta.shape.length;
  const br = tb.shape.length;
  const m = info.shape[info.shape.length - 2];
  const n = info.shape[info.shape.length - 1];
  const k = transA ? ta.shape[ar - 2] : ta.shape[ar - 1];
  const a = arrayOf(ta);
  const b = arrayOf(tb);
  if (c.length === 0) return [storage];
  const aBatch = ta.shape.slice(0, -2);
  const bBatch = tb.shape.slice(0, -2);
  const outBatch = info.shape.slice(0, -2);
  const nb = prod(outBatch, 0);
  if (prod(bBatch, 0) === 1 && !transA) {
    gemm(false, transB, nb * m, n, k, a, 0, b, 0, c, 0);
    return [storage];
  }
  const aStr = broadcastStrides(aBatch, outBatch);
  const bStr = broadcastStrides(bBatch, outBatch);
  const aMat = m * k;
  const bMat = k * n;
  const cMat = m * n;
  const rank = outBatch.length;
  for (let bi = 0; bi < nb; bi++) {
    // Unravel the batch index and map it to each operand's (broadcast) matrix index.
    let rem = bi;
    let ai = 0;
    let bj = 0;
    for (let d = rank - 1; d >= 0; d--) {
      const dim = outBatch[d];
      const idx = rem % dim;
      rem = (rem - idx) / dim;
      ai += idx * aStr[d];
      bj += idx * bStr[d];
    }
    gemm(transA, transB, m, n, k, a, ai * aMat, b, bj * bMat, c, bi * cMat);
  }
  return [storage];
};

/** Registers the matmul kernel for the CPU backend. */
export function registerMatMulCpu(): void {
  registerKernel(MatMul, 'cpu', matmulCpu);
}
