import { type Tensor, ValueError, fromHost } from '@symfuse/tensor';

/** Hyper-parameters of {@link AdamW}. */
export interface AdamWOptions {
  /** Peak learning rate (the schedule multiplies it). */
  readonly lr: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly eps?: number;
  /** Decoupled weight decay (Loshchilov & Hutter), applied as `θ ← θ − lr·wd·θ`. */
  readonly weightDecay?: number;
  /** Parameters that get no weight decay (biases and LayerNorm by convention). */
  readonly noDecay?: (name: string) => boolean;
}

/** Serializable optimizer state, for resumable training. */
export interface AdamWState {
  step: number;
  readonly m: Map<string, Float32Array>;
  readonly v: Map<string, Float32Array>;
}

/** BERT's convention: no decay on biases and LayerNorm parameters. */
export function defaultNoDecay(name: string): boolean {
  return name.endsWith('.bias') || name.includes('LayerNorm') || name.includes('layer_norm');
}

/**
 * AdamW (decoupled weight decay) over host-resident parameters. Moments are kept in f32 per
 * parameter. `step` returns NEW parameter tensors (tensors are immutable); the caller swaps them in.
 */
export class AdamW {
  readonly state: AdamWState;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly eps: number;
  private readonly weightDecay: number;
  private readonly noDecay: (name: string) => boolean;

  constructor(
    private readonly options: AdamWOptions,
    state?: AdamWState,
  ) {
    if (!(options.lr > 0)) throw new ValueError('AdamW', `lr is ${options.lr}; expected > 0`);
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.01;
    this.noDecay = options.noDecay ?? defaultNoDecay;
    this.state = state ?? { step: 0, m: new Map(), v: new Map() };
  }

  /**
   * One update with learning-rate multiplier `lrScale` (from the schedule).
   * @returns the updated parameters (same names and shapes)
   */
  step(params: ReadonlyMap<string, Tensor>, grads: ReadonlyMap<string, Tensor>, lrScale = 1): Map<string, Tensor> {
    this.state.step++;
    const t = this.state.step;
    const lr = this.options.lr * lrScale;
    const bc1 = 1 - this.beta1 ** t;
    const bc2 = 1 - this.beta2 ** t;
    const out = new Map<string, Tensor>();
    for (const [name, p] of params) {
      const g = grads.get(name);
      if (!g) {
        out.set(name, p);
        continue;
      }
      const pd = p.dataSync() as Float32Array;
      const gd = g.dataSync() as Float32Array;
      let m = this.state.m.get(name);
      let v = this.state.v.get(name);
      if (!m || !v) {
        m = new Float32Array(pd.length);
        v = new Float32Array(pd.length);
        this.state.m.set(name, m);
        this.state.v.set(name, v);
      }
      const decay = this.noDecay(name) ? 0 : lr * this.weightDecay;
      const next = new Float32Array(pd.length);
      const b1 = this.beta1;
      const b2 = this.beta2;
      for (let i = 0; i < pd.length; i++) {
        const gi = gd[i];
        const mi = (m[i] = b1 * m[i] + (1 - b1) * gi);
        const vi = (v[i] = b2 * v[i] + (1 - b2) * gi * gi);
        const update = mi / bc1 / (Math.sqrt(vi / bc2) + this.eps);
        next[i] = pd[i] - lr * update - decay * pd[i];
      }
      out.set(name, fromHost(next, p.shape));
    }
    return out;
  }
}

/** Global L2 norm of a set of gradients. */
export function globalNorm(grads: ReadonlyMap<string, Tensor>): number {
  let s = 0;
  for (const g of grads.values()) {
    const d = g.dataSync();
    for (let i = 0; i < d.length; i++) s += d[i] * d[i];
  }
  return Math.sqrt(s);
}

/**
 * Scales gradients so their global L2 norm is at most `maxNorm` (as `clip_grad_norm_`).
 * @returns the norm before clipping and the (possibly new) gradients
 */
export function clipGradNorm(grads: Map<string, Tensor>, maxNorm: number): { norm: number; grads: Map<string, Tensor> } {
  const norm = globalNorm(grads);
  if (!(norm > maxNorm) || !Number.isFinite(norm)) return { norm, grads };
  const scale = maxNorm / (norm + 1e-6);
  const out = new Map<string, Tensor>();
  for (const [k, g] of grads) {
    const d = g.dataSync() as Float32Array;
    const s = new Float32Array(d.length);
    for (let i = 0; i < d.length; i++) s[i] = d[i] * scale;
    out.set(k, fromHost(s, g.shape));
  }
  return { norm, grads: out };
}
