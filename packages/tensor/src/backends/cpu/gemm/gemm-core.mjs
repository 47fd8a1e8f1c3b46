// @ts-check
/**
 * Compute core of the GEMM shared verbatim by the calling thread and the pool workers: the register
 * block sizes, the control-block layout that describes one job in a shared `Int32Array`, and
 * `runTasks`, the loop every participating thread runs (claim a task — a block of C — with an atomic
 * counter, wait until its operands are packed, sweep it with the macro-kernel over the k passes).
 * It is plain JavaScript with no imports because `gemm-worker.mjs` must load it in a bare Node worker
 * whether the caller runs under vitest, `node --import tsx` or compiled output. Types: `gemm-core.d.mts`.
 * The macro-kernels themselves are the wasm module of `wasm-kernel.ts` (or `js-kernel.ts`).
 *
 * Packed layout (written by `pack.ts`): op(A) `[m, k]` is cut into MR-row micro-panels, each stored
 * k-major (`panel[p*MR + i] = opA(row0 + i, p)`), zero-padded to MR rows; op(B) `[k, n]` into NR-column
 * micro-panels stored k-major (`panel[p*NR + j] = opB(p, col0 + j)`). The product goes to a scratch
 * `S` `[mPad, nPad]` (row-major, `LDS` bytes per row) that `copy-out.ts` folds into C with alpha/beta.
 */

/** Rows of a register block: accumulators live in 2·MR SIMD registers (8 of x86-64's 15 usable). */
export const MR = 4;
/** Columns of a register block per dtype: two 128-bit vectors of lanes. */
export const NR_F32 = 8;
export const NR_F64 = 4;
/**
 * Largest shared-dimension block: an NR×KC micro-panel of B is 16 KiB for both dtypes (L1-resident),
 * a 128-row block of A 256/512 KiB (L2). k is cut into equal passes of at most KC. Blocking barely
 * matters at this kernel speed: KC 128…768 measured within 5 %, larger slightly faster.
 */
export const KC = 512;

/** Largest scratch memory, in 64 KiB pages (2 GiB: byte offsets stay positive i32). */
export const MAX_PAGES = 32768;

/** Control-block slots (indices into the shared `Int32Array`). */
export const CTL = Object.freeze({
  /** Workers that have not yet finished the current job; the caller waits for 0. */
  PENDING: 0,
  /** Next task index to claim (atomic counter). */
  NEXT: 1,
  /** 0, or 1 + index of the first worker whose task threw. */
  ERROR: 2,
  NTASKS: 3,
  /** 0 = f32 kernel, 1 = f64 kernel. */
  KERNEL: 4,
  K: 5,
  A_BASE: 6,
  /** Bytes from one A micro-panel to the next (k·MR·elementSize). */
  A_STRIDE: 7,
  M_PANELS: 8,
  /** A micro-panels per task (task rows / MR). */
  TASK_PA: 9,
  B_BASE: 10,
  B_STRIDE: 11,
  N_PANELS: 12,
  /** B micro-panels per task (task columns / NR). */
  TASK_PB: 13,
  S_BASE: 14,
  /** Bytes per row of the scratch product S. */
  LDS: 15,
  /** Tasks per row of blocks (task index = rowBlock · COL_TASKS + colBlock). */
  COL_TASKS: 16,
  /** Running total of tasks run by workers (diagnostics: proves the pool took part). */
  WORKER_TASKS: 17,
  /** Row blocks of A packed so far: a task of row block rb waits until A_READY > rb. */
  A_READY: 18,
  /** Column blocks of B packed so far: a task of column block cb waits until B_READY > cb. */
  B_READY: 19,
  /** Nonzero: the caller gave up on the job (it threw); claim nothing more. */
  ABORT: 20,
  /** Slot of the first per-row-block completion counter (see {@link controlLength}). */
  DONE_BASE: 21,
  /** Per-worker slots start here: worker w uses GEN at WORKERS + 2w and READY at WORKERS + 2w + 1. */
  WORKERS: 32,
});

/** Most row blocks one job may have (one completion counter each); more rows make taller blocks. */
export const MAX_ROW_BLOCKS = 1024;

/**
 * Int32 slots of a control block serving `workers` workers: the fixed slots, two per worker, then
 * {@link MAX_ROW_BLOCKS} counters of finished tasks per row block (from slot `doneBase(workers)`).
 */
export function controlLength(workers) {
  return doneBase(workers) + MAX_ROW_BLOCKS;
}

/** First completion-counter slot of a control block for `workers` workers. */
export function doneBase(workers) {
  return CTL.WORKERS + 2 * Math.max(0, workers);
}

/**
 * Blocks until `ctl[slot] ≥ value` (the caller publishes progress with `Atomics.store` + `notify`).
 * @param {Int32Array} ctl @param {number} slot @param {number} value
 */
export function waitAtLeast(ctl, slot, value) {
  for (let seen = Atomics.load(ctl, slot); seen < value; seen = Atomics.load(ctl, slot)) {
    Atomics.wait(ctl, slot, seen, 100);
  }
}

/**
 * Claims tasks of the job described in `ctl` until none is left and runs each one. A task is the
 * `TASK_PA·MR × TASK_PB·NR` block of S at (rowBlock, colBlock); it waits until its A row block and B
 * column block are packed (the caller packs while workers start), is swept once per pass of ≤ KC over k
 * (the first pass storing, later ones accumulating), then bumps its row block's completion counter so
 * that the caller can copy finished rows out while other tasks still run.
 *
 * @param {{ f32: Function, f64: Function }} kernels the wasm exports (or a same-signature stand-in)
 * @param {Int32Array} ctl the control block
 * @returns {number} tasks this thread ran
 */
export function runTasks(kernels, ctl) {
  const ntasks = ctl[CTL.NTASKS];
  const f64 = ctl[CTL.KERNEL] === 1;
  const macro = f64 ? kernels.f64 : kernels.f32;
  const es = f64 ? 8 : 4;
  const nr = f64 ? NR_F64 : NR_F32;
  const k = ctl[CTL.K];
  const aBase = ctl[CTL.A_BASE];
  const aStride = ctl[CTL.A_STRIDE];
  const mPanels = ctl[CTL.M_PANELS];
  const taskPa = ctl[CTL.TASK_PA];
  const bBase = ctl[CTL.B_BASE];
  const bStride = ctl[CTL.B_STRIDE];
  const nPanels = ctl[CTL.N_PANELS];
  const taskPb = ctl[CTL.TASK_PB];
  const sBase = ctl[CTL.S_BASE];
  const lds = ctl[CTL.LDS];
  const colTasks = ctl[CTL.COL_TASKS];
  const done0 = ctl[CTL.DONE_BASE];
  // Equal passes (768 → 2 × 384, not 512 + 256): the last pass is never a short, overhead-bound one.
  const kStep = Math.ceil(k / Math.ceil(k / KC));
  let done = 0;
  for (;;) {
    const t = Atomics.add(ctl, CTL.NEXT, 1);
    if (t >= ntasks) return done;
    const rb = (t / colTasks) | 0;
    const cb = t - rb * colTasks;
    if (Atomics.load(ctl, CTL.A_READY) <= rb) waitAtLeast(ctl, CTL.A_READY, rb + 1);
    if (Atomics.load(ctl, CTL.B_READY) <= cb) waitAtLeast(ctl, CTL.B_READY, cb + 1);
    if (Atomics.load(ctl, CTL.ABORT) !== 0) return done;
    const pa0 = rb * taskPa;
    const pb0 = cb * taskPb;
    const na = Math.min(taskPa, mPanels - pa0);
    const nb = Math.min(taskPb, nPanels - pb0);
    const s0 = sBase + pa0 * MR * lds + pb0 * nr * es;
    for (let pc = 0; pc < k; pc += kStep) {
      const kc = Math.min(kStep, k - pc);
      macro(kc, aBase + pa0 * aStride + pc * MR * es, aStride, na, bBase + pb0 * bStride + pc * nr * es, bStride, nb, s0, lds, pc > 0 ? 1 : 0);
    }
    if (Atomics.add(ctl, done0 + rb, 1) === colTasks - 1) Atomics.notify(ctl, done0 + rb);
    done++;
  }
}
