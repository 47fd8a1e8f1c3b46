/**
 * WebGPU flag values, fixed by the specification. Defined here so the backend does not need
 * dawn.node's `globals` installed on `globalThis` (which would leak into every other module).
 */

/** `GPUBufferUsage` bits. */
export const BufferUsage = {
  MAP_READ: 0x0001,
  MAP_WRITE: 0x0002,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  INDEX: 0x0010,
  VERTEX: 0x0020,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
  INDIRECT: 0x0100,
  QUERY_RESOLVE: 0x0200,
} as const;

/** `GPUMapMode` bits. */
export const MapMode = { READ: 0x0001, WRITE: 0x0002 } as const;

/** Usage of every tensor storage buffer: bound as storage, copied to and from. */
export const STORAGE_USAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;

/** Usage of read-back staging buffers. */
export const READBACK_USAGE = BufferUsage.MAP_READ | BufferUsage.COPY_DST;

/** Usage of uniform arenas. */
export const UNIFORM_USAGE = BufferUsage.UNIFORM | BufferUsage.COPY_DST;
