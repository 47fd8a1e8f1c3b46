/**
 * WGSL programs of the GPU auction (see `auction-gpu.ts`). Benefits, prices and bids are i32 fixed
 * point, so every comparison and price update is exact. Per Jacobi round:
 *
 * 1. `auction-bid`: every unassigned row (from the compacted list) scans its row of benefits with one
 *    workgroup, finds the best and second-best values `v = a_ij − p_j` (ties → lowest column), and
 *    bids `p_j1 + (v1 − v2) + ε` for j1: `atomicMax` on the order-preserving u32 encoding of the bid;
 * 2. `auction-resolve`: a bidder whose bid equals its column's maximum takes part in `atomicMin` on the
 *    row index (lowest row wins ties);
 * 3. `auction-assign`: per column, the winner takes it at its bid price and the previous owner becomes
 *    unassigned; the list counter is reset;
 * 4. `auction-compact`: unassigned rows are appended to the list (order varies, results do not: each
 *    row's bid and each column's resolution are independent of it).
 *
 * `state[0]` holds the number of unassigned rows: the only value the host reads, every few rounds.
 */
import { wgslLinearMain, wgslWorkgroupReduce } from '../../backends/webgpu/kernels/wgsl-workgroup.js';
import type { GpuProgram } from '../../backends/webgpu/pipeline-cache.js';
import { defineUniforms } from '../../backends/webgpu/uniforms.js';

/** Uniforms of every auction program. */
export const AUCTION_U = defineUniforms({ n: 'u32', eps: 'i32', groups: 'u32' });

/** Threads per workgroup of the row scan. */
export const BID_WG = 64;
/** Threads per workgroup of the per-row / per-column programs. */
export const LINE_WG = 256;

const COMMON = /* wgsl */ `
${AUCTION_U.wgsl()}
const NONE = 0xffffffffu;
// Order-preserving map i32 → u32 (0 is reserved for "no bid": it would be i32 −2³¹).
fn enc(x: i32) -> u32 { return bitcast<u32>(x) ^ 0x80000000u; }
fn dec(x: u32) -> i32 { return bitcast<i32>(x ^ 0x80000000u); }
`;

/** Element type of each buffer the auction programs bind (atomics are always bound `read_write`). */
const BUFFER_TYPES = {
  ben: 'i32', price: 'i32', list: 'u32', state: 'atomic<u32>', bid_col: 'u32', bid_val: 'i32', best: 'atomic<u32>', winner: 'atomic<u32>', owner: 'i32', assign: 'i32',
} as const;
type AuctionBuffer = keyof typeof BUFFER_TYPES;

/**
 * An auction program: storage bindings `read` then `write` (read_write) in order, the uniforms at the
 * next binding, then `body` (WGSL after {@link COMMON} and the declarations). One list drives both the
 * WGSL declarations and the bind-group layout, so they cannot disagree.
 */
function auctionProgram(name: string, buffers: { read?: readonly AuctionBuffer[]; write: readonly AuctionBuffer[] }, body: string): GpuProgram {
  const storage = [...(buffers.read ?? []).map((b) => [b, 'read'] as const), ...buffers.write.map((b) => [b, 'read_write'] as const)];
  const decls = storage.map(([b, access], i) => `@group(0) @binding(${i}) var<storage, ${access}> ${b}: array<${BUFFER_TYPES[b]}>;`);
  return {
    name,
    key: 'i32',
    bindings: [...storage.map(([, access]) => access), 'uniform'],
    wgsl: () => `${COMMON}\n${decls.join('\n')}\n@group(0) @binding(${storage.length}) var<uniform> u: Uniforms;\n${body}`,
  };
}

/**
 * The row scan of a bid, for programs with bindings `ben`, `price` and a `const WG` (a power of two):
 * `scan_best_two(row, li)` has the workgroup's invocations scan the benefits from `ben[row]` (row =
 * i·n) at the current prices for the best value `v = a_ij − p_j` (lowest column on ties) and the
 * second best, and leaves them in `r_v1[0]`, `r_j1[0]`, `r_v2[0]`. It has barriers: every invocation
 * calls it, in uniform control flow.
 */
const SCAN_BEST_TWO = /* wgsl */ `
const MIN_I32 = -2147483647 - 1;
var<workgroup> r_v1: array<i32, WG>;
var<workgroup> r_j1: array<u32, WG>;
var<workgroup> r_v2: array<i32, WG>;

fn scan_best_two(row: u32, li: u32) {
  var v1 = MIN_I32;
  var j1 = NONE;
  var v2 = MIN_I32;
  for (var j = li; j < u.n; j += WG) {
    let v = ben[row + j] - price[j];
    if (v > v1) { v2 = v1; v1 = v; j1 = j; } else if (v > v2) { v2 = v; }
  }
  r_v1[li] = v1;
  r_j1[li] = j1;
  r_v2[li] = v2;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (li < s) {
      let av1 = r_v1[li];
      let aj1 = r_j1[li];
      let bv1 = r_v1[li + s];
      let bj1 = r_j1[li + s];
      // Larger value wins; equal values: the lower column (NONE is the largest u32).
      if (bv1 > av1 || (bv1 == av1 && bj1 < aj1)) {
        r_v1[li] = bv1;
        r_j1[li] = bj1;
        r_v2[li] = max(av1, r_v2[li + s]);
      } else {
        r_v2[li] = max(r_v2[li], bv1);
      }
    }
    workgroupBarrier();
  }
}`;

export const bidProgram = auctionProgram(
  'auction-bid',
  { read: ['ben', 'price', 'list'], write: ['state', 'bid_col', 'bid_val', 'best'] },
  /* wgsl */ `
const WG = ${BID_WG}u;
var<workgroup> count_w: u32;
${SCAN_BEST_TWO}

@compute @workgroup_size(${BID_WG})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) li: u32) {
  if (li == 0u) { count_w = atomicLoad(&state[0]); }
  let count = workgroupUniformLoad(&count_w);
  for (var idx = wid.x; idx < count; idx += u.groups) {
    let i = list[idx];
    scan_best_two(i * u.n, li);
    if (li == 0u) {
      let j = r_j1[0];
      let bid = price[j] + (r_v1[0] - r_v2[0]) + u.eps;
      bid_col[i] = j;
      bid_val[i] = bid;
      atomicMax(&best[j], enc(bid));
    }
    workgroupBarrier();
  }
}`,
);

export const resolveProgram = auctionProgram(
  'auction-resolve',
  { read: ['list', 'bid_col', 'bid_val'], write: ['state', 'best', 'winner'] },
  wgslLinearMain({ wg: LINE_WG, index: 'idx' }, /* wgsl */ `if (idx >= atomicLoad(&state[0]) || idx >= u.n) { return; }
  let i = list[idx];
  let j = bid_col[i];
  if (j >= u.n) { return; }
  if (enc(bid_val[i]) == atomicLoad(&best[j])) { atomicMin(&winner[j], i); }`),
);

export const assignProgram = auctionProgram(
  'auction-assign',
  { write: ['state', 'best', 'winner', 'owner', 'assign', 'price'] },
  wgslLinearMain({ wg: LINE_WG, index: 'j' }, /* wgsl */ `// The unassigned list is rebuilt from scratch by the compaction that follows.
  if (j == 0u) { atomicStore(&state[0], 0u); }
  if (j >= u.n) { return; }
  let w = atomicLoad(&winner[j]);
  if (w != NONE && w < u.n) {
    let old = owner[j];
    if (old >= 0) { assign[old] = -1; }
    owner[j] = i32(w);
    assign[w] = i32(j);
    price[j] = dec(atomicLoad(&best[j]));
  }
  atomicStore(&best[j], 0u);
  atomicStore(&winner[j], NONE);`),
);

export const compactProgram = auctionProgram(
  'auction-compact',
  { read: ['assign'], write: ['list', 'state'] },
  wgslLinearMain({ wg: LINE_WG, index: 'i', count: 'u.n' }, /* wgsl */ `if (assign[i] < 0) {
    let slot = atomicAdd(&state[0], 1u);
    list[slot] = i;
  }`),
);

/** Start of an ε phase: every row unassigned and listed, no owners, no bids (prices are kept). */
export const phaseProgram = auctionProgram(
  'auction-phase',
  { write: ['state', 'best', 'winner', 'owner', 'assign', 'list'] },
  wgslLinearMain({ wg: LINE_WG, index: 'i' }, /* wgsl */ `if (i == 0u) { atomicStore(&state[0], u.n); }
  if (i >= u.n) { return; }
  assign[i] = -1;
  owner[i] = -1;
  list[i] = i;
  atomicStore(&best[i], 0u);
  atomicStore(&winner[i], NONE);`),
);

/** Threads of the single workgroup of the tail program. */
export const TAIL_WG = 64;

/**
 * The tail of a phase, when few rows are unassigned: a Jacobi round would place one or two bids for
 * four dispatches (evictions chain one after another), so one workgroup runs Gauss–Seidel bidding
 * instead — rows taken from a stack built in ascending row order (deterministic), each bid placed at
 * once — for up to `u.groups` bids, then stores the number still unassigned in `state[0]`.
 */
export const tailProgram = auctionProgram(
  'auction-tail',
  { read: ['ben'], write: ['price', 'owner', 'assign', 'list', 'state'] },
  /* wgsl */ `
const WG = ${TAIL_WG}u;
var<workgroup> count_w: u32;
${SCAN_BEST_TWO}

@compute @workgroup_size(${TAIL_WG})
fn main(@builtin(local_invocation_index) li: u32) {
  if (li == 0u) {
    var c = 0u;
    for (var i = 0u; i < u.n; i++) {
      if (assign[i] < 0) { list[c] = i; c++; }
    }
    // Pop from the end: the lowest rows bid first.
    for (var a = 0u; a < c / 2u; a++) {
      let t = list[a];
      list[a] = list[c - 1u - a];
      list[c - 1u - a] = t;
    }
    count_w = c;
  }
  storageBarrier();
  for (var bid_no = 0u; bid_no < u.groups; bid_no++) {
    let count = workgroupUniformLoad(&count_w);
    if (count == 0u) { break; }
    let i = list[count - 1u];
    scan_best_two(i * u.n, li);
    if (li == 0u) {
      let j = r_j1[0];
      price[j] = price[j] + (r_v1[0] - r_v2[0]) + u.eps;
      let old = owner[j];
      owner[j] = i32(i);
      assign[i] = i32(j);
      if (old >= 0) {
        assign[old] = -1;
        list[count - 1u] = u32(old);
      } else {
        count_w = count - 1u;
      }
    }
    // The new price and owner are seen by every invocation's next scan.
    storageBarrier();
    workgroupBarrier();
  }
  if (li == 0u) { atomicStore(&state[0], count_w); }
}`,
);

/**
 * Shifts every price by the smallest one (one workgroup). Bids depend on price differences only, so
 * this changes nothing but keeps prices in [0, ~2·range] across ε phases, far from i32 overflow.
 */
export const normalizeProgram = auctionProgram(
  'auction-normalize',
  { write: ['price'] },
  /* wgsl */ `
const WG = ${LINE_WG}u;
var<workgroup> red: array<i32, WG>;
${wgslWorkgroupReduce('reduce_min', 'red', 'i32', (a, b) => `min(${a}, ${b})`)}

@compute @workgroup_size(${LINE_WG})
fn main(@builtin(local_invocation_index) li: u32) {
  var m = 2147483647;
  for (var j = li; j < u.n; j += WG) { m = min(m, price[j]); }
  let lo = reduce_min(m, li);
  for (var j = li; j < u.n; j += WG) { price[j] = price[j] - lo; }
}`,
);
