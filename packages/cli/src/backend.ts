/**
 * `--backend cpu|webgpu`. The CPU backend is always there. WebGPU is registered from
 * `@symfuse/tensor/webgpu` on demand; it is refused with a clear error when no adapter can be
 * created, when kernels the encoder needs have no WebGPU implementation yet, or (for now) always: the
 * CLI's jobs read tensors synchronously, which a GPU backend cannot serve.
 */
import { type Backend, getBackend, initBackend, kernelsFor } from '@symfuse/tensor';
import { CliError, UsageError } from './errors.js';

/** Backends the CLI knows. */
export const BACKENDS = ['cpu', 'webgpu'] as const;

/** Selects (and initialises) the backend named by `--backend` (default cpu). */
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
  const cpu = new Set(kernelsFor('cpu'));
  const gpu = new Set(kernelsFor('webgpu'));
  const missing = [...cpu].filter((k) => !gpu.has(k));
  if (missing.length) {
    throw new CliError(`backend 'webgpu' started but ${missing.length} of ${cpu.size} kernels have no WebGPU implementation yet (e.g. ${missing.slice(0, 5).join(', ')}); use --backend cpu`);
  }
  // Every kernel is there, but the CLI's evaluation, statistics and checks read results with
  // synchronous reads (dataSync), which a GPU backend cannot serve. Refuse clearly rather than fail
  // half-way through a job.
  throw new CliError(`backend 'webgpu' started (${gpu.size} kernels), but the CLI's evaluation and statistics read tensors synchronously, which WebGPU cannot serve yet; use --backend cpu`);
}
