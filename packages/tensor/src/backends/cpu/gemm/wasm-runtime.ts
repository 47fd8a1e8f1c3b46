/**
 * The WebAssembly side of the GEMM on the calling thread: compiles the SIMD module of `wasm-kernel.ts`
 * once, creates the shared memory that holds packed panels and the scratch product, and instantiates
 * the module on it. Pool workers receive the same `Module` and `Memory` (see `pool.ts`).
 */
import { MAX_PAGES, type MacroKernels } from './gemm-core.mjs';
import { gemmWasmBytes } from './wasm-kernel.js';

/** A shared `WebAssembly.Memory` (the repo's `lib` has no DOM/wasm typings, so the bits used are declared here). */
export interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
  grow(deltaPages: number): number;
}

/** An opaque compiled `WebAssembly.Module` (cloneable to workers). */
export type WasmModule = object;

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Instance: new (module: WasmModule, imports: object) => { readonly exports: object };
}

/** Compiled module, its shared memory and the calling thread's instance. */
export interface WasmRuntime {
  readonly module: WasmModule;
  readonly memory: WasmMemory;
  readonly kernels: MacroKernels;
}

let runtime: WasmRuntime | null | undefined;
let unavailableReason = '';

/**
 * The runtime, created on first use, or `null` where this engine cannot run it (no WebAssembly, no
 * SIMD, no shared memory — e.g. `node --jitless`); {@link wasmUnavailableReason} then says why.
 */
export function wasmRuntime(): WasmRuntime | null {
  if (runtime !== undefined) return runtime;
  try {
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    if (wasm === undefined) throw new Error('WebAssembly is not available in this engine');
    const bytes = gemmWasmBytes();
    if (!wasm.validate(bytes)) throw new Error('WebAssembly SIMD is not supported by this engine');
    const module = new wasm.Module(bytes);
    // One page to start; `ensureWasmBytes` grows it on demand. Shared so that workers see it.
    const memory = new wasm.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
    const instance = new wasm.Instance(module, { env: { memory } });
    runtime = { module, memory, kernels: instance.exports as unknown as MacroKernels };
  } catch (err) {
    unavailableReason = err instanceof Error ? err.message : String(err);
    runtime = null;
  }
  return runtime;
}

/** Whether the wasm SIMD kernel can run in this engine (compiles it on first call). */
export function wasmAvailable(): boolean {
  return wasmRuntime() !== null;
}

/** Why {@link wasmRuntime} returned `null` (empty while it has not, or when it works). */
export function wasmUnavailableReason(): string {
  return unavailableReason;
}

/** Grows the shared memory to at least `bytes` (never shrinks: wasm memories cannot). */
export function ensureWasmBytes(rt: WasmRuntime, bytes: number): void {
  const have = rt.memory.buffer.byteLength;
  if (bytes <= have) return;
  const pageBytes = 65536;
  // Grow by at least 25 % so that a sequence of slightly larger products does not grow every call.
  const want = Math.max(bytes, Math.floor(have * 1.25));
  const pages = Math.min(MAX_PAGES, Math.ceil(want / pageBytes));
  try {
    rt.memory.grow(pages - have / pageBytes);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`gemm: cannot grow the wasm scratch memory from ${have} to ${pages * pageBytes} bytes (${why}); pass a smaller maxScratchBytes`);
  }
}
