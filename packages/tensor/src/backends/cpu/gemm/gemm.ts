/**
 * BLAS-style GEMM on row-major typed arrays: `C = alpha · op(A) · op(B) + beta · C`.
 *
 * Paths, chosen per call:
 *  - tiny products (`m·n·k ≤ DIRECT_MAX_VOLUME`): unpacked dot products (`direct.ts`);
 *  - otherwise GotoBLAS-style: pack op(A) into MR-row and op(B) into NR-column micro-panels in a shared
 *    scratch memory (`pack.ts`), sweep them with the register-blocked SIMD macro-kernel of
 *    `wasm-kernel.ts` (scalar JS in `js-kernel.ts` where wasm SIMD is unavailable) block by block
 *    (MC × NC blocks of C as tasks run by `gemm-core.mjs`, ≤ KC-deep passes; `job.ts`), then fold the
 *    scratch product into C with alpha/beta (`copy-out.ts`);
 *  - products of at least `PARALLEL_MIN_FLOPS` split their tasks between the calling thread and the
 *    worker pool (`pool.ts`); the call stays synchronous. Results are bit-identical whatever the thread
 *    count: every entry of C is summed by one thread in the same order.
 *
 * Accumulation: f64 products accumulate in f64. f32 products accumulate in f32 SIMD lanes (partial sums
 * are f32 within a pass of ≤ 512 terms and between passes), as BLAS does; accumulating f32 in f64 means
 * running the f64 kernel on widened panels, which measured 2× slower, so it is opt-in
 * (`accumulate: 'f64'`). The tiny direct path always accumulates in f64.
 */
import { ValueError } from '../../../errors.js';
import { MAX_PAGES, MR, NR_F32 } from './gemm-core.mjs';
import { scaleC } from './copy-out.js';
import { gemmDirect } from './direct.js';
import { runPacked, scratchBytes } from './job.js';
import type { FloatArray } from './pack.js';
import { acquireThreads, gemmPoolSize } from './pool.js';
import { type GemmCall, type GemmOperands, validateGemm } from './validate.js';
import { wasmRuntime, wasmUnavailableReason } from './wasm-runtime.js';

/** Which kernel runs a product. `'auto'`: direct for tiny products, else wasm SIMD, else JS. */
export type GemmKernel = 'auto' | 'wasm' | 'js' | 'direct';

/** Per-call overrides of the GEMM's choices (all optional; the defaults are the fast ones). */
export interface GemmOptions {
  /** At most this many threads (caller included), ≥ 1. Default: the pool size. `1` = calling thread only. */
  threads?: number;
  /** Products below this many flops (`2·m·n·k`) stay on the calling thread. Default {@link PARALLEL_MIN_FLOPS}; `0` forces the pool. */
  minParallelFlops?: number;
  /** Kernel choice; `'wasm'` throws where WebAssembly SIMD is unavailable. Default `'auto'`. */
  kernel?: GemmKernel;
  /** `gemmF32` only: `'f32'` (default, SIMD f32 accumulation) or `'f64'` (f64 accumulation, ~2× slower). */
  accumulate?: 'f32' | 'f64';
  /**
   * Cap on the scratch memory of one packed product (packed A + packed B + product), bytes. Bigger
   * products are split into sub-products (default 256 MiB, at most ~2 GiB; the scratch is kept for reuse).
   */
  maxScratchBytes?: number;
}

/** Arguments of {@link gemmF32} / {@link gemmF64}: the 16 BLAS operands, then the optional options. */
export type GemmArgs<T extends FloatArray> = [...operands: GemmOperands<T>, options?: GemmOptions];

/** Largest `m·n·k` computed by unpacked dot products instead of the packed kernel. */
export const DIRECT_MAX_VOLUME = 1024;
/** Smallest product (flops) that is split across the pool. */
export const PARALLEL_MIN_FLOPS = 4e6;
/** Products this big wait for booting workers instead of running alone (boot ≈ 50–150 ms). */
const BOOT_WAIT_MIN_FLOPS = 4e9;
/** Default scratch cap (packed A + packed B + product); bigger products are split. */
const MAX_SCRATCH_BYTES = 256 * 1024 * 1024;
/** The wasm memory's own ceiling (one page short of MAX_PAGES), which any cap is clamped to. */
const WASM_MEMORY_LIMIT = (MAX_PAGES - 1) * 65536;

/**
 * `C = alpha · op(A) · op(B) + beta · C` in single precision. Row-major with leading dimensions:
 * op(A) is `[m, k]` with `opA(i, p) = transA ? A[aOffset + p*lda + i] : A[aOffset + i*lda + p]`,
 * op(B) is `[k, n]` with `opB(p, j) = transB ? B[bOffset + j*ldb + p] : B[bOffset + p*ldb + j]`,
 * C is `[m, n]` at `C[cOffset + i*ldc + j]`. As in BLAS, `beta = 0` does not read C, and `k = 0` or
 * `alpha = 0` only scales C. A, B and C may be the same array (blocked factorisations update one
 * block from others) as long as the written `[m, n]` block of C shares no element with what is read of
 * A and B. Synchronous; big products use the pool.
 *
 * @throws DTypeError if an array is not a Float32Array; ValueError / ShapeError for bad sizes,
 *   leading dimensions or offsets (checked against the arrays' lengths before anything is written).
 */
export function gemmF32(...args: GemmArgs<Float32Array>): void {
  const call = validateGemm('gemmF32', Float32Array, args);
  const options = args[16];
  const wide = options?.accumulate === 'f64';
  if (options?.accumulate !== undefined && options.accumulate !== 'f32' && !wide) {
    throw new ValueError('gemmF32', `accumulate must be 'f32' or 'f64', got '${String(options.accumulate)}'`);
  }
  gemm('gemmF32', wide, call, options);
}

/**
 * `C = alpha · op(A) · op(B) + beta · C` in double precision; same contract as {@link gemmF32} with
 * Float64Array operands (accumulation is always f64).
 */
export function gemmF64(...args: GemmArgs<Float64Array>): void {
  gemm('gemmF64', true, validateGemm('gemmF64', Float64Array, args), args[16]);
}

function gemm(op: string, f64: boolean, call: GemmCall, options: GemmOptions | undefined): void {
  const kernel = options?.kernel ?? 'auto';
  if (kernel !== 'auto' && kernel !== 'wasm' && kernel !== 'js' && kernel !== 'direct') {
    throw new ValueError(op, `kernel must be 'auto', 'wasm', 'js' or 'direct', got '${String(kernel)}'`);
  }
  const threads = options?.threads;
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) throw new ValueError(op, `threads must be a positive integer, got ${threads}`);
  const maxScratchBytes = Math.min(options?.maxScratchBytes ?? MAX_SCRATCH_BYTES, WASM_MEMORY_LIMIT);
  if (!(maxScratchBytes > 0)) throw new ValueError(op, `maxScratchBytes must be positive, got ${options?.maxScratchBytes}`);
  const useWasm = kernel !== 'js' && kernel !== 'direct' && wasmRuntime() !== null;
  if (kernel === 'wasm' && !useWasm) throw new ValueError(op, `kernel 'wasm' requested but ${wasmUnavailableReason()}`);

  const { m, n, k } = call;
  if (m === 0 || n === 0) return;
  if (k === 0 || call.alpha === 0) {
    scaleC(m, n, call.beta, call.C, call.cOff, call.ldc);
    return;
  }
  if (kernel === 'direct' || (kernel === 'auto' && m * n * k <= DIRECT_MAX_VOLUME)) {
    gemmDirect(call);
    return;
  }
  const plan: Plan = { f64, useWasm, threads: threads ?? gemmPoolSize(), minParallelFlops: options?.minParallelFlops ?? PARALLEL_MIN_FLOPS, maxScratchBytes };
  packed(plan, call);
}

interface Plan {
  /** Pack and compute in f64 (f64 inputs, or f32 with f64 accumulation). */
  readonly f64: boolean;
  readonly useWasm: boolean;
  readonly threads: number;
  readonly minParallelFlops: number;
  readonly maxScratchBytes: number;
}

function packed(plan: Plan, c: GemmCall): void {
  const bytes = scratchBytes(plan.f64, c.m, c.n, c.k);
  if (bytes.a + bytes.b + bytes.s > plan.maxScratchBytes && Math.max(c.m, c.n, c.k) > 2 * MR * NR_F32) {
    splitProduct(plan, c);
    return;
  }
  const flops = 2 * c.m * c.n * c.k;
  const want = plan.useWasm && flops >= plan.minParallelFlops ? plan.threads : 1;
  const threads = acquireThreads(want, flops >= BOOT_WAIT_MIN_FLOPS);
  runPacked(c, plan.f64, plan.useWasm, threads);
}

/**
 * Splits a product whose scratch would exceed `plan.maxScratchBytes` in two along its largest dimension
 * and runs the halves (a k split accumulates the second half with beta = 1).
 */
function splitProduct(plan: Plan, c: GemmCall): void {
  const { m, n, k, transA, transB, lda, ldb, ldc } = c;
  if (m >= n && m >= k) {
    const h = Math.ceil(m / 2 / MR) * MR;
    packed(plan, { ...c, m: h });
    packed(plan, { ...c, m: m - h, aOff: c.aOff + (transA ? h : h * lda), cOff: c.cOff + h * ldc });
  } else if (n >= k) {
    const h = Math.ceil(n / 2 / NR_F32) * NR_F32;
    packed(plan, { ...c, n: h });
    packed(plan, { ...c, n: n - h, bOff: c.bOff + (transB ? h * ldb : h), cOff: c.cOff + h });
  } else {
    const h = Math.ceil(k / 2);
    packed(plan, { ...c, k: h });
    packed(plan, { ...c, k: k - h, aOff: c.aOff + (transA ? h * lda : h), bOff: c.bOff + (transB ? h : h * ldb), beta: 1 });
  }
}
