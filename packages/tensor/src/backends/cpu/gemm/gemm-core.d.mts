/** Types of `gemm-core.mjs` (plain JS so that pool workers can load it without a TS loader). */

/**
 * A macro-kernel: `(kc, ap0, aStride, nA, bp0, bStride, nB, cp0, ldc, accumulate)`, all offsets and
 * strides in bytes of the scratch memory. See `gemm-core.mjs` for the contract.
 */
export type MacroKernel = (
  kc: number,
  ap0: number,
  aStride: number,
  nA: number,
  bp0: number,
  bStride: number,
  nB: number,
  cp0: number,
  ldc: number,
  accumulate: number,
) => void;

/** The two macro-kernels, as exported by the wasm module or by the JS fallback. */
export interface MacroKernels {
  f32: MacroKernel;
  f64: MacroKernel;
}

/** Rows per register block (both dtypes). */
export declare const MR: 4;
/** Columns per register block, f32. */
export declare const NR_F32: 8;
/** Columns per register block, f64. */
export declare const NR_F64: 4;
/** Largest shared-dimension pass. */
export declare const KC: 512;
/** Largest scratch memory, in 64 KiB pages. */
export declare const MAX_PAGES: number;

/** Slots of the shared control block. */
export declare const CTL: Readonly<{
  PENDING: 0;
  NEXT: 1;
  ERROR: 2;
  NTASKS: 3;
  KERNEL: 4;
  K: 5;
  A_BASE: 6;
  A_STRIDE: 7;
  M_PANELS: 8;
  TASK_PA: 9;
  B_BASE: 10;
  B_STRIDE: 11;
  N_PANELS: 12;
  TASK_PB: 13;
  S_BASE: 14;
  LDS: 15;
  COL_TASKS: 16;
  WORKER_TASKS: 17;
  A_READY: 18;
  B_READY: 19;
  ABORT: 20;
  DONE_BASE: 21;
  WORKERS: 32;
}>;

/** Most row blocks (completion counters) one job may have. */
export declare const MAX_ROW_BLOCKS: number;

/** Int32 slots of a control block for `workers` workers (fixed slots, worker slots, completion counters). */
export declare function controlLength(workers: number): number;

/** First per-row-block completion counter of a control block for `workers` workers. */
export declare function doneBase(workers: number): number;

/** Blocks until `ctl[slot] ≥ value`. */
export declare function waitAtLeast(ctl: Int32Array, slot: number, value: number): void;

/** Claims and runs tasks of the job in `ctl` until none is left (or ABORT); returns how many this thread ran. */
export declare function runTasks(kernels: MacroKernels, ctl: Int32Array): number;
