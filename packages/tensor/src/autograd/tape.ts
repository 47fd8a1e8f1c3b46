import { ValueError } from '../errors.js';
import { type KernelDef, setKernelObserver } from '../kernel.js';
import { add } from '../ops/elementwise.js';
import { Tensor, setViewObserver, zeros } from '../tensor.js';
import { gradientOf } from './registry.js';

interface TapeRecord {
  readonly def: KernelDef<unknown> | 'reshape';
  readonly inputs: readonly Tensor[];
  readonly attrs: unknown;
  readonly outputs: readonly Tensor[];
}

/** Result of {@link valueAndGrad}. */
export interface ValueAndGrad<K> {
  /** The scalar loss. */
  readonly value: Tensor;
  /** d value / d param for each watched parameter (zeros when the loss does not depend on it). */
  readonly grads: Map<K, Tensor>;
}

let recording = false;

/**
 * Reverse-mode automatic differentiation. Runs `loss()` while recording every kernel whose inputs
 * depend on a watched tensor, then walks the tape backwards applying each kernel's registered
 * gradient. Works on any backend (gradients are built from the same ops).
 *
 * Per-example gradients (Fisher): call it once per example (a batch of one).
 *
 * @param loss computes a one-element tensor from the watched tensors
 * @param wrt the tensors to differentiate with respect to, by key
 */
export function valueAndGrad<K>(loss: () => Tensor, wrt: ReadonlyMap<K, Tensor>): ValueAndGrad<K> {
  if (recording) throw new ValueError('valueAndGrad', 'nested valueAndGrad is not supported');
  const tracked = new Set<number>();
  for (const t of wrt.values()) tracked.add(t.id);
  const tape: TapeRecord[] = [];
  const prevKernel = setKernelObserver((def, inputs, attrs, outputs) => {
    if (inputs.some((t) => tracked.has(t.id))) {
      tape.push({ def, inputs, attrs, outputs });
      for (const o of outputs) tracked.add(o.id);
    }
  });
  const prevView = setViewObserver((input, output) => {
    if (tracked.has(input.id)) {
      tape.push({ def: 'reshape', inputs: [input], attrs: undefined, outputs: [output] });
      tracked.add(output.id);
    }
  });
  recording = true;
  let value: Tensor;
  try {
    value = loss();
  } finally {
    recording = false;
    setKernelObserver(prevKernel);
    setViewObserver(prevView);
  }
  if (value.size !== 1) throw new ValueError('valueAndGrad', `loss has shape [${value.shape}]; expected a single element`);

  const grads = new Map<number, Tensor>();
  const accumulate = (t: Tensor, g: Tensor): void => {
    const prev = grads.get(t.id);
    grads.set(t.id, prev ? add(prev, g) : g);
  };
  const seed = value.backend.upload(value.dtype === 'f64' ? new Float64Array([1]) : new Float32Array([1]), value.dtype);
  accumulate(value, new Tensor([...value.shape], value.dtype, seed));

  for (let r = tape.length - 1; r >= 0; r--) {
    const rec = tape[r];
    const dys = rec.outputs.map((o) => grads.get(o.id));
    if (dys.every((d) => d === undefined)) continue;
    if (rec.def === 'reshape') {
      accumulate(rec.inputs[0], dys[0]!.reshape(rec.inputs[0].shape));
      continue;
    }
    const fn = gradientOf(rec.def);
    if (!fn) throw new ValueError('valueAndGrad', `kernel '${rec.def.name}' has no registered gradient`);
    const dxs = fn(dys as Tensor[], rec.inputs, rec.attrs, rec.outputs);
    rec.inputs.forEach((input, i) => {
      const dx = dxs[i];
      if (dx && tracked.has(input.id)) accumulate(input, dx);
    });
  }

  const out = new Map<K, Tensor>();
  for (const [k, t] of wrt) {
    out.set(k, grads.get(t.id) ?? zeros(t.shape, { dtype: t.dtype, backend: t.backend }));
  }
  return { value, grads: out };
}

