/**
 * CPU implementation of {@link Attention}: for each batch and head, query rows are processed in
 * blocks: `S = Q_blk Kᵀ` (one GEMM), scale + key mask + stable row softmax in place, then
 * `O_blk = P V` (a second GEMM) written straight into the output. The score buffer holds about
 * {@link SCORE_BUDGET} elements (whole heads for short sequences, so there are few, large GEMM calls;
 * row blocks for long ones): O(T) memory per query row, never a T × T matrix per head once T is large.
 */
import { allocHost } from '../../../dtype.js';
import { type KernelImpl, registerKernel } from '../../../kernel.js';
import { Attention } from '../../../kernels/defs.js';
import { gemmContiguous as gemm } from './gemm-call.js';
import { allocOut, arrayOf } from './util.js';

/** Score elements per block (128 KiB of f32): query rows per block = this / T, within [MIN_ROWS, T]. */
const SCORE_BUDGET = 32768;
/** Fewest query rows per block, so each GEMM stays big enough to amortise its packing. */
const MIN_ROWS = 16;

/** Masked scaled dot-product attention; see {@link Attention}. */
export const attentionCpu: KernelImpl<{ scale: number }> = (inputs, attrs, outputs, backend) => {
  const [tq, tk, tv, tmask] = inputs;
  const { storage, array: o } = allocOut(backend, outputs[0]);
  const [B, H, T, dk] = tq.shape;
  if (o.length === 0) return [storage];
  const q = arrayOf(tq);
  const k = arrayOf(tk);
  const v = arrayOf(tv);
  const mask = tmask ? arrayOf(tmask) : undefined;
  const scale = attrs.scale;
  const rb = Math.min(T, Math.max(MIN_ROWS, Math.floor(SCORE_BUDGET / T)));
  const scores = allocHost(tq.dtype, rb * T);
  const valid = new Uint8Array(T);
  for (let b = 0; b < B; b++) {
    // Keys after the last real token (trailing padding, the usual layout) are skipped altogether.
    let kLen = 0;
    for (let j = 0; j < T; j++) {
      valid[j] = mask === undefined || mask[b * T + j] !== 0 ? 1 : 0;
      if (valid[j]) kLen = j + 1;
    }
    // Every key is padding: the contract says the output rows are zeros (already the case).
    if (kLen === 0) continue;
    for (let h = 0; h < H; h++) {
      const base = (b * H + h) * T * dk;
      for (let i0 = 0; i0 < T; i0 += rb) {
        const rows = Math.min(rb, T - i0);
        // scores[r, j] = q[i0 + r] · k[j] for j < kLen, row stride kLen.
        gemm(false, true, rows, kLen, dk, q, base + i0 * dk, k, base, scores, 0);
        for (let r = 0; r < rows; r++) {
          const s0 = r * kLen;
          let m = -Infinity;
          for (let j = 0; j < kLen; j++) if (valid[j]) m = Math.max(m, scores[s0 + j] * scale);
          let sum = 0;
          for (let j = 0; j < kLen; j++) {
            if (valid[j]) {
              const e = Math.exp(scores[s0 + j] * scale - m);
              scores[s0 + j] = e;
              sum += e;
            } else {
              scores[s0 + j] = 0;
            }
          }
          const inv = 1 / sum;
          for (let j = 0; j < kLen; j++) scores[s0 + j] *= inv;
        }
        gemm(false, false, rows, dk, kLen, scores, 0, v, base, o, base + i0 * dk);
      }
    }
  }
  return [storage];
};

/** Registers attention for the CPU backend. */
export function registerAttentionCpu(): void {
  registerKernel(Attention, 'cpu', attentionCpu);
}
