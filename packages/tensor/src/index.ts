/**
 * @symfuse/tensor — a small tensor runtime: tensors, a kernel registry keyed by definition and
 * backend, a pure-TS CPU backend and a WebGPU backend, f64 linear algebra, linear assignment,
 * a seeded RNG and reverse-mode autograd.
 */
import { registerGradients } from './autograd/gradients.js';
import { ensureCpuBackend } from './backends/cpu/index.js';

export * from './dtype.js';
export * from './errors.js';
export * from './shape.js';
export * from './backend.js';
export * from './scope.js';
export * from './tensor.js';
export * from './kernel.js';
export * as kernels from './kernels/defs.js';
export * from './ops/index.js';
export { CpuBackend, ensureCpuBackend } from './backends/cpu/index.js';
export * from './stats/cross-moments.js';
export * from './autograd/index.js';
export * from './random/index.js';
export * from './assignment/index.js';
export * as linalg from './linalg/index.js';

// The CPU backend is always available: register it (idempotently) when the package loads.
ensureCpuBackend();
registerGradients();
