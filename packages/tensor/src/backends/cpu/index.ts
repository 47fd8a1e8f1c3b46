import { registerBackend } from '../../backend.js';
import { CpuBackend } from './cpu-backend.js';
import { registerCpuKernels } from './kernels/index.js';

export { CpuBackend, CpuStorage, cpuArray } from './cpu-backend.js';

let registered = false;

/** Registers the CPU backend and all its kernels (idempotent). Called by the package index. */
export function ensureCpuBackend(): void {
  if (registered) return;
  registered = true;
  registerCpuKernels();
  registerBackend('cpu', () => new CpuBackend());
}
