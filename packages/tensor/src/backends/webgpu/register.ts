/**
 * Creating, registering and choosing the WebGPU backend: kernels are registered together with the
 * backend, so a `webgpu` backend obtained through these functions runs every primitive.
 */
import { type Backend, getBackend, initBackend, registerBackend } from '../../backend.js';
import { GpuUnavailableError } from './gpu-errors.js';
import { registerWebGpuKernels } from './kernels/index.js';
import { WebGpuBackend, type WebGpuBackendOptions } from './webgpu-backend.js';

/**
 * Creates a WebGPU backend instance with every kernel registered. The instance is not put in the
 * backend registry (use {@link registerWebGpuBackend} + `initBackend('webgpu')` for that); the caller
 * owns it and should `dispose()` it.
 * @throws GpuUnavailableError when no adapter exists.
 */
export async function createWebGpuBackend(options: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
  registerWebGpuKernels();
  return WebGpuBackend.create(options);
}

let registeredKey: string | undefined;

/**
 * Registers the `webgpu` backend factory (asynchronous: `await initBackend('webgpu')`) and every
 * WebGPU kernel. Calling it again with equal options keeps the existing instance; different options
 * replace the factory (the next `initBackend` creates a new instance).
 */
export function registerWebGpuBackend(options: WebGpuBackendOptions = {}): void {
  registerWebGpuKernels();
  const key = JSON.stringify(options);
  if (key === registeredKey) return;
  registeredKey = key;
  registerBackend('webgpu', () => WebGpuBackend.create(options));
}

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /**
   * `webgpu`: WebGPU or an error saying why not; `cpu`: the CPU backend; absent: WebGPU when an
   * adapter exists, the CPU otherwise.
   */
  readonly prefer?: 'webgpu' | 'cpu';
  /** Options of the WebGPU backend when it is created. */
  readonly webgpu?: WebGpuBackendOptions;
}

/**
 * The backend to run on: WebGPU when an adapter exists (registered as `webgpu`, so
 * `getBackend('webgpu')` returns it afterwards), the CPU otherwise; `prefer` overrides the choice
 * (what a `--backend` flag maps to).
 * @throws GpuUnavailableError when `prefer: 'webgpu'` and no adapter exists.
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<Backend> {
  if (options.prefer === 'cpu') return getBackend('cpu');
  registerWebGpuBackend(options.webgpu);
  try {
    return await initBackend('webgpu');
  } catch (e) {
    if (options.prefer !== 'webgpu' && e instanceof GpuUnavailableError) return getBackend('cpu');
    throw e;
  }
}
