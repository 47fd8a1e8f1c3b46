// @ts-check
/**
 * Compute core of the GEMM, shared verbatim by the calling thread and the pool workers. It is plain
 * JavaScript (no TypeScript, no imports) because `gemm-worker.mjs` must load it in a bare Node worker
 * whether the caller runs under vitest, `node --import tsx` or compiled output. Types: `gemm-core.d.mts`.
 *
 * It holds:
 *  1. a hand-written WebAssembly SIMD module (emitted as bytes below: no toolchain, no network) with one
 *     macro-kernel per dtype. Measured on the 2-core EPYC dev box, a 4×8 f32x4 register block runs at
 *     25–40 GFLOP/s per core against 4–6 GFLOP/s for the best scalar-JS register block (V8 does not
 *     vectorise JS, and every typed-array load carries a bounds check); f64x2 4×4 runs at 10–20;
 *  2. the control-block layout that describes one GEMM job in a shared `Int32Array`;
 *  3. `runTasks`, the loop every participating thread runs: claim a task (a block of C) with an atomic
 *     counter, then sweep it with the macro-kernel over the k blocks.
 *
 * Packed layout (written by `pack.ts`): op(A) `[m, k]` is cut into MR-row micro-panels, each stored
 * k-major (`panel[p*MR + i] = opA(row0 + i, p)`), zero-padded to MR rows; op(B) `[k, n]` into NR-column
 * micro-panels stored k-major (`panel[p*NR + j] = opB(p, col0 + j)`). The product goes to a scratch
 * `S` `[mPad, nPad]` (row-major, `ldS` bytes per row) that `copy-out.ts` folds into C with alpha/beta.
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

// ---------------------------------------------------------------------------------------------------
// WebAssembly emitter: just the opcodes the macro-kernel needs.

/** @param {number} n */
function uleb(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** @param {number} n */
function sleb(n) {
  const out = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** @param {number[][]} items */
const vec = (items) => [...uleb(items.length), ...items.flat()];
/** @param {number} id @param {number[]} body */
const section = (id, body) => [id, ...uleb(body.length), ...body];
/** @param {string} s */
const name = (s) => vec([...s].map((c) => [c.charCodeAt(0)]));

const T_I32 = 0x7f;
const T_V128 = 0x7b;
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const IF = [0x04, 0x40];
const ELSE = [0x05];
const END = [0x0b];
/** @param {number} depth */
const br = (depth) => [0x0c, ...uleb(depth)];
/** @param {number} depth */
const brIf = (depth) => [0x0d, ...uleb(depth)];
/** @param {number} i */
const get = (i) => [0x20, ...uleb(i)];
/** @param {number} i */
const set = (i) => [0x21, ...uleb(i)];
/** @param {number} v */
const i32 = (v) => [0x41, ...sleb(v)];
const I32_ADD = [0x6a];
const I32_SUB = [0x6b];
const I32_MUL = [0x6c];
const I32_GE_S = [0x4e];
const I32_LT_S = [0x48];
/** @param {number} op @param {number[]} imm */
const simd = (op, ...imm) => [0xfd, ...uleb(op), ...imm];
/** @param {number} alignLog2 @param {number} offset */
const memarg = (alignLog2, offset) => [...uleb(alignLog2), ...uleb(offset)];
/** @param {number} offset */
const v128Load = (offset) => simd(0x00, ...memarg(4, offset));
/** @param {number} offset */
const v128Store = (offset) => simd(0x0b, ...memarg(4, offset));
const V128_ZERO = simd(0x0c, ...new Array(16).fill(0));

/**
 * Body of `macro(kc, ap0, aStride, nA, bp0, bStride, nB, cp0, ldc, accumulate)`: for every B micro-panel
 * `jb < nB` (outer, so its NR×kc block stays in L1) and every A micro-panel `ia < nA` (inner, the
 * MC×kc block streams from L2), compute the MR×NR tile `Σ_p a[p]·b[p]ᵀ` over `kc` steps in registers and
 * store it at `cp0 + ia·MR·ldc + jb·NR·es`, adding the tile already there when `accumulate ≠ 0`.
 * All pointers and strides are byte offsets into the shared memory.
 *
 * @param {boolean} f64
 */
function macroBody(f64) {
  const es = f64 ? 8 : 4;
  const NV = 2; // vectors per tile row
  const NR = NV * (16 / es);
  const add = simd(f64 ? 0xf0 : 0xe4);
  const mul = simd(f64 ? 0xf2 : 0xe6);
  /** @param {number} offset */
  const splat = (offset) => (f64 ? simd(0x0a, ...memarg(3, offset)) : simd(0x09, ...memarg(2, offset)));
  // Parameters 0..9, then locals.
  const [kc, ap0, aStride, nA, bp0, bStride, nB, cp0, ldc, accumulate] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [ia, jb, ap, bp, cp, p, row] = [10, 11, 12, 13, 14, 15, 16];
  const ACC = 17; // MR·NV accumulators
  const BV = ACC + MR * NV; // NV vectors of B
  const AV = BV + NV; // one broadcast element of A
  const acc = (/** @type {number} */ i, /** @type {number} */ v) => ACC + i * NV + v;
  const c = [];
  const rowPtr = (/** @type {number} */ i) => [...get(cp), ...i32(i), ...get(ldc), ...I32_MUL, ...I32_ADD, ...set(row)];

  c.push(...i32(0), ...set(jb), ...BLOCK, ...LOOP);
  c.push(...get(jb), ...get(nB), ...I32_GE_S, ...brIf(1));
  c.push(...i32(0), ...set(ia), ...BLOCK, ...LOOP);
  c.push(...get(ia), ...get(nA), ...I32_GE_S, ...brIf(1));
  c.push(...get(ap0), ...get(ia), ...get(aStride), ...I32_MUL, ...I32_ADD, ...set(ap));
  c.push(...get(bp0), ...get(jb), ...get(bStride), ...I32_MUL, ...I32_ADD, ...set(bp));
  c.push(...get(cp0), ...get(ia), ...i32(MR), ...I32_MUL, ...get(ldc), ...I32_MUL, ...I32_ADD);
  c.push(...get(jb), ...i32(NR * es), ...I32_MUL, ...I32_ADD, ...set(cp));
  // Initial accumulators: the stored tile (later k blocks) or zero (first k block, so S needs no clearing).
  c.push(...get(accumulate), ...IF);
  for (let i = 0; i < MR; i++) {
    c.push(...rowPtr(i));
    for (let v = 0; v < NV; v++) c.push(...get(row), ...v128Load(16 * v), ...set(acc(i, v)));
  }
  c.push(...ELSE);
  for (let i = 0; i < MR; i++) for (let v = 0; v < NV; v++) c.push(...V128_ZERO, ...set(acc(i, v)));
  c.push(...END);
  // The k loop: NV vector loads of B, MR broadcasts of A, MR·NV multiply-adds. Not unrolled: unrolling
  // by 2 measured slower (V8 then spills accumulators).
  c.push(...get(kc), ...set(p), ...BLOCK, ...LOOP);
  c.push(...get(p), ...i32(1), ...I32_LT_S, ...brIf(1));
  for (let v = 0; v < NV; v++) c.push(...get(bp), ...v128Load(16 * v), ...set(BV + v));
  for (let i = 0; i < MR; i++) {
    c.push(...get(ap), ...splat(i * es), ...set(AV));
    for (let v = 0; v < NV; v++) {
      c.push(...get(acc(i, v)), ...get(AV), ...get(BV + v), ...mul, ...add, ...set(acc(i, v)));
    }
  }
  c.push(...get(ap), ...i32(MR * es), ...I32_ADD, ...set(ap));
  c.push(...get(bp), ...i32(NR * es), ...I32_ADD, ...set(bp));
  c.push(...get(p), ...i32(1), ...I32_SUB, ...set(p), ...br(0), ...END, ...END);
  for (let i = 0; i < MR; i++) {
    c.push(...rowPtr(i));
    for (let v = 0; v < NV; v++) c.push(...get(row), ...get(acc(i, v)), ...v128Store(16 * v));
  }
  c.push(...get(ia), ...i32(1), ...I32_ADD, ...set(ia), ...br(0), ...END, ...END);
  c.push(...get(jb), ...i32(1), ...I32_ADD, ...set(jb), ...br(0), ...END, ...END);
  c.push(...END);
  const locals = vec([
    [...uleb(7), T_I32],
    [...uleb(MR * NV + NV + 1), T_V128],
  ]);
  const body = [...locals, ...c];
  return [...uleb(body.length), ...body];
}

/** Largest memory the module may grow to, in 64 KiB pages (2 GiB: byte offsets stay positive i32). */
export const MAX_PAGES = 32768;

/**
 * The module's bytes: imports a shared memory `env.memory` (≤ {@link MAX_PAGES} pages) and exports
 * `f32` and `f64`, both `(kc, ap0, aStride, nA, bp0, bStride, nB, cp0, ldc, accumulate) → ()`.
 * @returns {Uint8Array}
 */
export function gemmWasmBytes() {
  const params = vec(new Array(10).fill([T_I32]));
  const type = section(1, vec([[0x60, ...params, 0x00]]));
  const memoryImport = [...name('env'), ...name('memory'), 0x02, 0x03, ...uleb(1), ...uleb(MAX_PAGES)];
  const imports = section(2, vec([memoryImport]));
  const funcs = section(3, vec([[0x00], [0x00]]));
  const exports = section(7, vec([[...name('f32'), 0x00, 0x00], [...name('f64'), 0x00, 0x01]]));
  const code = section(10, vec([macroBody(false), macroBody(true)]));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...imports, ...funcs, ...exports, ...code]);
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
