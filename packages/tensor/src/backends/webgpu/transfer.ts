/**
 * Host ↔ GPU copies. Uploads go through `queue.writeBuffer` (ordered before later submits); reads
 * copy into a pooled MAP_READ staging buffer inside the current batch, submit it, and map it once
 * the waiter judges the GPU to be done.
 */
import type { BufferPool } from './buffer-pool.js';
import type { CommandBatcher } from './command-batcher.js';
import { MapMode } from './gpu-constants.js';
import type { GpuContext } from './gpu-context.js';
import type { GpuWaiter } from './gpu-wait.js';

/** Largest single `writeBuffer` (bounds Dawn's staging copy of the data). */
export const MAX_WRITE_CHUNK = 64 * 1024 * 1024;

/**
 * Writes `data` into `buffer` at `byteOffset`. The byte length is padded to a multiple of 4 as
 * WebGPU requires (the padding bytes come from a copy, never from past the end of `data`).
 */
export function writeBytes(device: GPUDevice, buffer: GPUBuffer, byteOffset: number, data: ArrayBufferView): void {
  let bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (bytes.byteLength % 4 !== 0) {
    const padded = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4);
    padded.set(bytes);
    bytes = padded;
  }
  for (let off = 0; off < bytes.byteLength; off += MAX_WRITE_CHUNK) {
    const n = Math.min(MAX_WRITE_CHUNK, bytes.byteLength - off);
    device.queue.writeBuffer(buffer, byteOffset + off, bytes.buffer, bytes.byteOffset + off, n);
  }
}

/** What a read needs from the backend. */
export interface ReadContext {
  readonly context: GpuContext;
  readonly batcher: CommandBatcher;
  readonly staging: BufferPool;
  readonly waiter: GpuWaiter;
}

/**
 * Reads `byteLength` bytes of `buffer` from `byteOffset` (after all queued work that writes it):
 * queues a copy to staging, submits, waits, maps and copies out. Returns a fresh ArrayBuffer.
 * Throws the first GPU error collected meanwhile (naming `op` and the programs that ran).
 */
export async function readBytes(rc: ReadContext, op: string, buffer: GPUBuffer, byteOffset: number, byteLength: number): Promise<ArrayBuffer> {
  const padded = Math.max(4, Math.ceil(byteLength / 4) * 4);
  const staging = rc.staging.acquire(padded, `${op} staging`);
  try {
    rc.batcher.copy(buffer, byteOffset, staging, 0, padded, op);
    rc.batcher.flush();
    rc.context.throwCollected(op);
    await rc.waiter.wait(() => staging.mapAsync(MapMode.READ, 0, padded));
    const out = staging.getMappedRange(0, padded).slice(0, byteLength);
    staging.unmap();
    await rc.context.checkErrors(op);
    return out;
  } catch (e) {
    if (staging.mapState === 'mapped') staging.unmap();
    // mapAsync rejects with a bare OperationError when the device is lost or a copy was invalid;
    // the collected scope errors say why, so prefer them.
    await rc.context.checkErrors(op);
    throw e;
  } finally {
    rc.staging.release(staging);
  }
}
