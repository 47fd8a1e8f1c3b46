import type { DType, TypedArray } from './dtype.js';
import { ValueError } from './errors.js';

/**
 * Memory owned by a backend that holds one tensor's elements (row-major, contiguous).
 * Several tensors may share one storage (reshape views); `refCount` counts them.
 */
export interface Storage {
  readonly backend: Backend;
  readonly dtype: DType;
  /** Number of elements. */
  readonly size: number;
  /** Tensors currently viewing this storage; the backend frees it when this reaches 0. */
  refCount: number;
}

/**
 * A place where tensors live and kernels run.
 *
 * How to add a backend:
 * 1. Implement this interface (allocation, upload, read, release, sync).
 * 2. Register a factory with {@link registerBackend} under a new name.
 * 3. Register an implementation for every kernel definition in `kernels/defs.ts` with
 *    `registerKernel(def, name, impl)`; a missing one throws `MissingKernelError` naming it.
 * 4. Run the conformance suites in `src/testing/` against it (see `test/cpu-conformance.test.ts`).
 */
export interface Backend {
  /** Registry name, e.g. `cpu` or `webgpu`. */
  readonly name: string;
  /** Human-readable description of the device (the WebGPU adapter, the CPU model…). */
  describe(): string;
  /** Allocates storage for `size` elements. Contents are zero on the CPU, unspecified elsewhere. */
  allocate(dtype: DType, size: number): Storage;
  /** Copies host data into new storage. `data` must already have `dtype`'s array type. */
  upload(data: TypedArray, dtype: DType): Storage;
  /**
   * Takes ownership of a host array the caller will never touch again: host backends keep it
   * without copying; device backends upload it.
   */
  adopt(data: TypedArray, dtype: DType): Storage;
  /** Synchronous read, only for host-resident backends; others return `undefined`. */
  readSync(storage: Storage): TypedArray | undefined;
  /** Reads the storage back to the host (after all queued work that writes it). */
  read(storage: Storage): Promise<TypedArray>;
  /** Frees (or returns to a pool) storage whose refCount reached 0. */
  release(storage: Storage): void;
  /** Resolves when all queued work has completed. */
  sync(): Promise<void>;
  /** Frees every resource; the backend must not be used afterwards. */
  dispose(): void;
}

type BackendFactory = () => Backend | Promise<Backend>;

const factories = new Map<string, BackendFactory>();
const instances = new Map<string, Backend>();
let defaultBackend: Backend | undefined;

/** Registers a backend factory under `name` (later registrations replace earlier ones). */
export function registerBackend(name: string, factory: BackendFactory): void {
  factories.set(name, factory);
  instances.delete(name);
}

/** Names of registered backends. */
export function registeredBackends(): string[] {
  return [...factories.keys()];
}

/** Creates (once) and returns the backend registered as `name`. */
export async function initBackend(name: string): Promise<Backend> {
  const existing = instances.get(name);
  if (existing) return existing;
  const factory = factories.get(name);
  if (!factory) {
    throw new ValueError('initBackend', `unknown backend '${name}'; registered: ${registeredBackends().join(', ') || '(none)'}`);
  }
  const backend = await factory();
  instances.set(name, backend);
  return backend;
}

/** Returns an already initialised backend by name, or throws naming the initialised ones. */
export function getBackend(name?: string): Backend {
  if (name === undefined) {
    if (!defaultBackend) {
      const cpu = instances.get('cpu') ?? createSyncBackend('cpu');
      defaultBackend = cpu;
    }
    return defaultBackend;
  }
  const b = instances.get(name) ?? createSyncBackend(name);
  return b;
}

function createSyncBackend(name: string): Backend {
  const factory = factories.get(name);
  if (!factory) {
    throw new ValueError('getBackend', `unknown backend '${name}'; registered: ${registeredBackends().join(', ') || '(none)'}`);
  }
  const made = factory();
  if (made instanceof Promise) {
    throw new ValueError('getBackend', `backend '${name}' needs asynchronous initialisation; call 'await initBackend("${name}")' first`);
  }
  instances.set(name, made);
  return made;
}

/** Sets the backend that factories (`tensor`, `zeros`…) use when none is given. */
export function setDefaultBackend(backend: Backend | string): void {
  defaultBackend = typeof backend === 'string' ? getBackend(backend) : backend;
}

/** Disposes a backend instance and forgets it (a later init creates a fresh one). */
export function disposeBackend(name: string): void {
  const b = instances.get(name);
  if (!b) return;
  instances.delete(name);
  if (defaultBackend === b) defaultBackend = undefined;
  b.dispose();
}
