/**
 * Scratch memory of the packed GEMM: packed A, packed B and the product S live in one buffer — the
 * shared wasm memory (readable by pool workers) or, for the JS kernel, a plain `ArrayBuffer`. Both
 * grow on demand and are kept for reuse (wasm memories cannot shrink).
 */
import type { MacroKernels } from './gemm-core.mjs';
import { jsKernels } from './js-kernel.js';
import { ensureWasmBytes, wasmRuntime } from './wasm-runtime.js';

/** Typed views over the whole scratch buffer and the kernels that read it. */
export interface Scratch {
  readonly f32: Float32Array;
  readonly f64: Float64Array;
  readonly kernels: MacroKernels;
}

/** Rounds a byte count up to a cache line. */
export const align64 = (bytes: number): number => Math.ceil(bytes / 64) * 64;

let wasmViews: (Scratch & { buffer: ArrayBufferLike }) | null = null;

/** Views on the shared wasm memory, grown to at least `bytes`. */
export function wasmScratch(bytes: number): Scratch {
  const rt = wasmRuntime();
  if (rt === null) throw new Error('gemm: wasm scratch requested without a wasm runtime (internal error)');
  ensureWasmBytes(rt, bytes);
  const buffer = rt.memory.buffer;
  // A grown shared memory hands out a new, longer SharedArrayBuffer: rebuild the views then.
  if (wasmViews === null || wasmViews.buffer !== buffer || wasmViews.f64.byteLength !== buffer.byteLength) {
    wasmViews = { buffer, f32: new Float32Array(buffer), f64: new Float64Array(buffer), kernels: rt.kernels };
  }
  return wasmViews;
}

let jsViews: Scratch | null = null;

/** Views on the JS-kernel scratch buffer (plain memory: the JS kernel runs on the caller only). */
export function jsScratch(bytes: number): Scratch {
  if (jsViews === null || jsViews.f64.byteLength < bytes) {
    const buffer = new ArrayBuffer(align64(Math.max(bytes, (jsViews?.f64.byteLength ?? 0) * 1.25)));
    jsViews = { f32: new Float32Array(buffer), f64: new Float64Array(buffer), kernels: jsKernels(buffer) };
  }
  return jsViews;
}
