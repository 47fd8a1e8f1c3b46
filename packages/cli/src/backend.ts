/**
 * `--backend cpu|webgpu`. The CPU backend is always there. WebGPU is registered from
 * `@symfuse/tensor/webgpu` on demand; it is refused with a clear error when no adapter can be
 * created, or when kernels the encoder needs have no WebGPU implementation. With WebGPU the forward
 * passes (evaluation, statistics, verify, predict) run on the GPU and read back once per batch; the
 * parameters' host copies serve the rest (see `device.ts`).
 */
import { type Backend, getBackend, initBackend, kernelsFor } from '@symfuse/tensor';
import { CliError, UsageError } from './errors.js';

/** Backends the CLI knows. */
export const BACKENDS = ['cpu', 'webgpu'] as const;

/**
 * Selects (and initialises) the backend named by `--backend` (default cpu).
 * @throws UsageError for an unknown name; CliError when WebGPU is unavailable or incomplete.
 */
export async function selectBackend(name: string | undefined, command: string): Promise<Backend> {
  const wanted = name ?? 'cpu';
  if (!(BACKENDS as readonly string[]).includes(wanted)) throw new UsageError(`--backend ${JSON.stringify(wanted)}: expected one of ${BACKENDS.join(', ')}`, command);
  if (wanted === 'cpu') return getBackend('cpu');
  let backend: Backend;
  try {
    const { registerWebGpuBackend } = await import('@symfuse/tensor/webgpu');
    registerWebGpuBackend();
    backend = await initBackend('webgpu');
  } catch (e) {
    throw new CliError(`backend 'webgpu' is unavailable: ${(e as Error).message.split('\n')[0]} (use --backend cpu)`);
  }
  const gpu = new Set(kernelsFor('webgpu'));
  const missing = kernelsFor('cpu').filter((k) => !gpu.has(k));
  if (missing.length) {
    throw new CliError(`backend 'webgpu' started but ${missing.length} kernels have no WebGPU implementation yet (e.g. ${missing.slice(0, 5).join(', ')}); use --backend cpu`);
  }
  return backend;
}
