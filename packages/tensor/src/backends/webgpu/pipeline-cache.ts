/**
 * Compiled compute pipelines, keyed by program name + compile-time facts (dtype, tile sizes,
 * flags, `override` values) — never by shapes, which go in uniforms. A key that varies with shapes
 * would recompile per call (tens of ms each on lavapipe), so the cache refuses to hold more than
 * {@link MAX_VARIANTS_PER_PROGRAM} variants of one program.
 */
import type { GpuContext } from './gpu-context.js';
import { GpuProgramError } from './gpu-errors.js';

/** How a program binds one resource of `@group(0)`, in binding-index order. */
export type BindingKind = 'read' | 'read_write' | 'uniform';

/**
 * A WGSL compute program: what a kernel hands to the batcher.
 *
 * Binding convention: `@group(0) @binding(i)` for `bindings[i]`; a program with runtime sizes
 * declares one `'uniform'` binding (by convention the last) whose struct comes from
 * `UniformLayout.wgsl()`.
 */
export interface GpuProgram {
  /** Short name, e.g. `matmul`; appears in labels and error messages. */
  readonly name: string;
  /**
   * Compile-time facts selecting the WGSL variant, e.g. `f32|tile=64|bounds`. Never shapes.
   * Together with `name` and `constants` it is the cache key.
   */
  readonly key: string;
  /** WGSL source; called on a cache miss only. Write it in a `/* wgsl *\/` template string. */
  readonly wgsl: () => string;
  /** Kinds of the bindings of `@group(0)`, in binding order. */
  readonly bindings: readonly BindingKind[];
  /** Values of `override` constants (compile-time facts: tile sizes, bounds-check switches). */
  readonly constants?: Readonly<Record<string, number | boolean>>;
  /** Entry point (default `main`). */
  readonly entryPoint?: string;
}

/** A compiled program. */
export interface CompiledProgram {
  readonly program: GpuProgram;
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
  /** Cache key (name|key|constants). */
  readonly cacheKey: string;
}

/** Guard against shape-dependent keys (see module doc). */
export const MAX_VARIANTS_PER_PROGRAM = 64;

/** The cache key of a program: name, key and sorted override constants. */
export function programCacheKey(program: GpuProgram): string {
  const c = program.constants;
  const consts = c ? Object.keys(c).sort().map((k) => `${k}=${String(c[k])}`).join(',') : '';
  return `${program.name}|${program.key}|${consts}|${program.entryPoint ?? 'main'}`;
}

function toConstants(c: GpuProgram['constants']): Record<string, number> | undefined {
  if (!c) return undefined;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(c)) out[k] = typeof v === 'boolean' ? (v ? 1 : 0) : v;
  return out;
}

const LAYOUT_TYPE: Record<BindingKind, GPUBufferBindingType> = {
  read: 'read-only-storage',
  read_write: 'storage',
  uniform: 'uniform',
};

/** Compiles programs once per device and hands out the cached pipelines. */
export class PipelineCache {
  readonly #context: GpuContext;
  #entries = new Map<string, CompiledProgram>();
  #failed = new Map<string, string>();
  #variants = new Map<string, number>();
  #layouts = new Map<string, GPUBindGroupLayout>();
  #compiles = 0;
  #hits = 0;

  constructor(context: GpuContext) {
    this.#context = context;
  }

  /**
   * The compiled pipeline of `program`, compiling it on first use inside validation and internal
   * error scopes. A compile error is reported asynchronously (by the next read or `sync()`) as a
   * `GpuProgramError` naming the program and the WGSL line; after that, requests for the same key
   * throw at once.
   */
  get(program: GpuProgram): CompiledProgram {
    const cacheKey = programCacheKey(program);
    const hit = this.#entries.get(cacheKey);
    const failure = this.#failed.get(cacheKey);
    if (failure !== undefined) throw new GpuProgramError(program.name, [cacheKey], failure);
    if (hit) {
      this.#hits++;
      return hit;
    }
    const variants = (this.#variants.get(program.name) ?? 0) + 1;
    if (variants > MAX_VARIANTS_PER_PROGRAM) {
      throw new GpuProgramError(
        program.name,
        [cacheKey],
        `more than ${MAX_VARIANTS_PER_PROGRAM} pipeline variants of '${program.name}'; its key must hold compile-time facts only (put shapes in uniforms)`,
      );
    }
    this.#variants.set(program.name, variants);
    const compiled = this.#compile(program, cacheKey);
    this.#entries.set(cacheKey, compiled);
    return compiled;
  }

  #layout(device: GPUDevice, bindings: readonly BindingKind[]): GPUBindGroupLayout {
    const key = bindings.join(',');
    let layout = this.#layouts.get(key);
    if (!layout) {
      layout = device.createBindGroupLayout({
        label: `layout(${key})`,
        // Uniforms use dynamic offsets into the batch's arena, so bind groups depend only on the
        // storage buffers and can be cached (see bind-group-cache.ts).
        entries: bindings.map((kind, binding) => ({
          binding,
          visibility: 0x4 /* GPUShaderStage.COMPUTE */,
          buffer: { type: LAYOUT_TYPE[kind], hasDynamicOffset: kind === 'uniform' },
        })),
      });
      this.#layouts.set(key, layout);
    }
    return layout;
  }

  #compile(program: GpuProgram, cacheKey: string): CompiledProgram {
    const device = this.#context.deviceFor(program.name);
    this.#compiles++;
    const label = `${program.name}<${program.key}>`;
    device.pushErrorScope('validation');
    device.pushErrorScope('internal');
    const layout = this.#layout(device, program.bindings);
    const module = device.createShaderModule({ label, code: program.wgsl() });
    const pipeline = device.createComputePipeline({
      label,
      layout: device.createPipelineLayout({ label, bindGroupLayouts: [layout] }),
      compute: { module, entryPoint: program.entryPoint ?? 'main', constants: toConstants(program.constants) },
    });
    const programs = [`${label} (compile)`];
    const onError = async (err: GPUError | null): Promise<{ message: string } | null> => {
      if (!err) return null;
      // Dawn's message for a WGSL error is terse; the compilation info has line:column.
      let detail = err.message;
      try {
        const info = await module.getCompilationInfo();
        const lines = info.messages
          .filter((m) => m.type === 'error')
          .slice(0, 5)
          .map((m) => `  wgsl ${m.lineNum}:${m.linePos}: ${m.message}`);
        if (lines.length) detail += `\n${lines.join('\n')}`;
      } catch {
        // compilation info is a nicety; the scope's message already names the failure
      }
      const message = `program '${program.name}' (key '${program.key}') failed to compile: ${detail}`;
      this.#failed.set(cacheKey, message);
      this.#entries.delete(cacheKey);
      return { message };
    };
    this.#context.trackErrorScope(device.popErrorScope().then(onError), 'internal', programs);
    this.#context.trackErrorScope(device.popErrorScope().then(onError), 'validation', programs);
    return { program, pipeline, layout, cacheKey };
  }

  /** Compilations and cache hits so far. */
  stats(): { compiles: number; hits: number; size: number; failed: number } {
    return { compiles: this.#compiles, hits: this.#hits, size: this.#entries.size, failed: this.#failed.size };
  }

  /** Forgets everything (device replaced or disposed). */
  reset(): void {
    this.#entries = new Map();
    this.#failed = new Map();
    this.#variants = new Map();
    this.#layouts = new Map();
  }
}
