/**
 * Size-bucketed reuse of GPU buffers. Creating a buffer costs a driver allocation (and zeroing);
 * transformer workloads allocate the same few sizes over and over, so released buffers are kept
 * per bucket and handed out again.
 *
 * Reuse hazard: WebGPU orders `queue.writeBuffer` before any command buffer submitted later, so a
 * buffer released while an unsubmitted batch still reads it must not be rewritten until that batch
 * is submitted. Released buffers therefore wait in quarantine until {@link BufferPool.recycle}
 * (called by the command batcher after each submit, or at once when nothing is pending).
 */
import type { GpuContext } from './gpu-context.js';
import { GpuOutOfMemoryError } from './gpu-errors.js';

/** Counters of a pool (bytes are bucket sizes, i.e. what the GPU really holds). */
export interface BufferPoolStats {
  /** Buffers handed out and not yet released. */
  readonly liveBuffers: number;
  readonly liveBytes: number;
  /** Buffers waiting for reuse (including quarantined ones). */
  readonly freeBuffers: number;
  readonly freeBytes: number;
  /** `createBuffer` calls so far. */
  readonly created: number;
  /** Acquisitions served from the free lists. */
  readonly reused: number;
  /** Buffers destroyed by trimming or by the free-bytes cap. */
  readonly destroyed: number;
  /** Highest `liveBytes + freeBytes` seen. */
  readonly peakBytes: number;
}

/** Options of a {@link BufferPool}. */
export interface BufferPoolOptions {
  /** `GPUBufferUsage` bits of every buffer of this pool. */
  readonly usage: number;
  /** Label prefix (appears in WebGPU error messages). */
  readonly label: string;
  /** Free buffers beyond this many bytes are destroyed instead of kept (default 1 GiB). */
  readonly maxFreeBytes?: number;
}

const MIN_BUCKET = 256;

/**
 * Rounds a byte size up to its bucket: a power of two times 1, 1.25, 1.5 or 1.75 (at most 25%
 * waste, few distinct sizes), at least 256 bytes, always a multiple of 256.
 */
export function bucketSize(bytes: number): number {
  if (!(bytes >= 0) || !Number.isFinite(bytes)) throw new RangeError(`bucketSize: ${bytes} is not a byte count`);
  if (bytes <= MIN_BUCKET) return MIN_BUCKET;
  const pow = 2 ** Math.floor(Math.log2(bytes));
  const quarter = pow / 4;
  const b = Math.ceil(bytes / quarter) * quarter;
  return Math.ceil(b / MIN_BUCKET) * MIN_BUCKET;
}

/** A reuse pool for one buffer usage (tensor storage, read-back staging…). */
export class BufferPool {
  readonly #context: GpuContext;
  readonly #usage: number;
  readonly #label: string;
  readonly #maxFreeBytes: number;
  #free = new Map<number, GPUBuffer[]>();
  #quarantine: GPUBuffer[] = [];
  #live = new Set<GPUBuffer>();
  #liveBytes = 0;
  #freeBytes = 0;
  #created = 0;
  #reused = 0;
  #destroyed = 0;
  #peak = 0;

  constructor(context: GpuContext, options: BufferPoolOptions) {
    this.#context = context;
    this.#usage = options.usage;
    this.#label = options.label;
    this.#maxFreeBytes = options.maxFreeBytes ?? 2 ** 30;
  }

  /**
   * A buffer of at least `bytes` bytes (its `size` is the bucket size). Contents are unspecified
   * (zero when new, stale when reused).
   * @param what names the requester for error messages, e.g. `matmul output [768, 768] f32`.
   * @throws GpuOutOfMemoryError when `bytes` exceeds the device's `maxBufferSize`.
   */
  acquire(bytes: number, what = 'buffer'): GPUBuffer {
    const size = bucketSize(bytes);
    const list = this.#free.get(size);
    let buffer = list?.pop();
    if (buffer) {
      this.#reused++;
      this.#freeBytes -= size;
    } else {
      buffer = this.#create(size, bytes, what);
    }
    this.#live.add(buffer);
    this.#liveBytes += size;
    this.#peak = Math.max(this.#peak, this.#liveBytes + this.#freeBytes);
    return buffer;
  }

  #create(size: number, bytes: number, what: string): GPUBuffer {
    const device = this.#context.deviceFor(what);
    const max = device.limits.maxBufferSize;
    if (size > max) {
      if (bytes > max) {
        throw new GpuOutOfMemoryError(what, `needs a ${bytes}-byte buffer; the device's maxBufferSize is ${max}`);
      }
    }
    const label = `${this.#label}:${what}`;
    device.pushErrorScope('out-of-memory');
    // A bucket may round past maxBufferSize; fall back to the exact (4-aligned) size then.
    const buffer = device.createBuffer({ label, size: Math.min(size, max - (max % 4)), usage: this.#usage });
    this.#context.trackErrorScope(device.popErrorScope(), 'out-of-memory', [`createBuffer(${label}, ${size} bytes)`]);
    this.#created++;
    return buffer;
  }

  /** Returns a buffer to the pool (quarantined until {@link recycle}). Unknown buffers are ignored. */
  release(buffer: GPUBuffer): void {
    if (!this.#live.delete(buffer)) return;
    this.#liveBytes -= buffer.size;
    this.#quarantine.push(buffer);
    this.#freeBytes += buffer.size;
  }

  /**
   * Makes quarantined buffers reusable. Call only when no unsubmitted command references them
   * (after a submit, or when no batch is open).
   */
  recycle(): void {
    for (const buffer of this.#quarantine) {
      if (this.#freeBytes > this.#maxFreeBytes) {
        this.#freeBytes -= buffer.size;
        buffer.destroy();
        this.#destroyed++;
        continue;
      }
      let list = this.#free.get(buffer.size);
      if (!list) this.#free.set(buffer.size, (list = []));
      list.push(buffer);
    }
    this.#quarantine = [];
  }

  /** Destroys free buffers until at most `keepBytes` bytes stay pooled (quarantine is untouched). */
  trim(keepBytes = 0): void {
    for (const [size, list] of this.#free) {
      while (list.length > 0 && this.#freeBytes - this.#quarantineBytes() > keepBytes) {
        list.pop()!.destroy();
        this.#freeBytes -= size;
        this.#destroyed++;
      }
      if (list.length === 0) this.#free.delete(size);
    }
  }

  #quarantineBytes(): number {
    let n = 0;
    for (const b of this.#quarantine) n += b.size;
    return n;
  }

  /** Current counters. */
  stats(): BufferPoolStats {
    let freeBuffers = this.#quarantine.length;
    for (const list of this.#free.values()) freeBuffers += list.length;
    return {
      liveBuffers: this.#live.size,
      liveBytes: this.#liveBytes,
      freeBuffers,
      freeBytes: this.#freeBytes,
      created: this.#created,
      reused: this.#reused,
      destroyed: this.#destroyed,
      peakBytes: this.#peak,
    };
  }

  /**
   * Forgets every buffer. With `destroy` (backend disposal) they are destroyed; without (the device
   * was lost and took them along) they are just dropped.
   */
  reset(destroy: boolean): void {
    if (destroy) {
      for (const b of this.#live) b.destroy();
      for (const b of this.#quarantine) b.destroy();
      for (const list of this.#free.values()) for (const b of list) b.destroy();
    }
    this.#free = new Map();
    this.#quarantine = [];
    this.#live = new Set();
    this.#liveBytes = 0;
    this.#freeBytes = 0;
  }
}
