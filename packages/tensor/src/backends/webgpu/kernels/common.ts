/**
 * Helpers shared by the WebGPU kernel implementations: backend/dtype checks, output allocation,
 * whole-tensor bindings that respect `maxStorageBufferBindingSize`, element-range chunking for
 * elementwise kernels, and a memo for program objects (one object per compile-time key). Windows
 * for the other kernels' chunking are in `windows.ts`.
 */
import type { Backend, Storage } from '../../../backend.js';
import type { DType } from '../../../dtype.js';
import { DTypeError, ShapeError, ValueError, fmtShape } from '../../../errors.js';
import type { TensorInfo } from '../../../kernel.js';
import type { GpuProgram } from '../pipeline-cache.js';
import { WebGpuBackend, type WebGpuStorage } from '../webgpu-backend.js';

/** Threads per workgroup of the 1-D (elementwise / layout) kernels. */
export const WG_1D = 256;

/** The backend as a {@link WebGpuBackend}, or a clear error naming `op`. */
export function gpuOf(backend: Backend, op: string): WebGpuBackend {
  if (!(backend instanceof WebGpuBackend)) {
    throw new ValueError(op, `the webgpu kernel was called with backend '${backend.name}'; expected a WebGpuBackend`);
  }
  return backend;
}

/**
 * WGSL has no f64: every WebGPU kernel rejects f64 operands with this error (cast to f32 first, or
 * run the op on the CPU backend).
 */
export function rejectF64(op: string, ...infos: readonly ({ readonly dtype: DType } | undefined)[]): void {
  for (const t of infos) {
    if (t?.dtype === 'f64') {
      throw new DTypeError(op, 'f64 is not supported on the webgpu backend (WGSL has no f64); cast to f32 first or run this op on the cpu backend');
    }
  }
}

/** The WGSL scalar type of an f32/i32 tensor. */
export function wgslScalar(dtype: DType, op: string): 'f32' | 'i32' {
  if (dtype === 'f32') return 'f32';
  if (dtype === 'i32') return 'i32';
  rejectF64(op, { dtype });
  throw new DTypeError(op, `dtype ${dtype} is not supported on the webgpu backend`);
}

/** Allocates the output storage of `info` (contents unspecified: the kernel writes every element). */
export function allocOut(gpu: WebGpuBackend, info: TensorInfo): WebGpuStorage {
  return gpu.allocate(info.dtype, info.shape.reduce((p, d) => p * d, 1));
}

/**
 * Binding of a whole tensor, checked against `maxStorageBufferBindingSize`, for operands that stay
 * small whatever the model (index arrays, LayerNorm's gamma and beta, attention masks, CenteredCross
 * means): past the limit it names the op, the operand and its shape.
 */
export function bindWhole(gpu: WebGpuBackend, storage: Storage, op: string, what: string, shape?: readonly number[]): GPUBufferBinding {
  const binding = gpu.binding(storage, op);
  const max = gpu.context.limits.maxStorageBufferBindingSize;
  if ((binding.size ?? 0) > max) {
    throw new ShapeError(
      op,
      `${what}${shape ? ` ${fmtShape(shape)}` : ''} needs ${binding.size} bytes in one storage binding; this device allows ${max} (maxStorageBufferBindingSize) and ${op} cannot split it`,
    );
  }
  return binding;
}

/** A range of elements bound as one storage binding of each operand of an elementwise kernel. */
export interface ElementChunk {
  readonly offset: number;
  readonly count: number;
}

/**
 * Splits `n` elements of 4-byte operands into ranges whose bindings fit the device limit and start
 * at aligned offsets. One range when everything fits.
 */
export function elementChunks(gpu: WebGpuBackend, n: number): ElementChunk[] {
  const limits = gpu.context.limits;
  const maxElems = Math.floor(limits.maxStorageBufferBindingSize / 4);
  if (n <= maxElems) return [{ offset: 0, count: n }];
  const align = Math.max(1, limits.minStorageBufferOffsetAlignment / 4);
  const per = Math.floor(maxElems / align) * align;
  const out: ElementChunk[] = [];
  for (let o = 0; o < n; o += per) out.push({ offset: o, count: Math.min(per, n - o) });
  return out;
}

/** The binding of elements `[chunk.offset, chunk.offset + chunk.count)` of a 4-byte storage. */
export function bindRange(gpu: WebGpuBackend, storage: Storage, op: string, chunk: ElementChunk): GPUBufferBinding {
  const whole = gpu.binding(storage, op);
  if (chunk.offset === 0 && chunk.count * 4 >= (whole.size ?? 0) - 3) return whole;
  return { buffer: whole.buffer, offset: chunk.offset * 4, size: Math.max(4, chunk.count * 4) };
}

/** Memoises program objects by key, so a program's WGSL is generated once per variant. */
export function programMemo<K extends string>(make: (key: K) => GpuProgram): (key: K) => GpuProgram {
  const cache = new Map<K, GpuProgram>();
  return (key) => {
    let p = cache.get(key);
    if (!p) cache.set(key, (p = make(key)));
    return p;
  };
}

/** Sizes string for labels, e.g. `[2,3]x[3]`. */
export function sizesOf(...shapes: readonly (readonly number[])[]): string {
  return shapes.map((s) => `[${s.join(',')}]`).join('x');
}
