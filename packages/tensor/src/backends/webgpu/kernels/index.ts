/**
 * Registers a WebGPU implementation of every primitive kernel of `kernels/defs.ts` under the backend
 * name `webgpu`. Idempotent. The conformance suites (`test/webgpu-conformance*.test.ts`) check each
 * against the same oracles as the CPU.
 */
import { registerAttentionGpu } from './attention.js';
import { registerElementwiseGpu } from './elementwise.js';
import { registerGatherGpu } from './gather.js';
import { registerLayerNormGpu } from './layer-norm.js';
import { registerLayoutGpu } from './layout.js';
import { registerMatmulGpu } from './matmul.js';
import { registerReduceGpu } from './reduce.js';

export { chooseMatmulProgram, enqueueMatmul, type MatmulCall } from './matmul.js';
export { wgslMath } from './wgsl-math.js';

let registered = false;

/** Registers every WebGPU kernel (idempotent). */
export function registerWebGpuKernels(): void {
  if (registered) return;
  registered = true;
  registerElementwiseGpu();
  registerMatmulGpu();
  registerLayoutGpu();
  registerGatherGpu();
  registerReduceGpu();
  registerLayerNormGpu();
  registerAttentionGpu();
}
