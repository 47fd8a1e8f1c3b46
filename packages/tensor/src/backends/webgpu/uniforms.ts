/**
 * Runtime sizes live in small uniform structs, so one compiled pipeline serves every shape.
 * A {@link UniformLayout} is the single source of both the WGSL struct and the host packing (the two
 * drifting apart is a classic silent bug). A {@link UniformArena} packs the uniforms of one batch of
 * dispatches into one buffer, written with a single `writeBuffer` just before the submit.
 */
import { ValueError } from '../../errors.js';
import { UNIFORM_USAGE } from './gpu-constants.js';
import type { GpuContext } from './gpu-context.js';

/** Scalar types allowed in a uniform struct (scalars only: no vec3/array padding rules to get wrong). */
export type UniformType = 'u32' | 'i32' | 'f32';

/** Names of the fields the batcher fills when it splits a dispatch by workgroup offset. */
export const WORKGROUP_OFFSET_FIELDS = ['wg_offset_x', 'wg_offset_y', 'wg_offset_z'] as const;

/** Layout of one uniform struct: ordered scalar fields, 4 bytes each, size rounded up to 16. */
export class UniformLayout<F extends string = string> {
  /** Bytes of one struct (a multiple of 16, as uniform bindings require). */
  readonly byteSize: number;
  readonly #index: ReadonlyMap<string, number>;
  /** True when the struct starts with the three workgroup-offset fields. */
  readonly hasWorkgroupOffset: boolean;

  constructor(readonly fields: readonly (readonly [F, UniformType])[]) {
    if (fields.length === 0) throw new ValueError('uniforms', 'a uniform struct needs at least one field');
    const idx = new Map<string, number>();
    fields.forEach(([name], i) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new ValueError('uniforms', `field name '${name}' is not a WGSL identifier`);
      if (idx.has(name)) throw new ValueError('uniforms', `duplicate field '${name}'`);
      idx.set(name, i);
    });
    this.#index = idx;
    this.byteSize = Math.ceil((fields.length * 4) / 16) * 16;
    this.hasWorkgroupOffset = WORKGROUP_OFFSET_FIELDS.every((f, i) => fields[i]?.[0] === f && fields[i][1] === 'u32');
  }

  /** The WGSL struct declaration, e.g. `struct Uniforms { m: u32, n: u32, }`. */
  wgsl(structName = 'Uniforms'): string {
    return `struct ${structName} {\n${this.fields.map(([n, t]) => `  ${n}: ${t},`).join('\n')}\n}`;
  }

  /**
   * Writes `values` at `byteOffset` of `view` (little-endian, as WebGPU expects).
   * @throws ValueError naming `op`, the field and the value when a value does not fit its type.
   */
  pack(op: string, values: Readonly<Record<F, number>>, view: DataView, byteOffset: number): void {
    for (let i = 0; i < this.fields.length; i++) {
      const [name, type] = this.fields[i];
      const v = (values as Record<string, number | undefined>)[name];
      const at = byteOffset + 4 * i;
      if (v === undefined) {
        if (this.hasWorkgroupOffset && i < 3) {
          view.setUint32(at, 0, true);
          continue;
        }
        throw new ValueError(op, `uniform field '${name}' is missing; expected ${this.fields.map((f) => f[0]).join(', ')}`);
      }
      if (type === 'f32') view.setFloat32(at, v, true);
      else if (type === 'u32') {
        if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new ValueError(op, `uniform '${name}' = ${v} is not a u32`);
        view.setUint32(at, v, true);
      } else {
        if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw new ValueError(op, `uniform '${name}' = ${v} is not an i32`);
        view.setInt32(at, v, true);
      }
    }
  }

  /** Index of a field (for tests and the batcher). */
  indexOf(name: string): number {
    const i = this.#index.get(name);
    if (i === undefined) throw new ValueError('uniforms', `no field '${name}'; fields are ${this.fields.map((f) => f[0]).join(', ')}`);
    return i;
  }
}

/**
 * Declares a uniform struct from `{ name: type }` (insertion order is field order).
 * With `workgroupOffset`, three u32 fields `wg_offset_x/y/z` come first: the batcher fills them when
 * it splits an oversized N-D dispatch into several (see `planDispatch`), and the shader adds them
 * to `workgroup_id` (helper `WGSL_WORKGROUP_OFFSET`).
 */
export function defineUniforms<const F extends string>(
  fields: Readonly<Record<F, UniformType>>,
  options: { workgroupOffset?: boolean } = {},
): UniformLayout<F> {
  const list = Object.entries(fields) as [F, UniformType][];
  if (options.workgroupOffset) {
    return new UniformLayout<F>([...WORKGROUP_OFFSET_FIELDS.map((n) => [n as F, 'u32' as UniformType] as const), ...list]);
  }
  return new UniformLayout<F>(list);
}

/** Default arena capacity: 64 KiB, the spec's default `maxUniformBufferBindingSize`. */
export const DEFAULT_ARENA_BYTES = 64 * 1024;

/**
 * Packs the uniform structs of one batch into one host buffer at `minUniformBufferOffsetAlignment`
 * steps; {@link upload} writes it to the GPU before the submit. The same GPU buffer is reused by the
 * next batch: `writeBuffer` is ordered after earlier submits, so in-flight batches keep their values.
 */
export class UniformArena {
  readonly #context: GpuContext;
  readonly #capacity: number;
  #buffer: GPUBuffer | undefined;
  #host: ArrayBuffer;
  #view: DataView;
  #used = 0;
  // Consecutive dispatches often have identical uniforms (same sizes): reuse the last block.
  #lastLayout: UniformLayout | undefined;
  #lastOffset = -1;
  #lastBytes = new Uint8Array(0);

  constructor(context: GpuContext, capacity = DEFAULT_ARENA_BYTES) {
    this.#context = context;
    this.#capacity = capacity;
    this.#host = new ArrayBuffer(capacity);
    this.#view = new DataView(this.#host);
  }

  /** True when a struct of `layout` still fits. */
  fits(layout: UniformLayout): boolean {
    return this.#align(this.#used) + layout.byteSize <= this.#capacity;
  }

  /** Bytes used by the current batch. */
  get used(): number {
    return this.#used;
  }

  #align(n: number): number {
    const a = this.#context.limits.minUniformBufferOffsetAlignment;
    return Math.ceil(n / a) * a;
  }

  #gpuBuffer(): GPUBuffer {
    if (!this.#buffer) {
      this.#buffer = this.#context.deviceFor('uniforms').createBuffer({ label: 'uniform-arena', size: this.#capacity, usage: UNIFORM_USAGE });
    }
    return this.#buffer;
  }

  /**
   * Packs one struct and returns the arena buffer and the struct's offset in it (bound as a
   * dynamic offset). The caller must check {@link fits} first (and flush the batch when it does not).
   */
  push(op: string, layout: UniformLayout, values: Readonly<Record<string, number>>): { buffer: GPUBuffer; offset: number } {
    const offset = this.#align(this.#used);
    if (offset + layout.byteSize > this.#capacity) {
      throw new ValueError(op, `uniform arena full (${this.#used}/${this.#capacity} bytes); flush the batch first`);
    }
    layout.pack(op, values, this.#view, offset);
    const fresh = new Uint8Array(this.#host, offset, layout.byteSize);
    if (this.#lastLayout === layout && equalBytes(fresh, this.#lastBytes)) {
      return { buffer: this.#gpuBuffer(), offset: this.#lastOffset };
    }
    this.#used = offset + layout.byteSize;
    this.#lastLayout = layout;
    this.#lastOffset = offset;
    this.#lastBytes = fresh;
    return { buffer: this.#gpuBuffer(), offset };
  }

  /** Writes the packed structs to the GPU and starts an empty arena. Call right before submit. */
  upload(): void {
    if (this.#used > 0 && this.#buffer) {
      this.#context.deviceFor('uniforms').queue.writeBuffer(this.#buffer, 0, this.#host, 0, Math.ceil(this.#used / 4) * 4);
    }
    this.#used = 0;
    this.#lastLayout = undefined;
    this.#lastOffset = -1;
  }

  /** Drops the GPU buffer (device replaced or disposed). */
  reset(destroy: boolean): void {
    if (destroy) this.#buffer?.destroy();
    this.#buffer = undefined;
    this.#used = 0;
    this.#lastLayout = undefined;
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
