/**
 * Fast GEMM of the CPU backend: `gemmF32` / `gemmF64` (`C = alpha·op(A)·op(B) + beta·C` on row-major
 * typed arrays with offsets and leading dimensions), a wasm-SIMD packed kernel with a scalar-JS
 * fallback, and a worker pool that splits big products across cores while the call stays synchronous.
 *
 * How to tune: the block sizes live in `gemm.ts` (task grid, thresholds) and `gemm-core.mjs` (MR, NR,
 * KC, the kernel itself); `bench/gemm.bench.ts` measures, `bench/reference/gemm.py` is numpy's number.
 */
export { DIRECT_MAX_VOLUME, PARALLEL_MIN_FLOPS, gemmF32, gemmF64 } from './gemm.js';
export type { GemmKernel, GemmOptions } from './gemm.js';
export { gemmPoolInfo, gemmPoolSize, startGemmPool, stopGemmPool } from './pool.js';
export type { GemmPoolInfo } from './pool.js';
export { wasmRuntime as gemmWasmRuntime, wasmUnavailableReason as gemmWasmUnavailableReason } from './wasm-runtime.js';
