/**
 * Execution of one packed product: lay out the scratch, choose the task grid, pack, run the tasks on
 * the caller (and the pool), copy the product out.
 *
 * With workers, the caller's serial work is pipelined with theirs: it publishes the job first, then
 * packs A's first row block and B column block by column block, then the other row blocks of A,
 * publishing progress (`A_READY`, `B_READY`) so that workers start on the first blocks while the rest
 * is still being packed; after its own tasks it copies each row block of the product into C as soon as
 * that block's tasks are done. Without this, packing and copy-out (O(mk + kn + mn), caller only)
 * measured ~15 % of a two-thread 768³ product.
 */
import { CTL, MAX_ROW_BLOCKS, MR, NR_F32, NR_F64, controlLength, runTasks } from './gemm-core.mjs';
import { copyOut } from './copy-out.js';
import { packA, packB } from './pack.js';
import { poolControl, poolFailure, waitWorkers, wakeWorkers } from './pool.js';
import { type Scratch, align64, jsScratch, wasmScratch } from './scratch.js';
import type { GemmCall } from './validate.js';

/** Rows of C per task in MR-row panels (128 rows: a 128 × KC block of A stays in L2). Task shape measured flat within ±3 %. */
const TASK_PANELS_A = 32;
/** Columns of C per task in NR-column panels (512 f32 / 256 f64 columns). */
const TASK_PANELS_B = 64;
/** With several threads, cut tasks until there are this many per thread: a thread that the OS deschedules then holds up only a small block (4 vs 8 vs 16 measured within noise on an idle core pair). */
const TASKS_PER_THREAD = 8;

/** Scratch bytes of a packed product: packed A, packed B and the padded product S. */
export function scratchBytes(f64: boolean, m: number, n: number, k: number): { a: number; b: number; s: number } {
  const es = f64 ? 8 : 4;
  const nr = f64 ? NR_F64 : NR_F32;
  const mPad = Math.ceil(m / MR) * MR;
  const nPad = Math.ceil(n / nr) * nr;
  return { a: align64(mPad * k * es), b: align64(nPad * k * es), s: align64(mPad * nPad * es) };
}

/** Control block of single-threaded jobs (not shared: the caller is its only reader). */
const serialControl = new Int32Array(controlLength(0));

/**
 * Runs the validated product `p` on the wasm kernel (`useWasm`) or the JS kernel, packed and computed
 * in f64 when `f64` (f64 operands, or f32 operands with f64 accumulation), on `threads` threads (1 =
 * caller only; the pool must already hold `threads − 1` ready workers, see `acquireThreads`).
 */
export function runPacked(p: GemmCall, f64: boolean, useWasm: boolean, threads: number): void {
  const { m, n, k } = p;
  const es = f64 ? 8 : 4;
  const nr = f64 ? NR_F64 : NR_F32;
  const mPanels = Math.ceil(m / MR);
  const nPanels = Math.ceil(n / nr);
  const bytes = scratchBytes(f64, m, n, k);
  const scratch: Scratch = useWasm ? wasmScratch(bytes.a + bytes.b + bytes.s) : jsScratch(bytes.a + bytes.b + bytes.s);
  const view = f64 ? scratch.f64 : scratch.f32;
  const aBase = 0;
  const bBase = bytes.a;
  const sBase = bytes.a + bytes.b;
  const lds = nPanels * nr;

  // Task grid: MC × NC blocks of C, cut finer when several threads share them.
  let taskPa = Math.max(Math.min(TASK_PANELS_A, mPanels), Math.ceil(mPanels / MAX_ROW_BLOCKS));
  let taskPb = Math.min(TASK_PANELS_B, nPanels);
  for (;;) {
    const tasks = Math.ceil(mPanels / taskPa) * Math.ceil(nPanels / taskPb);
    if (threads === 1 || tasks >= TASKS_PER_THREAD * threads) break;
    if (taskPa > 2 && (taskPa * MR >= taskPb * nr || taskPb <= 2)) taskPa = Math.ceil(taskPa / 2);
    else if (taskPb > 2) taskPb = Math.ceil(taskPb / 2);
    else break;
  }
  const rowTasks = Math.ceil(mPanels / taskPa);
  const colTasks = Math.ceil(nPanels / taskPb);
  const pooled = threads > 1 ? poolControl() : null;
  const ctl = pooled ?? serialControl;
  // Every control block ends with its MAX_ROW_BLOCKS completion counters (see controlLength).
  const done0 = ctl.length - MAX_ROW_BLOCKS;
  ctl[CTL.NTASKS] = rowTasks * colTasks;
  ctl[CTL.KERNEL] = f64 ? 1 : 0;
  ctl[CTL.K] = k;
  ctl[CTL.A_BASE] = aBase;
  ctl[CTL.A_STRIDE] = k * MR * es;
  ctl[CTL.M_PANELS] = mPanels;
  ctl[CTL.TASK_PA] = taskPa;
  ctl[CTL.B_BASE] = bBase;
  ctl[CTL.B_STRIDE] = k * nr * es;
  ctl[CTL.N_PANELS] = nPanels;
  ctl[CTL.TASK_PB] = taskPb;
  ctl[CTL.S_BASE] = sBase;
  ctl[CTL.LDS] = lds * es;
  ctl[CTL.COL_TASKS] = colTasks;
  ctl[CTL.DONE_BASE] = done0;
  ctl.fill(0, done0, done0 + rowTasks);
  Atomics.store(ctl, CTL.ABORT, 0);
  Atomics.store(ctl, CTL.A_READY, 0);
  Atomics.store(ctl, CTL.B_READY, 0);
  Atomics.store(ctl, CTL.NEXT, 0);
  const helpers = pooled === null ? 0 : wakeWorkers(threads);

  const rowsOf = (rb: number): [number, number] => [rb * taskPa * MR, Math.min(m, (rb + 1) * taskPa * MR)];
  const colsOf = (cb: number): [number, number] => [cb * taskPb * nr, Math.min(n, (cb + 1) * taskPb * nr)];
  const publish = (slot: number, value: number): void => {
    Atomics.store(ctl, slot, value);
    if (helpers > 0) Atomics.notify(ctl, slot);
  };
  try {
    for (let rb = 0, cb = 0; rb < rowTasks; rb++) {
      const [r0, r1] = rowsOf(rb);
      packA(p.transA, r1 - r0, k, p.A, p.aOff + (p.transA ? r0 : r0 * p.lda), p.lda, view, aBase / es + (r0 / MR) * k * MR);
      publish(CTL.A_READY, rb + 1);
      // B right after A's first row block: together they unlock the first row of tasks.
      for (; rb === 0 && cb < colTasks; cb++) {
        const [c0, c1] = colsOf(cb);
        packB(p.transB, k, c1 - c0, p.B, p.bOff + (p.transB ? c0 * p.ldb : c0), p.ldb, view, bBase / es + (c0 / nr) * k * nr, nr);
        publish(CTL.B_READY, cb + 1);
      }
    }
    runTasks(scratch.kernels, ctl);
    for (let rb = 0; rb < rowTasks; rb++) {
      if (helpers > 0) waitRowBlock(ctl, done0 + rb, colTasks);
      const [r0, r1] = rowsOf(rb);
      copyOut(r1 - r0, n, p.alpha, view, sBase / es + r0 * lds, lds, p.beta, p.C, p.cOff + r0 * p.ldc, p.ldc);
    }
  } catch (err) {
    // Release workers that wait for blocks this thread will never pack; `finally` lets them drain.
    Atomics.store(ctl, CTL.ABORT, 1);
    Atomics.store(ctl, CTL.NEXT, ctl[CTL.NTASKS]);
    publish(CTL.A_READY, rowTasks);
    publish(CTL.B_READY, colTasks);
    throw err;
  } finally {
    if (helpers > 0) waitWorkers();
  }
}

/** Waits until row block `slot`'s counter reaches `colTasks`, failing fast if a worker's task threw. */
function waitRowBlock(ctl: Int32Array, slot: number, colTasks: number): void {
  for (let seen = Atomics.load(ctl, slot); seen < colTasks; seen = Atomics.load(ctl, slot)) {
    const failure = poolFailure();
    if (failure !== null) throw new Error(failure);
    Atomics.wait(ctl, slot, seen, 20);
  }
}
