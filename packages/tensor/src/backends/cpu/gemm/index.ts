/**
 * Fast GEMM of the CPU backend: `gemmF32` / `gemmF64` (`C = alpha·op(A)·op(B) + beta·C` on row-major
 * typed arrays with offsets and leading dimensions), a wasm-SIMD packed kernel with a scalar-JS
 * fallback, and a worker pool that splits big products across cores while the call stays synchronous.
 *
 * Files: `gemm.ts` (API, path choice, thresholds), `job.ts` (task grid, pipelined pack → compute →
 * copy-out), `gemm-core.mjs` (MR/NR/KC, control block, task loop; plain JS shared with
 * `gemm-worker.mjs`), `wasm-kernel.ts` (the SIMD kernel, emitted as bytes), `wasm-runtime.ts`,
 * `js-kernel.ts` (fallback), `pool.ts`, `pack.ts`, `copy-out.ts`, `direct.ts`, `gram.ts` (XᵀX with half the work), `scratch.ts`, `validate.ts`. Tune with `bench/gemm.bench.ts`; `bench/reference/gemm.py` is numpy.
 * A build that compiles these sources must ship `gemm-core.mjs` and `gemm-worker.mjs` beside the output.
 */
export { DIRECT_MAX_VOLUME, PARALLEL_MIN_FLOPS, gemmF32, gemmF64 } from './gemm.js';
export type { GemmArgs, GemmKernel, GemmOptions } from './gemm.js';
export { GRAM_PANEL, gramF32, gramF64 } from './gram.js';
export type { GemmOperands } from './validate.js';
export { gemmPoolInfo, gemmPoolSize, startGemmPool, stopGemmPool } from './pool.js';
export type { GemmPoolInfo } from './pool.js';
export { wasmAvailable as gemmWasmAvailable, wasmUnavailableReason as gemmWasmUnavailableReason } from './wasm-runtime.js';
