/**
 * Reading tensors back to the host on any backend: the CPU backend hands out its storage without a
 * copy; a device backend (WebGPU) is read asynchronously. Evaluation reads once per batch, so the CPU
 * path costs one resolved `await` per batch, nothing per element.
 */
import type { Tensor, TypedArray } from '@symfuse/tensor';
import type { Params } from './interpolate.js';

/** The elements of `t` on the host: the CPU storage itself (treat as read-only), or a downloaded copy. */
export async function readHost(t: Tensor): Promise<TypedArray> {
  t.assertAlive('readHost');
  return t.backend.readSync(t.storage) ?? (await t.data());
}

/** The name of the backend of the first parameter that cannot be read synchronously (a device), or undefined. */
export function deviceBackendOf(params: Params): string | undefined {
  for (const t of params.values()) if (t.backend.readSync(t.storage) === undefined) return t.backend.name;
  return undefined;
}
