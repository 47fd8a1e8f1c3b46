/**
 * Where a command's tensors live. The CLI keeps every model's parameters on the CPU: alignment solves
 * (assignment, Procrustes, f64 linear algebra), `applyTransform`, the mergers (f64 on the host), the
 * distances, the finiteness checks and saving all read parameters on the host. What runs on the
 * `--backend` device is the forward passes — evaluation (pseudo-perplexity, classification),
 * statistics collection (correlation, Gram, Fisher), `verify` and `predict` — on a device copy of
 * each parameter set, uploaded once the first time a forward pass needs it and read back once per
 * batch. On the CPU backend the "device copy" is the model itself, so nothing changes there.
 */
import type { Backend, Tensor } from '@symfuse/tensor';
import { tensor } from '@symfuse/tensor';

/** Parameters keyed by name. */
export type ParamMap = ReadonlyMap<string, Tensor>;

/** Device copies of parameter sets, keyed by the host map they were copied from. */
export class DeviceModels {
  readonly #copies = new Map<ParamMap, Map<string, Tensor>>();

  /** @param backend where forward passes run (`cpu`: every copy is the input itself). */
  constructor(readonly backend: Backend) {}

  /** True when forward passes run on the host parameters themselves (no copies are made). */
  get onHost(): boolean {
    return this.backend.name === 'cpu';
  }

  /**
   * The parameters on the device: `params` itself on the CPU, otherwise a copy uploaded on first use
   * (later calls with the same map return the same copy). Tensors already on the device are shared.
   * @throws Error naming a parameter that lives on another device (it cannot be read synchronously).
   */
  params(params: ParamMap): ParamMap {
    if (this.onHost) return params;
    const hit = this.#copies.get(params);
    if (hit) return hit;
    const copy = new Map<string, Tensor>();
    for (const [name, t] of params) {
      if (t.backend === this.backend) {
        copy.set(name, t);
        continue;
      }
      const host = t.backend.readSync(t.storage);
      if (!host) throw new Error(`DeviceModels: parameter '${name}' lives on backend '${t.backend.name}', not on the host; cannot copy it to '${this.backend.name}'`);
      copy.set(name, tensor(host, t.shape, { dtype: t.dtype, backend: this.backend }));
    }
    this.#copies.set(params, copy);
    return copy;
  }

  /** `model` with its parameters on the device (see {@link params}); other fields are kept. */
  model<M extends { readonly params: ParamMap }>(model: M): M {
    return this.onHost ? model : { ...model, params: this.params(model.params) };
  }

  /** Frees the device copy of `params` (a later {@link params} call uploads it again). */
  release(params: ParamMap): void {
    const copy = this.#copies.get(params);
    if (!copy) return;
    this.#copies.delete(params);
    for (const [name, t] of copy) if (params.get(name) !== t) t.dispose();
  }

  /** Frees every device copy. */
  dispose(): void {
    for (const params of [...this.#copies.keys()]) this.release(params);
  }
}
