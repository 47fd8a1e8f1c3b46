/**
 * Adapter and device ownership: explicit `requiredLimits`, error collection (uncaptured errors and
 * error scopes), `device.lost` handling with recreation on the next call, and teardown that lets
 * the Node process exit.
 */
import { ValueError } from '../../errors.js';
import { GpuDeviceLostError, GpuProgramError, GpuUnavailableError } from './gpu-errors.js';

/** Options of {@link GpuContext.create}. */
export interface GpuContextOptions {
  /** dawn.node flags passed to `create()`, e.g. `['backend=vulkan']` or `['adapter=llvmpipe…']`. */
  readonly dawnFlags?: readonly string[];
  /** Adapter preference; irrelevant on lavapipe (one adapter). */
  readonly powerPreference?: GPUPowerPreference;
  /** Optional features to enable when the adapter has them (default: `shader-f16`, `subgroups`). */
  readonly optionalFeatures?: readonly GPUFeatureName[];
  /**
   * Dawn's robustness transform (index clamping inserted into every storage access). `on`
   * (default) keeps it. `auto` turns it off only on Mesa lavapipe/llvmpipe, which bounds-checks
   * every storage access itself (out-of-range reads return 0, writes are dropped; checked by the
   * tests); `off` drops it everywhere (only for kernels proven to bounds-check). Measured on
   * lavapipe, f32 matmul 1024³: no significant difference (13–16 GFLOP/s projected either way), so
   * the default stays safe; `auto` costs one extra adapter request at start-up.
   */
  readonly robustness?: 'auto' | 'on' | 'off';
  /**
   * Stricter limits than the device's, seen by every kernel through {@link GpuContext.limits} (the
   * device itself keeps its real limits). Tests use it to exercise binding chunking and dispatch
   * splitting at small sizes, e.g. `{ maxStorageBufferBindingSize: 4096 }`. Each value must be at
   * most the device's (at least, and a power of two, for the alignment).
   */
  readonly limitsForTesting?: LimitsForTesting;
}

/** Limits a test may lower (or, for the alignment, raise): see {@link GpuContextOptions.limitsForTesting}. */
export interface LimitsForTesting {
  readonly maxStorageBufferBindingSize?: number;
  readonly minStorageBufferOffsetAlignment?: number;
  readonly maxComputeWorkgroupsPerDimension?: number;
}

/**
 * A view of `limits` with `over` applied, checked to be stricter than the device's.
 * @throws ValueError naming the limit when an override would loosen it.
 */
function stricterLimits(limits: GPUSupportedLimits, over: LimitsForTesting): GPUSupportedLimits {
  const real = limits as unknown as Record<string, number>;
  for (const [k, v] of Object.entries(over) as [keyof LimitsForTesting, number | undefined][]) {
    if (v === undefined) continue;
    const r = real[k];
    const ok = k === 'minStorageBufferOffsetAlignment' ? Number.isInteger(Math.log2(v)) && v >= r : Number.isInteger(v) && v >= 1 && v <= r;
    if (!ok) throw new ValueError('GpuContext', `limitsForTesting.${k} = ${v} is not stricter than the device's ${r}`);
  }
  // dawn.node's limits are prototype getters: read them through the real object.
  return new Proxy(limits, {
    get: (target, key) => (typeof key === 'string' && (over as Record<string, number | undefined>)[key] !== undefined
      ? (over as Record<string, number>)[key]
      : Reflect.get(target, key, target)),
  });
}

const NO_ROBUSTNESS = 'disable_robustness';

/** Adds a Dawn toggle to the `enable-dawn-features=` flag (creating it if absent). */
function withEnabledFeature(flags: readonly string[], feature: string): string[] {
  const out = [...flags];
  const i = out.findIndex((f) => f.startsWith('enable-dawn-features='));
  if (i < 0) out.push(`enable-dawn-features=${feature}`);
  else if (!out[i].split('=')[1].split(',').includes(feature)) out[i] = `${out[i]},${feature}`;
  return out;
}

/** True for Mesa's software Vulkan driver (lavapipe, reported as llvmpipe). */
export function isLavapipe(info: AdapterSummary): boolean {
  return /llvmpipe|lavapipe/i.test(`${info.device} ${info.description}`);
}

/** What the adapter says about itself, for `describe()` and reports. */
export interface AdapterSummary {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  /** True for software adapters such as lavapipe. */
  readonly isFallbackAdapter: boolean;
}

/**
 * The limits requested explicitly at device creation, each as high (or, for alignments, as low) as
 * the adapter allows. WebGPU hands out the small spec defaults otherwise (e.g. 128 MiB bindings,
 * 16 KiB workgroup storage, 256 invocations) even on adapters that can do more.
 */
export const REQUESTED_MAX_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
  'maxUniformBuffersPerShaderStage',
  'maxUniformBufferBindingSize',
  'maxBindingsPerBindGroup',
  'maxBindGroups',
] as const;

/** Alignment limits: smaller is better, so the adapter's (smallest) value is requested. */
export const REQUESTED_MIN_LIMITS = ['minStorageBufferOffsetAlignment', 'minUniformBufferOffsetAlignment'] as const;

const DEFAULT_OPTIONAL_FEATURES: readonly GPUFeatureName[] = ['shader-f16', 'subgroups'];

type GpuFactory = (flags: string[]) => GPU;

async function loadDawn(): Promise<GpuFactory> {
  // Loaded lazily: dawn.node is a 20 MB native module that CPU-only users never need.
  const mod = (await import('webgpu')) as { create: GpuFactory };
  return mod.create;
}

function summarize(info: GPUAdapterInfo): AdapterSummary {
  // dawn.node exposes these as prototype getters, so spread/JSON would lose them: copy explicitly.
  const fallback = (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    isFallbackAdapter: fallback === true,
  };
}

/** Builds the `requiredLimits` record for `adapter` (see {@link REQUESTED_MAX_LIMITS}). */
export function requiredLimitsFor(adapter: GPUAdapter): Record<string, number> {
  const out: Record<string, number> = {};
  const limits = adapter.limits as unknown as Record<string, number | undefined>;
  for (const k of [...REQUESTED_MAX_LIMITS, ...REQUESTED_MIN_LIMITS]) {
    const v = limits[k];
    if (typeof v === 'number') out[k] = v;
  }
  return out;
}

/**
 * Asks for an adapter without creating a device: `null` when WebGPU is unavailable. Tests use it to
 * skip with a visible reason. Drops every dawn.node reference before returning so nothing keeps
 * the process alive.
 */
export async function probeAdapter(options: GpuContextOptions = {}): Promise<AdapterSummary | null> {
  let create: GpuFactory;
  try {
    create = await loadDawn();
  } catch {
    return null;
  }
  const gpu = create([...(options.dawnFlags ?? [])]);
  const adapter = await gpu.requestAdapter(options.powerPreference ? { powerPreference: options.powerPreference } : undefined);
  return adapter ? summarize(adapter.info) : null;
}

/** One error collected from an error scope or the uncaptured-error event, waiting to be thrown. */
interface PendingError {
  readonly kind: 'validation' | 'out-of-memory' | 'internal' | 'uncaptured';
  readonly message: string;
  readonly programs: readonly string[];
  /**
   * Order in which the scope was opened: the earliest cause is reported first (a shader compile
   * error, not the "invalid pipeline" errors it causes in later batches).
   */
  readonly seq: number;
}

/**
 * Owns the WebGPU adapter and device.
 *
 * Errors: WebGPU reports them asynchronously. Producers hand their error-scope promises to
 * {@link trackErrorScope} with the program names involved; {@link checkErrors} (called by reads and
 * `sync()`) awaits them and throws the first as a {@link GpuProgramError}.
 *
 * Loss: when the device is lost (not through {@link destroy}), the context is marked lost.
 * Synchronous callers get a {@link GpuDeviceLostError} from {@link device} (and that call starts
 * recreation); asynchronous callers {@link ready} wait for the new device. Listeners registered with
 * {@link onDeviceChange} rebuild their device objects (pools, caches).
 */
export class GpuContext {
  #gpu: GPU | undefined;
  #device: GPUDevice | undefined;
  #generation = 0;
  #lostReason: string | undefined;
  #recreating: Promise<GPUDevice> | undefined;
  #destroyed = false;
  #summary: AdapterSummary;
  readonly #options: GpuContextOptions;
  readonly #robustness: boolean;
  readonly #pendingScopes = new Set<Promise<void>>();
  #errors: PendingError[] = [];
  #seq = 0;
  readonly #listeners = new Set<(device: GPUDevice, generation: number) => void>();
  #limitsView: { device: GPUDevice; limits: GPUSupportedLimits } | undefined;

  private constructor(gpu: GPU, adapter: GPUAdapter, device: GPUDevice, options: GpuContextOptions, robustness: boolean) {
    this.#gpu = gpu;
    this.#options = options;
    this.#robustness = robustness;
    this.#summary = summarize(adapter.info);
    this.#install(device);
  }

  /**
   * Creates an adapter and a device with the highest limits the adapter allows.
   * @throws GpuUnavailableError when there is no adapter (names the install script for lavapipe).
   */
  static async create(options: GpuContextOptions = {}): Promise<GpuContext> {
    const create = await loadDawn().catch((e: unknown) => {
      throw new GpuUnavailableError('webgpu', `cannot load the 'webgpu' package (dawn.node): ${(e as Error).message}`);
    });
    const flags = [...(options.dawnFlags ?? [])];
    const mode = options.robustness ?? 'on';
    let gpu = create(mode === 'off' ? withEnabledFeature(flags, NO_ROBUSTNESS) : flags);
    let robust = mode !== 'off';
    if (mode === 'auto') {
      // Toggles are per instance: on lavapipe, reopen the instance without the robustness pass.
      const probe = await GpuContext.#requestAdapter(gpu, options);
      if (isLavapipe(summarize(probe.info))) {
        gpu = create(withEnabledFeature(flags, NO_ROBUSTNESS));
        robust = false;
      }
    }
    const { adapter, device } = await GpuContext.#open(gpu, options);
    return new GpuContext(gpu, adapter, device, options, robust);
  }

  static async #requestAdapter(gpu: GPU, options: GpuContextOptions): Promise<GPUAdapter> {
    const adapter = await gpu.requestAdapter(options.powerPreference ? { powerPreference: options.powerPreference } : undefined);
    if (!adapter) {
      throw new GpuUnavailableError(
        'webgpu',
        'requestAdapter() returned null: no WebGPU adapter (dawn.node found no Vulkan driver). ' +
          'On Debian 12 install Mesa lavapipe with `.ci/install-webgpu.sh` (bookworm-backports mesa-vulkan-drivers).',
      );
    }
    return adapter;
  }

  static async #open(gpu: GPU, options: GpuContextOptions): Promise<{ adapter: GPUAdapter; device: GPUDevice }> {
    const adapter = await GpuContext.#requestAdapter(gpu, options);
    const wanted = options.optionalFeatures ?? DEFAULT_OPTIONAL_FEATURES;
    const requiredFeatures = wanted.filter((f) => adapter.features.has(f));
    const requiredLimits = requiredLimitsFor(adapter);
    try {
      const device = await adapter.requestDevice({ label: 'symfuse', requiredLimits, requiredFeatures });
      return { adapter, device };
    } catch (e) {
      throw new GpuUnavailableError(
        'webgpu',
        `requestDevice failed for adapter '${adapter.info.description || adapter.info.device}' with requiredLimits ` +
          `${JSON.stringify(requiredLimits)} and features [${requiredFeatures.join(', ')}]: ${(e as Error).message}`,
      );
    }
  }

  #install(device: GPUDevice): void {
    this.#device = device;
    this.#generation++;
    this.#lostReason = undefined;
    const generation = this.#generation;
    device.onuncapturederror = (ev: GPUUncapturedErrorEvent) => {
      this.#errors.push({ kind: 'uncaptured', message: ev.error.message, programs: [], seq: ++this.#seq });
    };
    void device.lost.then((info) => {
      // Our own destroy() also resolves `lost`; a replaced device's late resolution is stale.
      if (this.#destroyed || generation !== this.#generation) return;
      this.#lostReason = `${info.reason}: ${info.message}`;
      this.#device = undefined;
    });
  }

  /** Adapter vendor/architecture/description, captured at creation. */
  get adapterInfo(): AdapterSummary {
    return this.#summary;
  }

  /** One line for `Backend.describe()`. */
  describe(): string {
    const s = this.#summary;
    const kind = s.isFallbackAdapter ? 'software' : s.architecture || 'hardware';
    return `WebGPU (dawn.node): ${s.description || s.device} [${s.vendor}, ${kind}${this.#robustness ? '' : ', no robustness pass'}]`;
  }

  /** False when Dawn's robustness transform was turned off (see {@link GpuContextOptions.robustness}). */
  get robustness(): boolean {
    return this.#robustness;
  }

  /** Increments every time a device is (re)created; storages remember theirs to detect loss. */
  get generation(): number {
    return this.#generation;
  }

  /** True while the device is lost and not yet recreated. */
  get isLost(): boolean {
    return this.#lostReason !== undefined;
  }

  /**
   * The current device's limits (what was granted, not the spec defaults), with
   * {@link GpuContextOptions.limitsForTesting} applied.
   */
  get limits(): GPUSupportedLimits {
    const device = this.device;
    const over = this.#options.limitsForTesting;
    if (!over) return device.limits;
    if (this.#limitsView?.device !== device) this.#limitsView = { device, limits: stricterLimits(device.limits, over) };
    return this.#limitsView.limits;
  }

  /** Enabled device features. */
  get features(): GPUSupportedFeatures {
    return this.device.features;
  }

  /**
   * The live device. Throws {@link GpuDeviceLostError} (naming `op`) if it was lost — and starts
   * recreating it, so a later call succeeds — or if the context was destroyed.
   */
  deviceFor(op: string): GPUDevice {
    if (this.#destroyed) throw new GpuDeviceLostError(op, 'the WebGPU backend was disposed');
    if (this.#device) return this.#device;
    const reason = this.#lostReason ?? 'unknown';
    void this.#recreate().catch(() => undefined);
    throw new GpuDeviceLostError(op, `the GPU device was lost (${reason}); a new one is being created — retry after 'await backend.sync()'`);
  }

  /** Shorthand for `deviceFor('webgpu')`. */
  get device(): GPUDevice {
    return this.deviceFor('webgpu');
  }

  /** Resolves with a live device, recreating it first if it was lost. */
  async ready(op = 'webgpu'): Promise<GPUDevice> {
    if (this.#destroyed) throw new GpuDeviceLostError(op, 'the WebGPU backend was disposed');
    if (this.#device) return this.#device;
    return this.#recreate();
  }

  #recreate(): Promise<GPUDevice> {
    if (!this.#recreating) {
      const gpu = this.#gpu;
      if (!gpu) return Promise.reject(new GpuDeviceLostError('webgpu', 'the WebGPU backend was disposed'));
      this.#recreating = GpuContext.#open(gpu, this.#options)
        .then(({ adapter, device }) => {
          if (this.#destroyed) {
            device.destroy();
            throw new GpuDeviceLostError('webgpu', 'the WebGPU backend was disposed during device recreation');
          }
          this.#errors = [];
          this.#summary = summarize(adapter.info);
          this.#install(device);
          for (const l of this.#listeners) l(device, this.#generation);
          return device;
        })
        .finally(() => {
          this.#recreating = undefined;
        });
    }
    return this.#recreating;
  }

  /** Registers a callback run after a lost device was replaced; returns an unsubscribe function. */
  onDeviceChange(listener: (device: GPUDevice, generation: number) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Hands over a `popErrorScope()` promise; a non-null error is kept (with `programs`, the names and
   * sizes of what ran inside the scope) until {@link checkErrors} throws it.
   */
  trackErrorScope(scope: Promise<{ readonly message: string } | null>, kind: PendingError['kind'], programs: readonly string[]): void {
    const seq = ++this.#seq;
    const tracked = scope.then(
      (err) => {
        if (err) this.#errors.push({ kind, message: err.message, programs, seq });
      },
      (e: unknown) => {
        // popErrorScope rejects only when the device is gone; loss is reported separately.
        if (!this.isLost && !this.#destroyed) this.#errors.push({ kind, message: String(e), programs, seq });
      },
    );
    this.#pendingScopes.add(tracked);
    void tracked.finally(() => this.#pendingScopes.delete(tracked));
  }

  /** Records an error found on the host side (e.g. a failed shader compilation with its messages). */
  recordError(kind: PendingError['kind'], message: string, programs: readonly string[]): void {
    this.#errors.push({ kind, message, programs, seq: ++this.#seq });
  }

  /** Number of error scopes not yet resolved (tests, diagnostics). */
  get pendingScopeCount(): number {
    return this.#pendingScopes.size;
  }

  /**
   * Waits for every tracked error scope, then throws the first collected error (and forgets all of
   * them) as a {@link GpuProgramError} naming `op` and the programs involved. Throws
   * {@link GpuDeviceLostError} if the device was lost.
   */
  async checkErrors(op: string): Promise<void> {
    while (this.#pendingScopes.size > 0) await Promise.all([...this.#pendingScopes]);
    this.throwCollected(op);
  }

  /** Synchronous part of {@link checkErrors}: throws what has already been collected. */
  throwCollected(op: string): void {
    if (this.#lostReason !== undefined) {
      throw new GpuDeviceLostError(op, `the GPU device was lost (${this.#lostReason}); queued work is gone — retry after 'await backend.sync()'`);
    }
    if (this.#errors.length === 0) return;
    const [first, ...rest] = this.#errors.sort((a, b) => a.seq - b.seq);
    this.#errors = [];
    const more = rest.length ? ` (+${rest.length} more error${rest.length > 1 ? 's' : ''})` : '';
    throw new GpuProgramError(op, first.programs, `WebGPU ${first.kind} error: ${first.message}${more}`);
  }

  /**
   * Destroys the device and drops every dawn.node reference, so the Node process can exit.
   * Idempotent; the context is unusable afterwards.
   */
  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#listeners.clear();
    this.#device?.destroy();
    this.#device = undefined;
    this.#gpu = undefined;
  }

  /** True after {@link destroy}. */
  get isDestroyed(): boolean {
    return this.#destroyed;
  }
}
