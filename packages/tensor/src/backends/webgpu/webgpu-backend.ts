/**
 * The WebGPU backend: tensors live in pooled storage buffers, kernels enqueue dispatches into a
 * command batcher, and only reads (and `sync()`) wait for the GPU.
 */
import type { Backend, Storage } from '../../backend.js';
import { BYTES_PER_ELEMENT, type DType, type TypedArray, dtypeOfArray } from '../../dtype.js';
import { DTypeError, ValueError } from '../../errors.js';
import { BufferPool, type BufferPoolStats } from './buffer-pool.js';
import { type BatcherStats, CommandBatcher, type DispatchRequest } from './command-batcher.js';
import { READBACK_USAGE, STORAGE_USAGE } from './gpu-constants.js';
import { GpuContext, type GpuContextOptions, isLavapipe } from './gpu-context.js';
import { GpuDeviceLostError } from './gpu-errors.js';
import { GpuWaiter, type WaitOptions, type WaitStats } from './gpu-wait.js';
import { type BindingChunk, planBindingChunks } from './limits-plan.js';
import { PipelineCache } from './pipeline-cache.js';
import { readBytes, writeBytes } from './transfer.js';
import { UniformArena } from './uniforms.js';

/**
 * A tensor's GPU storage: a pooled buffer (possibly larger than needed: bind it with
 * {@link WebGpuBackend.binding}, never as a whole) and the device generation it was made on.
 * f64 is stored as raw 8-byte values: uploads and reads round-trip exactly, but WGSL has no f64,
 * so kernels must reject or convert it.
 */
export class WebGpuStorage implements Storage {
  refCount = 1;
  #released = false;
  constructor(
    readonly backend: WebGpuBackend,
    readonly dtype: DType,
    readonly size: number,
    readonly buffer: GPUBuffer,
    readonly generation: number,
  ) {}

  /** Bytes of the elements (without the pool's rounding). */
  get byteLength(): number {
    return this.size * BYTES_PER_ELEMENT[this.dtype];
  }

  /** @internal marks release; returns false if it was already released. */
  markReleased(): boolean {
    if (this.#released) return false;
    this.#released = true;
    return true;
  }

  /** True after the backend took the buffer back. */
  get isReleased(): boolean {
    return this.#released;
  }
}

/** Options of {@link WebGpuBackend.create}. */
export interface WebGpuBackendOptions extends GpuContextOptions {
  /** Dispatches per submit (default 64). */
  readonly maxDispatchesPerBatch?: number;
  /** How reads wait for the GPU (default: sleep first, see `gpu-wait.ts`). */
  readonly wait?: WaitOptions;
  /** Free storage bytes the pool keeps for reuse (default 1 GiB). */
  readonly maxPooledBytes?: number;
  /** Bytes of the per-batch uniform arena (default 64 KiB); a full arena submits the batch early. */
  readonly uniformArenaBytes?: number;
  /**
   * Matmul program family (default `auto`): `register` = vec4 register blocking without workgroup
   * memory (fastest on Mesa lavapipe, where barriers are coroutine switches), `tiled` = workgroup-memory
   * tiles with register blocking (what wins on a real GPU). `auto` picks by adapter.
   */
  readonly matmul?: 'auto' | MatmulVariant;
  /** Threads per workgroup of row-wise kernels (softmax, layerNorm, reductions); a power of two. Default: 64 on lavapipe, 256 elsewhere. */
  readonly rowThreads?: number;
}

/** The two matmul program families (see {@link WebGpuBackendOptions.matmul}). */
export type MatmulVariant = 'register' | 'tiled';

/** Kernel choices of a backend; mutable so benchmarks can compare variants on one device. */
export interface WebGpuTuning {
  matmul: MatmulVariant;
  rowThreads: number;
}

/** Everything the backend counts, for benchmarks and leak checks. */
export interface WebGpuStats {
  readonly storage: BufferPoolStats;
  readonly staging: BufferPoolStats;
  readonly pipelines: { compiles: number; hits: number; size: number; failed: number };
  readonly batcher: BatcherStats;
  readonly wait: WaitStats;
  readonly deviceGeneration: number;
}

const ARRAY_OF: Record<DType, (b: ArrayBuffer) => TypedArray> = {
  f32: (b) => new Float32Array(b),
  f64: (b) => new Float64Array(b),
  i32: (b) => new Int32Array(b),
};

/** {@link Backend} on WebGPU (dawn.node): Vulkan/Metal/D3D GPUs, or Mesa lavapipe on the CPU. */
export class WebGpuBackend implements Backend {
  readonly name = 'webgpu';
  readonly context: GpuContext;
  readonly pool: BufferPool;
  readonly staging: BufferPool;
  readonly pipelines: PipelineCache;
  readonly uniforms: UniformArena;
  readonly batcher: CommandBatcher;
  readonly waiter: GpuWaiter;
  /** Kernel variants chosen for this adapter (overridable, see {@link WebGpuBackendOptions}). */
  readonly tuning: WebGpuTuning;
  #disposed = false;

  private constructor(context: GpuContext, options: WebGpuBackendOptions) {
    this.context = context;
    this.pool = new BufferPool(context, { usage: STORAGE_USAGE, label: 'tensor', maxFreeBytes: options.maxPooledBytes });
    this.staging = new BufferPool(context, { usage: READBACK_USAGE, label: 'readback', maxFreeBytes: 256 * 2 ** 20 });
    this.pipelines = new PipelineCache(context);
    this.uniforms = new UniformArena(context, options.uniformArenaBytes ?? 64 * 1024);
    this.waiter = new GpuWaiter(options.wait);
    const soft = isLavapipe(context.adapterInfo);
    const rowThreads = options.rowThreads ?? (soft ? 64 : 256);
    if (!Number.isInteger(Math.log2(rowThreads)) || rowThreads < 1 || rowThreads > context.limits.maxComputeInvocationsPerWorkgroup) {
      throw new ValueError('WebGpuBackend', `rowThreads ${rowThreads} must be a power of two ≤ ${context.limits.maxComputeInvocationsPerWorkgroup}`);
    }
    this.tuning = { matmul: !options.matmul || options.matmul === 'auto' ? (soft ? 'register' : 'tiled') : options.matmul, rowThreads };
    this.batcher = new CommandBatcher(context, this.pipelines, this.uniforms, [this.pool, this.staging], {
      maxDispatches: options.maxDispatchesPerBatch,
      onSubmit: (cost, n) => this.waiter.onSubmit(cost, n),
    });
    context.onDeviceChange(() => {
      // The lost device took every buffer and pipeline with it.
      this.batcher.reset();
      this.pool.reset(false);
      this.staging.reset(false);
      this.pipelines.reset();
      this.uniforms.reset(false);
    });
  }

  /**
   * Creates the backend (adapter, device with maximal limits, pools).
   * @throws GpuUnavailableError when no adapter exists.
   */
  static async create(options: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
    return new WebGpuBackend(await GpuContext.create(options), options);
  }

  describe(): string {
    return this.context.describe();
  }

  #check(storage: Storage, op: string): WebGpuStorage {
    const s = storage as WebGpuStorage;
    if (s.backend !== this) throw new ValueError(op, `storage belongs to backend '${storage.backend.name}', not this WebGPU backend`);
    if (s.generation !== this.context.generation) {
      throw new GpuDeviceLostError(op, `tensor storage (${s.dtype}, ${s.size} elements) lived on a GPU device that was lost; its contents are gone`);
    }
    if (s.isReleased) throw new GpuDeviceLostError(op, `tensor storage (${s.dtype}, ${s.size} elements) was already released`);
    return s;
  }

  allocate(dtype: DType, size: number): WebGpuStorage {
    // Throws (and starts recreation) while the device is lost, before a pooled buffer of the dead
    // device could be handed out.
    this.context.deviceFor('allocate');
    const bytes = size * BYTES_PER_ELEMENT[dtype];
    const buffer = this.pool.acquire(bytes, `${dtype}[${size}]`);
    return new WebGpuStorage(this, dtype, size, buffer, this.context.generation);
  }

  upload(data: TypedArray, dtype: DType): WebGpuStorage {
    if (dtypeOfArray(data) !== dtype) throw new DTypeError('upload', `array is ${data.constructor.name} but dtype is ${dtype}`);
    const storage = this.allocate(dtype, data.length);
    if (data.length > 0) writeBytes(this.context.deviceFor('upload'), storage.buffer, 0, data);
    return storage;
  }

  adopt(data: TypedArray, dtype: DType): WebGpuStorage {
    return this.upload(data, dtype);
  }

  /** Device storage cannot be read synchronously. */
  readSync(): undefined {
    return undefined;
  }

  async read(storage: Storage): Promise<TypedArray> {
    const s = this.#check(storage, 'read');
    if (s.size === 0) return ARRAY_OF[s.dtype](new ArrayBuffer(0));
    const bytes = await readBytes(this, 'read', s.buffer, 0, s.byteLength);
    return ARRAY_OF[s.dtype](bytes);
  }

  /** Reads raw bytes of any buffer of this backend (diagnostics and tests; `read` is the normal path). */
  async readBuffer(buffer: GPUBuffer, byteOffset: number, byteLength: number): Promise<ArrayBuffer> {
    return readBytes(this, 'readBuffer', buffer, byteOffset, byteLength);
  }

  /** Queued copy of `bytes` bytes between storages (for kernels such as reshape-copies). */
  copy(src: Storage, srcByteOffset: number, dst: Storage, dstByteOffset: number, bytes: number): void {
    const a = this.#check(src, 'copy');
    const b = this.#check(dst, 'copy');
    this.batcher.copy(a.buffer, srcByteOffset, b.buffer, dstByteOffset, bytes, 'copy');
  }

  release(storage: Storage): void {
    const s = storage as WebGpuStorage;
    if (!s.markReleased()) return;
    if (s.generation !== this.context.generation || this.#disposed) return;
    this.pool.release(s.buffer);
    if (this.batcher.isEmpty) this.pool.recycle();
  }

  /**
   * Submits queued work and waits for it; throws the first GPU error collected. After a device
   * loss it waits for the replacement device and then throws {@link GpuDeviceLostError} once, so
   * that the caller knows queued results are gone; later calls work on the new device.
   */
  async sync(): Promise<void> {
    if (this.context.isLost) {
      await this.context.ready('sync');
      throw new GpuDeviceLostError('sync', 'the GPU device was lost and has been recreated; tensors made before the loss are gone');
    }
    this.batcher.flush();
    const device = this.context.deviceFor('sync');
    await this.waiter.wait(() => device.queue.onSubmittedWorkDone());
    await this.context.checkErrors('sync');
  }

  /** Queues a kernel launch (see {@link CommandBatcher.dispatch}). */
  dispatch(req: DispatchRequest): void {
    this.batcher.dispatch(req);
  }

  /** Submits the open batch now without waiting (lets the GPU start while the CPU keeps encoding). */
  flush(): void {
    this.batcher.flush();
  }

  /** The storage's exact binding range (`size` = its bytes, at least 4), validated for `op`. */
  binding(storage: Storage, op: string): GPUBufferBinding {
    const s = this.#check(storage, op);
    return { buffer: s.buffer, offset: 0, size: Math.max(4, Math.ceil(s.byteLength / 4) * 4) };
  }

  /**
   * Splits a storage into bindings within `maxStorageBufferBindingSize` holding whole units of
   * `granularity` elements (e.g. a row length). One chunk when it fits.
   */
  chunks(storage: Storage, op: string, granularity = 1): (BindingChunk & { binding: GPUBufferBinding })[] {
    const s = this.#check(storage, op);
    const limits = this.context.limits;
    return planBindingChunks(op, {
      elements: s.size,
      bytesPerElement: BYTES_PER_ELEMENT[s.dtype],
      maxBindingBytes: limits.maxStorageBufferBindingSize,
      offsetAlignment: limits.minStorageBufferOffsetAlignment,
      granularity,
    }).map((c) => ({ ...c, binding: { buffer: s.buffer, offset: c.byteOffset, size: c.byteSize } }));
  }

  /** Destroys pooled free buffers beyond `keepBytes` (e.g. between phases of a long job). */
  trim(keepBytes = 0): void {
    this.pool.trim(keepBytes);
    this.staging.trim(0);
  }

  /** Counters of pools, caches, batching and waiting. */
  stats(): WebGpuStats {
    return {
      storage: this.pool.stats(),
      staging: this.staging.stats(),
      pipelines: this.pipelines.stats(),
      batcher: this.batcher.stats(),
      wait: this.waiter.stats(),
      deviceGeneration: this.context.generation,
    };
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.batcher.reset();
    this.pool.reset(true);
    this.staging.reset(true);
    this.uniforms.reset(true);
    this.pipelines.reset();
    this.context.destroy();
  }
}
