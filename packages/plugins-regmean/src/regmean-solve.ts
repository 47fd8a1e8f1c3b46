/**
 * The RegMean solution for one linear layer (Jin et al. 2023, Eq. 4 with the α-scaled Grams):
 * `W = (Σ_i W_i G̃_i)(Σ_i G̃_i)⁻¹` with `G̃_i = α_i G_i + (1 − α_i) diag(G_i)`, computed as the solve
 * `(Σ_i G̃_i) Wᵀ = Σ_i G̃_i W_iᵀ` by a double-precision Cholesky factorisation (never an inverse),
 * with the smallest ridge that succeeds when `Σ_i G̃_i` is not positive definite.
 *
 * Input features that no model ever saw (a zero Gram diagonal in every model, e.g. a dead ReLU unit)
 * carry no information: their rows and columns are zero, so they are left out of the solve and their
 * weight column is the simple mean (instead of the zero a ridge would give).
 */
import { fromHost, matmul } from '@symfuse/tensor';
import { solveSpdRidge } from './spd-solve.js';

/** One linear layer across the models being merged. */
export interface RegmeanLayer {
  /** Per model, the weight `[out, in]` row-major. */
  readonly weights: readonly Float64Array[];
  /** Per model, the Gram of the layer's input `[in, in]` (scaled as the merger wants it). */
  readonly grams: readonly Float64Array[];
  /** Per model, α ∈ [0, 1]. */
  readonly alphas: readonly number[];
  readonly out: number;
  readonly in: number;
}

/** The merged weight and how the solve went. */
export interface RegmeanLayerResult {
  /** `[out, in]` row-major. */
  readonly weight: Float64Array;
  /** Ridge added to `Σ G̃_i` (0 when it was positive definite). */
  readonly ridge: number;
  readonly attempts: number;
  /** Input features left out of the solve (zero Gram diagonal in every model): simple mean. */
  readonly deadInputs: number;
}

/**
 * Merges one linear layer by RegMean.
 * @param what the weight's name, for error messages.
 */
export function regmeanLinear(layer: RegmeanLayer, what: string): RegmeanLayerResult {
  const { out, in: n } = layer;
  const m = layer.weights.length;
  // A = Σ G̃_i over the live features only; Bᵀ = Σ G̃_i W_iᵀ  ([n, out]).
  const A = new Float64Array(n * n);
  const Bt = new Float64Array(n * out);
  const gt = new Float64Array(n * n);
  for (let i = 0; i < m; i++) {
    const G = layer.grams[i];
    const a = layer.alphas[i];
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) gt[r * n + c] = r === c ? G[r * n + c] : a * G[r * n + c];
    }
    for (let k = 0; k < gt.length; k++) A[k] += gt[k];
    // f64 products on the CPU backend, whatever the default backend: the solve needs f64 accuracy
    // (DESIGN.md "Tensor runtime"), and a device backend such as WebGPU has no f64.
    const gT = fromHost(gt.slice(), [n, n], 'cpu');
    const wT = fromHost(layer.weights[i], [out, n], 'cpu');
    const prod = matmul(gT, wT, { transB: true });
    const p = prod.dataSync();
    for (let k = 0; k < Bt.length; k++) Bt[k] += p[k];
    prod.dispose();
    gT.dispose();
    wT.dispose();
  }
  const live: number[] = [];
  for (let c = 0; c < n; c++) if (A[c * n + c] !== 0) live.push(c);
  const weight = new Float64Array(out * n);
  // Dead features: the simple mean of the models' columns.
  if (live.length < n) {
    const isLive = new Uint8Array(n);
    for (const c of live) isLive[c] = 1;
    for (let i = 0; i < m; i++) {
      const W = layer.weights[i];
      for (let o = 0; o < out; o++) for (let c = 0; c < n; c++) if (!isLive[c]) weight[o * n + c] += W[o * n + c] / m;
    }
  }
  if (live.length === 0) return { weight, ridge: 0, attempts: 0, deadInputs: n };
  const k = live.length;
  let Ak = A;
  let Bk = Bt;
  if (k < n) {
    Ak = new Float64Array(k * k);
    Bk = new Float64Array(k * out);
    for (let r = 0; r < k; r++) {
      for (let c = 0; c < k; c++) Ak[r * k + c] = A[live[r] * n + live[c]];
      Bk.set(Bt.subarray(live[r] * out, (live[r] + 1) * out), r * out);
    }
  }
  const { X, ridge, attempts } = solveSpdRidge(Ak, k, Bk, out, `'${what}'`);
  // X = Wᵀ restricted to the live features: X[r, o] = W[o, live[r]].
  for (let r = 0; r < k; r++) {
    const c = live[r];
    for (let o = 0; o < out; o++) weight[o * n + c] = X[r * out + o];
  }
  return { weight, ridge, attempts, deadInputs: n - k };
}
