/**
 * The building blocks of the encoder forward pass, written only with tensor ops so they run on
 * whatever backend the parameters live on. Activations are 2-D `[rows, features]`.
 */
import { type Tensor, add, attention, gelu, geluTanh, layerNorm, matmul, relu, transpose } from '@symfuse/tensor';
import { ParamMismatchError } from './errors.js';
import type { EncoderActivation, ParamMap } from './types.js';

/**
 * Releases intermediates as soon as they are consumed (what bounds device memory), unless the
 * caller needs them kept, e.g. an autograd tape that will read them in the backward pass.
 */
export class Releaser {
  constructor(private readonly keepAll: boolean) {}
  /** Disposes each tensor unless intermediates are kept. */
  release(...ts: (Tensor | undefined)[]): void {
    if (this.keepAll) return;
    for (const t of ts) t?.dispose();
  }
}

/**
 * Looks a parameter up. `forward` checked every parameter with `checkParams`; the public parts
 * (`blocks.ts`) get maps holding one unit's parameters, so a missing one is reported by name here
 * rather than as an undefined operand deep inside a kernel.
 * @throws ParamMismatchError naming the missing parameter.
 */
export function param(params: ParamMap, name: string): Tensor {
  const t = params.get(name);
  if (!t) throw new ParamMismatchError(name, `is missing from the ${params.size} parameters given to this part of the forward pass`);
  return t;
}

/** `y = x Wᵀ + b` with HF's `W: [out, in]`: x `[n, in]` → `[n, out]`. */
export function linear(x: Tensor, w: Tensor, b: Tensor, r: Releaser): Tensor {
  const y = matmul(x, w, { transB: true });
  const out = add(y, b);
  r.release(y);
  return out;
}

/** The elementwise activation named by the config. */
export function activate(x: Tensor, act: EncoderActivation): Tensor {
  switch (act) {
    case 'gelu':
      return gelu(x);
    case 'gelu_tanh':
      return geluTanh(x);
    case 'relu':
      return relu(x);
  }
}

/** LayerNorm with the parameters `{prefix}.weight` / `{prefix}.bias`. */
export function layerNormNamed(x: Tensor, params: ParamMap, names: { weight: string; bias: string }, eps: number): Tensor {
  return layerNorm(x, param(params, names.weight), param(params, names.bias), eps);
}

/** Shape facts of one forward pass. */
export interface Dims {
  readonly batch: number;
  readonly seqLen: number;
  readonly heads: number;
  readonly headDim: number;
}

/** `[B·T, H·dk]` → `[B, H, T, dk]`. */
function splitHeads(x: Tensor, dims: Dims, r: Releaser): Tensor {
  const v = x.reshape([dims.batch, dims.seqLen, dims.heads, dims.headDim]);
  const out = transpose(v, [0, 2, 1, 3]);
  r.release(v);
  return out;
}

/**
 * Multi-head self-attention up to (not including) W_O: returns the concatenated head contexts
 * `concat_j softmax(q_j k_jᵀ/√d_k + mask) v_j` as `[B·T, d]`, head j in columns `j·dk … (j+1)·dk`.
 * `mask` is `[B, T]` (1 real, 0 padding) or undefined when there is no padding.
 */
export function selfAttentionContext(
  u: Tensor,
  params: ParamMap,
  names: { query: { weight: string; bias: string }; key: { weight: string; bias: string }; value: { weight: string; bias: string } },
  mask: Tensor | undefined,
  dims: Dims,
  r: Releaser,
): Tensor {
  const heads: Tensor[] = [];
  for (const n of [names.query, names.key, names.value]) {
    const y = linear(u, param(params, n.weight), param(params, n.bias), r);
    heads.push(splitHeads(y, dims, r));
    r.release(y);
  }
  const [q, k, v] = heads;
  const c = attention(q, k, v, mask, 1 / Math.sqrt(dims.headDim));
  r.release(q, k, v);
  const ct = transpose(c, [0, 2, 1, 3]);
  r.release(c);
  const out = ct.reshape([dims.batch * dims.seqLen, dims.heads * dims.headDim]);
  r.release(ct);
  return out;
}
