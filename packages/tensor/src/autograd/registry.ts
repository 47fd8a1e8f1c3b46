import type { KernelDef } from '../kernel.js';
import type { Tensor } from '../tensor.js';

/**
 * A kernel's vector–Jacobian product: given the output gradients `dys`, returns one gradient per
 * input (null where the input is not differentiable, e.g. indices).
 */
export type GradientFn<A> = (dys: readonly Tensor[], inputs: readonly Tensor[], attrs: A, outputs: readonly Tensor[]) => (Tensor | null)[];

const gradients = new Map<KernelDef<unknown>, GradientFn<never>>();

/** Registers the gradient of kernel `def`. */
export function registerGradient<A>(def: KernelDef<A>, fn: GradientFn<A>): void {
  gradients.set(def as KernelDef<unknown>, fn as GradientFn<never>);
}

/** The gradient of `def`, if registered. */
export function gradientOf(def: KernelDef<unknown>): GradientFn<unknown> | undefined {
  return gradients.get(def) as GradientFn<unknown> | undefined;
}
