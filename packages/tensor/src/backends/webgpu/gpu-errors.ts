/**
 * Errors of the WebGPU backend. Every message names the program (or buffer) involved and the sizes
 * seen, because a GPU error surfaces asynchronously, far from the call that caused it.
 */
import { TensorError } from '../../errors.js';

/** No WebGPU adapter could be obtained (no Vulkan/Metal/D3D driver, or lavapipe not installed). */
export class GpuUnavailableError extends TensorError {}

/**
 * A WebGPU validation or internal error attributed to a program: a WGSL compile failure, a bad
 * binding, a dispatch over a limit. `program` is the program name; `detail` is Dawn's message.
 */
export class GpuProgramError extends TensorError {
  constructor(
    op: string,
    /** Program names (with sizes) involved, e.g. `matmul[768x768x768]`. */
    readonly programs: readonly string[],
    /** The underlying WebGPU message. */
    readonly detail: string,
  ) {
    super(op, `${detail}${programs.length ? `\n  while running: ${programs.join(', ')}` : ''}`);
  }
}

/** The device ran out of memory allocating a buffer (the size is in the message). */
export class GpuOutOfMemoryError extends TensorError {}

/**
 * The device was lost (driver reset, `destroy()` from outside, …). The context recreates a device
 * on the next call; storages created on the lost device are gone and using them throws this too.
 */
export class GpuDeviceLostError extends TensorError {}
