/**
 * Encodes many dispatches into one command encoder and one compute pass, submitted together.
 * On lavapipe a submit costs far more than a dispatch inside a pass, so kernels only enqueue here;
 * the batch is submitted when a read needs it, on `sync()`, or once `maxDispatches` are queued.
 *
 * Every batch runs inside `validation` and `out-of-memory` error scopes; their errors are reported
 * (with the names and sizes of the batch's dispatches) by the next `GpuContext.checkErrors`.
 */
import { BindGroupCache, type BindingRange } from './bind-group-cache.js';
import type { BufferPool } from './buffer-pool.js';
import type { GpuContext } from './gpu-context.js';
import { GpuProgramError } from './gpu-errors.js';
import { type Workgroups, foldWorkgroups, planDispatch } from './limits-plan.js';
import type { PipelineCache } from './pipeline-cache.js';
import type { GpuProgram } from './pipeline-cache.js';
import type { UniformArena, UniformLayout } from './uniforms.js';

/** A storage resource: a whole buffer or a range of one (for chunked bindings). */
export type StorageResource = GPUBuffer | GPUBufferBinding;

/** Workgroup counts: an x/y/z tuple, or `{ linear }` to be folded (shader uses `linear_workgroup`). */
export type WorkgroupSpec = number | readonly [number, number?, number?] | { readonly linear: number };

/** One kernel launch. */
export interface DispatchRequest {
  readonly program: GpuProgram;
  /** Resources of the program's non-uniform bindings, in binding order. */
  readonly storage: readonly StorageResource[];
  /** Runtime sizes for the program's `uniform` binding. */
  readonly uniforms?: { readonly layout: UniformLayout; readonly values: Readonly<Record<string, number>> };
  readonly workgroups: WorkgroupSpec;
  /** Sizes for labels and error messages, e.g. `[768,768]x[768,768]`. */
  readonly sizes?: string;
  /** Estimated work (any consistent unit, e.g. FLOPs); feeds the wait-time estimate. */
  readonly cost?: number;
}

/** Options of a {@link CommandBatcher}. */
export interface BatcherOptions {
  /** Submit once this many dispatches are queued (default 64). */
  readonly maxDispatches?: number;
  /** Called after every submit with the submitted batch's total cost (for the waiter). */
  readonly onSubmit?: (cost: number, dispatches: number) => void;
}

/** Counters of a batcher. */
export interface BatcherStats {
  readonly dispatches: number;
  readonly submits: number;
  readonly copies: number;
  /** Dispatches that were split or folded because a dimension exceeded the limit. */
  readonly splitDispatches: number;
  /** Bind groups served from the cache / created. */
  readonly bindGroupHits: number;
  readonly bindGroupMisses: number;
}

const MAX_LABELS = 12;

/** Batches dispatches and copies into one command buffer per submit. */
export class CommandBatcher {
  readonly #context: GpuContext;
  readonly #pipelines: PipelineCache;
  readonly #uniforms: UniformArena;
  readonly #pools: readonly BufferPool[];
  readonly #maxDispatches: number;
  readonly #onSubmit: BatcherOptions['onSubmit'];
  readonly #bindGroups = new BindGroupCache();
  #encoder: GPUCommandEncoder | undefined;
  #pass: GPUComputePassEncoder | undefined;
  #lastPipeline: GPUComputePipeline | undefined;
  #device: GPUDevice | undefined;
  #queued = 0;
  #cost = 0;
  #labels: string[] = [];
  #dispatches = 0;
  #submits = 0;
  #copies = 0;
  #splits = 0;

  constructor(context: GpuContext, pipelines: PipelineCache, uniforms: UniformArena, pools: readonly BufferPool[], options: BatcherOptions = {}) {
    this.#context = context;
    this.#pipelines = pipelines;
    this.#uniforms = uniforms;
    this.#pools = pools;
    this.#maxDispatches = options.maxDispatches ?? 64;
    this.#onSubmit = options.onSubmit;
  }

  /** True when nothing is waiting to be submitted. */
  get isEmpty(): boolean {
    return this.#encoder === undefined;
  }

  /** Dispatches queued in the open batch. */
  get queued(): number {
    return this.#queued;
  }

  #open(op: string): GPUCommandEncoder {
    if (this.#encoder) return this.#encoder;
    const device = this.#context.deviceFor(op);
    this.#device = device;
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    this.#encoder = device.createCommandEncoder({ label: `batch ${this.#submits + 1}` });
    return this.#encoder;
  }

  #computePass(op: string): GPUComputePassEncoder {
    if (!this.#pass) {
      this.#pass = this.#open(op).beginComputePass({ label: `batch ${this.#submits + 1}` });
      this.#lastPipeline = undefined;
    }
    return this.#pass;
  }

  #endPass(): void {
    this.#pass?.end();
    this.#pass = undefined;
  }

  #note(label: string): void {
    if (this.#labels.length < MAX_LABELS) this.#labels.push(label);
    else if (this.#labels.length === MAX_LABELS) this.#labels.push('…');
  }

  /**
   * Queues one dispatch (several if its workgroup counts exceed the device limit). Validation
   * errors surface at the next read or `sync()` naming `program.name` and `sizes`.
   */
  dispatch(req: DispatchRequest): void {
    const { program } = req;
    const label = `${program.name}${req.sizes ?? ''}`;
    const compiled = this.#pipelines.get(program);
    const maxPerDim = this.#context.limits.maxComputeWorkgroupsPerDimension;
    const storageKinds = program.bindings.filter((k) => k !== 'uniform').length;
    if (req.storage.length !== storageKinds) {
      throw new GpuProgramError(program.name, [label], `got ${req.storage.length} storage resources; the program binds ${storageKinds}`);
    }
    const hasUniform = program.bindings.includes('uniform');
    if (hasUniform !== (req.uniforms !== undefined)) {
      throw new GpuProgramError(program.name, [label], hasUniform ? 'the program has a uniform binding but no uniforms were given' : 'uniforms were given but the program has no uniform binding');
    }
    let parts: { offset: Workgroups; count: Workgroups }[];
    const wg = req.workgroups;
    if (typeof wg === 'object' && !Array.isArray(wg) && 'linear' in wg) {
      const folded = foldWorkgroups(label, wg.linear, maxPerDim);
      if (folded[1] > 1) this.#splits++;
      parts = [{ offset: [0, 0, 0], count: folded }];
    } else {
      const t = typeof wg === 'number' ? [wg, 1, 1] : (wg as readonly number[]);
      const counts: Workgroups = [t[0] ?? 1, t[1] ?? 1, t[2] ?? 1];
      parts = planDispatch(label, counts, maxPerDim);
      if (parts.length > 1) {
        if (!req.uniforms?.layout.hasWorkgroupOffset) {
          throw new GpuProgramError(
            program.name,
            [label],
            `dispatch of [${counts.join(', ')}] workgroups exceeds maxComputeWorkgroupsPerDimension ${maxPerDim}; ` +
              `fold it ({ linear }) or give the program workgroup-offset uniforms (defineUniforms(…, { workgroupOffset: true }))`,
          );
        }
        this.#splits++;
      }
    }
    for (const part of parts) {
      if (part.count[0] === 0 || part.count[1] === 0 || part.count[2] === 0) continue;
      if (req.uniforms && !this.#uniforms.fits(req.uniforms.layout)) this.flush();
      if (this.#queued >= this.#maxDispatches) this.flush();
      const pass = this.#computePass(program.name);
      const ranges: BindingRange[] = [];
      let dynamicOffset = -1;
      let s = 0;
      for (let binding = 0; binding < program.bindings.length; binding++) {
        if (program.bindings[binding] === 'uniform') {
          const u = req.uniforms!;
          const values = parts.length > 1 ? { ...u.values, wg_offset_x: part.offset[0], wg_offset_y: part.offset[1], wg_offset_z: part.offset[2] } : u.values;
          const slot = this.#uniforms.push(program.name, u.layout, values);
          ranges.push({ buffer: slot.buffer, offset: 0, size: u.layout.byteSize });
          dynamicOffset = slot.offset;
        } else {
          const r = req.storage[s++];
          ranges.push('buffer' in r ? { buffer: r.buffer, offset: r.offset ?? 0, size: r.size ?? r.buffer.size - (r.offset ?? 0) } : { buffer: r, offset: 0, size: r.size });
        }
      }
      const bindGroup = this.#bindGroups.get(this.#device!, compiled.layout, ranges, label);
      if (this.#lastPipeline !== compiled.pipeline) {
        pass.setPipeline(compiled.pipeline);
        this.#lastPipeline = compiled.pipeline;
      }
      if (dynamicOffset >= 0) pass.setBindGroup(0, bindGroup, [dynamicOffset]);
      else pass.setBindGroup(0, bindGroup);
      pass.dispatchWorkgroups(part.count[0], part.count[1], part.count[2]);
      this.#queued++;
      this.#dispatches++;
      this.#cost += (req.cost ?? 0) / parts.length;
      this.#note(label);
    }
  }

  /** Queues a buffer-to-buffer copy (sizes and offsets multiples of 4). */
  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, bytes: number, what = 'copy'): void {
    if (bytes === 0) return;
    const encoder = this.#open(what);
    this.#endPass();
    encoder.copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
    this.#copies++;
    this.#note(`${what}(${bytes} B)`);
  }

  /** Queues a fill with zeros (offset and size multiples of 4). */
  clear(buffer: GPUBuffer, offset: number, bytes: number, what = 'clear'): void {
    if (bytes === 0) return;
    const encoder = this.#open(what);
    this.#endPass();
    encoder.clearBuffer(buffer, offset, bytes);
    this.#note(`${what}(${bytes} B)`);
  }

  /** Submits the open batch (no-op when empty) and makes quarantined pool buffers reusable. */
  flush(): void {
    const encoder = this.#encoder;
    if (!encoder) {
      for (const p of this.#pools) p.recycle();
      return;
    }
    const device = this.#device!;
    this.#endPass();
    this.#encoder = undefined;
    this.#uniforms.upload();
    device.queue.submit([encoder.finish()]);
    const labels = this.#labels;
    this.#context.trackErrorScope(device.popErrorScope(), 'validation', labels);
    this.#context.trackErrorScope(device.popErrorScope(), 'out-of-memory', labels);
    const cost = this.#cost;
    const n = this.#queued;
    this.#labels = [];
    this.#queued = 0;
    this.#cost = 0;
    this.#submits++;
    for (const p of this.#pools) p.recycle();
    this.#onSubmit?.(cost, n);
  }

  /** Counters so far. */
  stats(): BatcherStats {
    const bg = this.#bindGroups.stats();
    return { dispatches: this.#dispatches, submits: this.#submits, copies: this.#copies, splitDispatches: this.#splits, bindGroupHits: bg.hits, bindGroupMisses: bg.misses };
  }

  /** Forgets cached bind groups (call when pooled buffers are destroyed). */
  clearBindGroups(): void {
    this.#bindGroups.clear();
  }

  /** Abandons the open batch (device lost or disposed): nothing is submitted. */
  reset(): void {
    this.#bindGroups.clear();
    this.#encoder = undefined;
    this.#pass = undefined;
    this.#lastPipeline = undefined;
    this.#device = undefined;
    this.#labels = [];
    this.#queued = 0;
    this.#cost = 0;
  }
}
