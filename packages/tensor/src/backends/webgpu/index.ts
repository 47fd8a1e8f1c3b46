/**
 * WebGPU backend of the tensor runtime (dawn.node; Mesa lavapipe on CPU-only machines): the backend,
 * a WGSL implementation of every primitive kernel, backend selection and the GPU auction solver.
 * See README.md beside this file.
 *
 * How to add a WebGPU kernel:
 * 1. Write a {@link GpuProgram}: `name`, a `key` of compile-time facts only (dtype, tile sizes —
 *    never shapes), WGSL in a `/* wgsl *\/` string with `override` constants for tile sizes and a
 *    bounds check on every access, and `bindings` in binding order (uniform last).
 * 2. Declare runtime sizes with {@link defineUniforms} and splice `layout.wgsl()` into the source.
 * 3. Implement `KernelImpl`: allocate outputs with `backend.allocate`, bind inputs with
 *    `backend.binding(storage, op)` (past `maxStorageBufferBindingSize`, split the work and bind
 *    windows: `kernels/windows.ts`),
 *    and `backend.dispatch({ program, storage, uniforms, workgroups, sizes, cost })`. Never await.
 * 4. `registerKernel(Def, 'webgpu', impl)` from a `register…Gpu()` function called by
 *    `kernels/index.ts`, and run the conformance suite on the `webgpu` backend.
 */
export { WebGpuBackend, WebGpuStorage, type MatmulVariant, type WebGpuBackendOptions, type WebGpuStats, type WebGpuTuning } from './webgpu-backend.js';
export { createWebGpuBackend, registerWebGpuBackend, selectBackend, type SelectBackendOptions } from './register.js';
export { registerWebGpuKernels, chooseMatmulProgram } from './kernels/index.js';
export { auctionAssignmentGpu, auctionGpuSolver, type AuctionGpuOptions, type AuctionGpuResult, type AssignmentSolver } from '../../assignment/auction-gpu/index.js';
export { GpuContext, isLavapipe, probeAdapter, requiredLimitsFor, REQUESTED_MAX_LIMITS, REQUESTED_MIN_LIMITS, type AdapterSummary, type GpuContextOptions, type LimitsForTesting } from './gpu-context.js';
export { GpuDeviceLostError, GpuOutOfMemoryError, GpuProgramError, GpuUnavailableError } from './gpu-errors.js';
export { BufferPool, bucketSize, type BufferPoolOptions, type BufferPoolStats } from './buffer-pool.js';
export { PipelineCache, programCacheKey, MAX_VARIANTS_PER_PROGRAM, type BindingKind, type CompiledProgram, type GpuProgram } from './pipeline-cache.js';
export { UniformArena, UniformLayout, defineUniforms, WORKGROUP_OFFSET_FIELDS, type UniformType } from './uniforms.js';
export { CommandBatcher, type BatcherOptions, type BatcherStats, type DispatchRequest, type StorageResource, type WorkgroupSpec } from './command-batcher.js';
export { GpuWaiter, type WaitOptions, type WaitStats, type WaitStrategy } from './gpu-wait.js';
export {
  foldWorkgroups,
  planDispatch,
  planBindingChunks,
  WGSL_LINEAR_WORKGROUP,
  WGSL_WORKGROUP_OFFSET,
  type BindingChunk,
  type ChunkPlanOptions,
  type DispatchPart,
  type Workgroups,
} from './limits-plan.js';
export { readBytes, writeBytes, MAX_WRITE_CHUNK } from './transfer.js';
export { BufferUsage, MapMode } from './gpu-constants.js';

