import type { Backend, Storage } from './backend.js';
import { getBackend } from './backend.js';
import type { DType } from './dtype.js';
import { MissingKernelError, ValueError } from './errors.js';
import { Tensor } from './tensor.js';

/** Shape and dtype of a tensor, without its data: what shape inference works on. */
export interface TensorInfo {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/**
 * A kernel definition: the backend-independent contract of one primitive (name, input arity,
 * validation and shape/dtype inference). The definition object itself is the registry key, so an
 * implementation registered for it is typed by its attributes without casts.
 *
 * How to add a kernel:
 * 1. Define it in `kernels/defs.ts` with {@link defineKernel}: validate inputs in `infer` and throw
 *    errors that name the op, the shapes seen and what was expected.
 * 2. Implement it for the CPU in `backends/cpu/kernels/` and register it in that backend's index.
 * 3. Add a public op in `ops/` that calls {@link runKernel}, and a gradient in `autograd/` if it is
 *    differentiable.
 * 4. Add a naive oracle and a conformance suite in `testing/`; WebGPU implements it as an override.
 */
export interface KernelDef<A> {
  readonly name: string;
  /** Validates the inputs and returns the outputs' shapes and dtypes. */
  readonly infer: (inputs: readonly TensorInfo[], attrs: A) => TensorInfo[];
  /** Phantom field carrying the attribute type; never set. */
  readonly __attrs?: A;
}

/** Creates a kernel definition. */
export function defineKernel<A>(name: string, infer: (inputs: readonly TensorInfo[], attrs: A) => TensorInfo[]): KernelDef<A> {
  return Object.freeze({ name, infer });
}

/**
 * A backend's implementation of a kernel: receives live input tensors (all on `backend`), the
 * attributes and the inferred outputs, and returns one new storage per output.
 */
export type KernelImpl<A> = (inputs: readonly Tensor[], attrs: A, outputs: readonly TensorInfo[], backend: Backend) => Storage[];

// Keyed by definition object, then backend name.
const registry = new Map<KernelDef<never>, Map<string, KernelImpl<never>>>();

/** Registers `impl` as the implementation of `def` on the backend called `backendName`. */
export function registerKernel<A>(def: KernelDef<A>, backendName: string, impl: KernelImpl<A>): void {
  const key = def as unknown as KernelDef<never>;
  let byBackend = registry.get(key);
  if (!byBackend) registry.set(key, (byBackend = new Map()));
  byBackend.set(backendName, impl as unknown as KernelImpl<never>);
}

/** The implementation of `def` on `backendName`, or undefined. */
export function findKernel<A>(def: KernelDef<A>, backendName: string): KernelImpl<A> | undefined {
  return registry.get(def as unknown as KernelDef<never>)?.get(backendName) as KernelImpl<A> | undefined;
}

/** Names of the kernels registered for a backend (for coverage checks and error messages). */
export function kernelsFor(backendName: string): string[] {
  const out: string[] = [];
  for (const [def, byBackend] of registry) if (byBackend.has(backendName)) out.push(def.name);
  return out.sort();
}

/** Observer of every kernel run; the autograd tape installs one while recording. */
export type KernelObserver = (def: KernelDef<unknown>, inputs: readonly Tensor[], attrs: unknown, outputs: readonly Tensor[]) => void;
let observer: KernelObserver | undefined;

/** Installs (or removes, with `undefined`) the kernel observer; returns the previous one. */
export function setKernelObserver(next: KernelObserver | undefined): KernelObserver | undefined {
  const prev = observer;
  observer = next;
  return prev;
}

/**
 * Runs a kernel: checks that inputs are alive and on one backend, infers outputs, dispatches to
 * that backend's implementation and wraps the results. Kernels without inputs run on `backend`
 * (default: the default backend).
 */
export function runKernel<A>(def: KernelDef<A>, inputs: readonly Tensor[], attrs: NoInfer<A>, backend?: Backend): Tensor[] {
  for (const t of inputs) t.assertAlive(def.name);
  const target = inputs.length > 0 ? inputs[0].backend : (backend ?? getBackend());
  for (const t of inputs) {
    if (t.backend !== target) {
      throw new ValueError(def.name, `inputs live on different backends ('${target.name}' and '${t.backend.name}'); move them with toBackend() first`);
    }
  }
  const infos = def.infer(inputs, attrs);
  const impl = findKernel(def, target.name);
  if (!impl) {
    throw new MissingKernelError(def.name, `no implementation on backend '${target.name}'; implemented there: ${kernelsFor(target.name).join(', ') || '(none)'}`);
  }
  const storages = impl(inputs, attrs, infos, target);
  const outputs = storages.map((s, i) => new Tensor([...infos[i].shape], infos[i].dtype, s));
  if (observer) observer(def as KernelDef<unknown>, inputs, attrs, outputs);
  return outputs;
}

/** Convenience for single-output kernels. */
export function runKernel1<A>(def: KernelDef<A>, inputs: readonly Tensor[], attrs: NoInfer<A>, backend?: Backend): Tensor {
  return runKernel(def, inputs, attrs, backend)[0];
}
