import type { Backend, Storage } from './backend.js';
import { getBackend } from './backend.js';
import { type DType, type DTypeArrayMap, type TypedArray, allocHost, dtypeOfArray } from './dtype.js';
import { DisposedError, ShapeError, ValueError, fmtShape } from './errors.js';
import { trackInScope } from './scope.js';
import { assertValidShape, sizeOf } from './shape.js';

let nextId = 1;

/** Observer of view creation (reshape); the autograd tape installs one to differentiate through views. */
export type ViewObserver = (input: Tensor, output: Tensor) => void;
let viewObserver: ViewObserver | undefined;

/** Installs (or removes) the view observer; returns the previous one. */
export function setViewObserver(next: ViewObserver | undefined): ViewObserver | undefined {
  const prev = viewObserver;
  viewObserver = next;
  return prev;
}

/**
 * An n-dimensional array: a shape, a dtype and row-major storage on one backend.
 * Tensors are immutable by contract: ops return new tensors; never write into `dataSync()`'s array.
 */
export class Tensor {
  /** Unique id, for debugging and the autograd tape. */
  readonly id = nextId++;
  /** Number of elements (product of `shape`). */
  readonly size: number;
  #disposed = false;

  /** Prefer the factories ({@link tensor}, {@link zeros}) over this constructor. */
  constructor(
    readonly shape: readonly number[],
    readonly dtype: DType,
    readonly storage: Storage,
  ) {
    this.size = sizeOf(shape);
    if (this.size !== storage.size) {
      throw new ShapeError('Tensor', `shape ${fmtShape(shape)} has ${this.size} elements but the storage holds ${storage.size}`);
    }
    trackInScope(this);
  }

  /** The backend that holds this tensor's storage. */
  get backend(): Backend {
    return this.storage.backend;
  }

  /** Number of dimensions. */
  get rank(): number {
    return this.shape.length;
  }

  /** True once `dispose()` was called. */
  get isDisposed(): boolean {
    return this.#disposed;
  }

  /** Throws a `DisposedError` naming `op` when this tensor was disposed. */
  assertAlive(op: string): void {
    if (this.#disposed) throw new DisposedError(op, `tensor #${this.id} ${fmtShape(this.shape)} was disposed`);
  }

  /**
   * The elements as a host typed array, synchronously. On the CPU this is the storage itself
   * (do not mutate it); on other backends it throws — use `await data()`.
   */
  dataSync(): DTypeArrayMap[this['dtype']] {
    this.assertAlive('dataSync');
    const a = this.backend.readSync(this.storage);
    if (!a) {
      throw new ValueError('dataSync', `tensor #${this.id} lives on backend '${this.backend.name}', which cannot be read synchronously; use 'await t.data()'`);
    }
    return a as DTypeArrayMap[this['dtype']];
  }

  /** The elements as a host typed array (a copy on device backends). */
  async data(): Promise<TypedArray> {
    this.assertAlive('data');
    return this.backend.read(this.storage);
  }

  /** The single element of a one-element tensor, synchronously (CPU). */
  item(): number {
    if (this.size !== 1) throw new ShapeError('item', `tensor has shape ${fmtShape(this.shape)}; expected exactly one element`);
    return this.dataSync()[0];
  }

  /** Nested JS arrays, synchronously (CPU). */
  toNested(): unknown {
    const data = this.dataSync();
    const build = (dim: number, offset: number): unknown => {
      if (dim === this.shape.length) return data[offset];
      const stride = sizeOf(this.shape.slice(dim + 1));
      const out: unknown[] = [];
      for (let i = 0; i < this.shape[dim]; i++) out.push(build(dim + 1, offset + i * stride));
      return out;
    };
    return build(0, 0);
  }

  /** A view with a new shape over the same storage (one dimension may be -1). */
  reshape(shape: readonly number[]): Tensor {
    this.assertAlive('reshape');
    const resolved = resolveReshape(this.shape, shape);
    this.storage.refCount++;
    const view = new Tensor(resolved, this.dtype, this.storage);
    if (viewObserver) viewObserver(this, view);
    return view;
  }

  /** Releases this tensor's reference to its storage. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.storage.refCount--;
    if (this.storage.refCount === 0) this.backend.release(this.storage);
  }

  toString(): string {
    return `Tensor#${this.id}(${this.dtype}${fmtShape(this.shape)} on ${this.backend.name}${this.#disposed ? ', disposed' : ''})`;
  }
}

function resolveReshape(from: readonly number[], to: readonly number[]): number[] {
  const size = sizeOf(from);
  const out = [...to];
  const free = out.indexOf(-1);
  if (free >= 0) {
    if (out.indexOf(-1, free + 1) >= 0) throw new ShapeError('reshape', `shape ${fmtShape(to)} has more than one -1`);
    const rest = sizeOf(out.filter((_, i) => i !== free));
    if (rest === 0 || size % rest !== 0) {
      throw new ShapeError('reshape', `cannot reshape ${fmtShape(from)} (${size} elements) to ${fmtShape(to)}`);
    }
    out[free] = size / rest;
  }
  assertValidShape('reshape', out);
  if (sizeOf(out) !== size) {
    throw new ShapeError('reshape', `cannot reshape ${fmtShape(from)} (${size} elements) to ${fmtShape(to)} (${sizeOf(out)} elements)`);
  }
  return out;
}

/** Options of the tensor factories. */
export interface TensorOptions {
  dtype?: DType;
  backend?: Backend | string;
}

function resolveBackend(b: Backend | string | undefined): Backend {
  return typeof b === 'object' ? b : getBackend(b);
}

type Nested = number | readonly Nested[];

function inferNestedShape(value: Nested): number[] {
  const shape: number[] = [];
  let v: Nested = value;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = (v as readonly Nested[])[0];
    if (v === undefined) break;
  }
  return shape;
}

function flattenNested(value: Nested, shape: readonly number[], out: number[], dim = 0, path = ''): void {
  if (dim === shape.length) {
    if (typeof value !== 'number') throw new ShapeError('tensor', `entry ${path || '(root)'} is not a number`);
    out.push(value);
    return;
  }
  if (!Array.isArray(value) || value.length !== shape[dim]) {
    throw new ShapeError('tensor', `ragged nested array: entry ${path || '(root)'} has length ${Array.isArray(value) ? value.length : 'n/a'}; expected ${shape[dim]}`);
  }
  (value as readonly Nested[]).forEach((v, i) => flattenNested(v, shape, out, dim + 1, `${path}[${i}]`));
}

/**
 * Creates a tensor from host data (copied): a typed array or flat number array with an explicit
 * `shape`, or nested arrays (shape inferred). dtype defaults to the array's own (f32 for numbers).
 */
export function tensor(data: TypedArray | Nested, shape?: readonly number[], options: TensorOptions = {}): Tensor {
  let flat: TypedArray | number[];
  let resolvedShape: readonly number[];
  if (ArrayBuffer.isView(data)) {
    flat = data as TypedArray;
    resolvedShape = shape ?? [flat.length];
  } else if (typeof data === 'number') {
    flat = [data];
    resolvedShape = shape ?? [];
  } else {
    const inferred = inferNestedShape(data);
    if (shape && inferred.length === 1) {
      flat = [...(data as readonly number[])];
      resolvedShape = shape;
    } else {
      const out: number[] = [];
      flattenNested(data, inferred, out);
      flat = out;
      resolvedShape = shape ?? inferred;
    }
  }
  assertValidShape('tensor', resolvedShape);
  if (sizeOf(resolvedShape) !== flat.length) {
    throw new ShapeError('tensor', `${flat.length} values do not fill shape ${fmtShape(resolvedShape)} (${sizeOf(resolvedShape)} elements)`);
  }
  const dtype = options.dtype ?? (ArrayBuffer.isView(flat) ? dtypeOfArray(flat as TypedArray) : 'f32');
  let host: TypedArray;
  if (ArrayBuffer.isView(flat) && dtypeOfArray(flat as TypedArray) === dtype) host = flat as TypedArray;
  else {
    host = allocHost(dtype, flat.length);
    for (let i = 0; i < flat.length; i++) host[i] = flat[i];
  }
  const backend = resolveBackend(options.backend);
  const storage = host === data ? backend.upload(host, dtype) : backend.adopt(host, dtype);
  return new Tensor([...resolvedShape], dtype, storage);
}

/**
 * Wraps a host array WITHOUT copying on the CPU backend (the tensor takes ownership: do not
 * mutate `data` afterwards). On other backends it uploads.
 */
export function fromHost(data: TypedArray, shape: readonly number[], backend?: Backend | string): Tensor {
  assertValidShape('fromHost', shape);
  if (sizeOf(shape) !== data.length) {
    throw new ShapeError('fromHost', `${data.length} values do not fill shape ${fmtShape(shape)}`);
  }
  const b = resolveBackend(backend);
  const dtype = dtypeOfArray(data);
  return new Tensor([...shape], dtype, b.adopt(data, dtype));
}

/** A tensor of `shape` filled with `value`. */
export function full(shape: readonly number[], value: number, options: TensorOptions = {}): Tensor {
  assertValidShape('full', shape);
  const dtype = options.dtype ?? 'f32';
  const host = allocHost(dtype, sizeOf(shape));
  if (value !== 0) host.fill(value);
  return new Tensor([...shape], dtype, resolveBackend(options.backend).adopt(host, dtype));
}

/** A zero tensor of `shape`. */
export function zeros(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return full(shape, 0, options);
}

/** A tensor of ones of `shape`. */
export function ones(shape: readonly number[], options: TensorOptions = {}): Tensor {
  return full(shape, 1, options);
}

/** A 0-d tensor. */
export function scalar(value: number, options: TensorOptions = {}): Tensor {
  return full([], value, options);
}
