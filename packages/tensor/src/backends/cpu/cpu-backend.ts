import os from 'node:os';
import type { Backend, Storage } from '../../backend.js';
import { type DType, type TypedArray, allocHost, dtypeOfArray } from '../../dtype.js';
import { DTypeError } from '../../errors.js';

/** CPU storage: a host typed array. */
export class CpuStorage implements Storage {
  refCount = 1;
  constructor(
    readonly backend: Backend,
    readonly dtype: DType,
    readonly array: TypedArray,
  ) {}
  get size(): number {
    return this.array.length;
  }
}

/** The pure-TypeScript backend: tensors are typed arrays, kernels are loops (matmul uses both cores). */
export class CpuBackend implements Backend {
  readonly name = 'cpu';

  describe(): string {
    const cpus = os.cpus();
    return `CPU: ${cpus[0]?.model ?? 'unknown'} × ${cpus.length} (${os.arch()}, Node ${process.version})`;
  }

  allocate(dtype: DType, size: number): CpuStorage {
    return new CpuStorage(this, dtype, allocHost(dtype, size));
  }

  upload(data: TypedArray, dtype: DType): CpuStorage {
    const copy = allocHost(dtype, data.length);
    copy.set(data);
    return new CpuStorage(this, dtype, copy);
  }

  adopt(data: TypedArray, dtype: DType): CpuStorage {
    if (dtypeOfArray(data) !== dtype) {
      throw new DTypeError('adopt', `array is ${data.constructor.name} but dtype is ${dtype}`);
    }
    return new CpuStorage(this, dtype, data);
  }

  readSync(storage: Storage): TypedArray {
    return (storage as CpuStorage).array;
  }

  async read(storage: Storage): Promise<TypedArray> {
    return (storage as CpuStorage).array.slice();
  }

  release(): void {
    // The garbage collector frees the typed array once no tensor references it.
  }

  async sync(): Promise<void> {}

  dispose(): void {}
}

/** The host array behind a CPU tensor's storage (for kernel implementations). */
export function cpuArray(storage: Storage): TypedArray {
  return (storage as CpuStorage).array;
}
