/** Naive f64 oracles for LayerNorm and Attention (the full T×T score matrix, by definition). */
import { type NdArray, nd } from '../nd.js';

/** `(x − mean)/√(var + eps)·gamma + beta` per last-axis row, biased variance. */
export function layerNormOracle(x: NdArray, gamma: NdArray, beta: NdArray, eps: number): NdArray {
  const d = x.shape[x.shape.length - 1];
  const out = nd(x.shape);
  for (let r = 0; r * d < x.data.length; r++) {
    const row = x.data.subarray(r * d, (r + 1) * d);
    let mean = 0;
    for (const v of row) mean += v / d;
    let variance = 0;
    for (const v of row) variance += (v - mean) ** 2 / d;
    for (let j = 0; j < d; j++) out.data[r * d + j] = ((row[j] - mean) / Math.sqrt(variance + eps)) * gamma.data[j] + beta.data[j];
  }
  return out;
}

/**
 * `softmax(q kᵀ·scale + maskBias) v` per batch and head; q, k, v `[B, H, T, dk]`, mask `[B, T]`
 * (0 = padding key); a query whose keys are all padding gets zeros.
 */
export function attentionOracle(q: NdArray, k: NdArray, v: NdArray, mask: NdArray | undefined, scale: number): NdArray {
  const [B, H, T, dk] = q.shape;
  const out = nd(q.shape);
  const idx = (b: number, h: number, t: number, c: number): number => ((b * H + h) * T + t) * dk + c;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      for (let i = 0; i < T; i++) {
        const logits: number[] = [];
        for (let j = 0; j < T; j++) {
          if (mask && mask.data[b * T + j] === 0) {
            logits.push(-Infinity);
            continue;
          }
          let s = 0;
          for (let c = 0; c < dk; c++) s += q.data[idx(b, h, i, c)] * k.data[idx(b, h, j, c)];
          logits.push(s * scale);
        }
        const m = Math.max(...logits);
        if (m === -Infinity) continue;
        const w = logits.map((l) => Math.exp(l - m));
        const z = w.reduce((s, x) => s + x, 0);
        for (let c = 0; c < dk; c++) {
          let s = 0;
          for (let j = 0; j < T; j++) s += (w[j] / z) * v.data[idx(b, h, j, c)];
          out.data[idx(b, h, i, c)] = s;
        }
      }
    }
  }
  return out;
}
