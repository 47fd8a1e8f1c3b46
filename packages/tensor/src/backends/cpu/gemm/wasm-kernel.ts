/**
 * The GEMM's SIMD macro-kernels as a WebAssembly module, emitted byte by byte here (no toolchain, no
 * network, nothing to build): just the opcodes the kernel needs.
 *
 * Why wasm: V8 does not vectorise JS and bounds-checks every typed-array access, so the best scalar JS
 * register block (4×4 doubles) measured 4–6 GFLOP/s per core on the 2-core EPYC dev box, while this
 * 4×8 f32x4 block measured 40–44 (kernel only, CPU time; f64x2 4×4: 19–21). Measured alternatives:
 * 2×16 ≈ 4×8; 5×8, 6×8, 4×12, 3×12 and 8×8 are 30–50 % slower (V8 then spills accumulators out of the
 * 15 usable xmm registers); unrolling k by 2 is ~35 % slower for the same reason. Wasm has no FMA
 * without the relaxed-SIMD flag (not on by default in Node 20), so a multiply and an add it is.
 */
import { MAX_PAGES, MR, NR_F32, NR_F64 } from './gemm-core.mjs';

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
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

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));

const T_I32 = 0x7f;
const T_V128 = 0x7b;
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const IF = [0x04, 0x40];
const ELSE = [0x05];
const END = [0x0b];
const br = (depth: number): number[] => [0x0c, ...uleb(depth)];
const brIf = (depth: number): number[] => [0x0d, ...uleb(depth)];
const get = (i: number): number[] => [0x20, ...uleb(i)];
const set = (i: number): number[] => [0x21, ...uleb(i)];
const i32 = (v: number): number[] => [0x41, ...sleb(v)];
const I32_ADD = [0x6a];
const I32_SUB = [0x6b];
const I32_MUL = [0x6c];
const I32_GE_S = [0x4e];
const I32_LT_S = [0x48];
const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];
const memarg = (alignLog2: number, offset: number): number[] => [...uleb(alignLog2), ...uleb(offset)];
const v128Load = (offset: number): number[] => simd(0x00, ...memarg(4, offset));
const v128Store = (offset: number): number[] => simd(0x0b, ...memarg(4, offset));
const V128_ZERO = simd(0x0c, ...new Array<number>(16).fill(0));

/**
 * Body of `macro(kc, ap0, aStride, nA, bp0, bStride, nB, cp0, ldc, accumulate)`: for every B micro-panel
 * `jb < nB` (outer, so its NR×kc block stays in L1) and every A micro-panel `ia < nA` (inner, the
 * MC×kc block streams from L2), compute the MR×NR tile `Σ_p a[p]·b[p]ᵀ` over `kc` steps in registers and
 * store it at `cp0 + ia·MR·ldc + jb·NR·es`, adding the tile already there when `accumulate ≠ 0`.
 * All pointers and strides are byte offsets into the shared memory.
 */
function macroBody(f64: boolean): number[] {
  const es = f64 ? 8 : 4;
  const NV = 2; // 128-bit vectors per tile row
  const NR = NV * (16 / es);
  if (NR !== (f64 ? NR_F64 : NR_F32)) throw new Error(`gemm: wasm tile width ${NR} disagrees with gemm-core.mjs`);
  const add = simd(f64 ? 0xf0 : 0xe4);
  const mul = simd(f64 ? 0xf2 : 0xe6);
  // v128.load64_splat / v128.load32_splat: broadcast one element of A to every lane.
  const splat = (offset: number): number[] => (f64 ? simd(0x0a, ...memarg(3, offset)) : simd(0x09, ...memarg(2, offset)));
  // Parameters 0..9, then locals.
  const [kc, ap0, aStride, nA, bp0, bStride, nB, cp0, ldc, accumulate] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [ia, jb, ap, bp, cp, p, row] = [10, 11, 12, 13, 14, 15, 16];
  const ACC = 17; // MR·NV accumulators
  const BV = ACC + MR * NV; // NV vectors of B
  const AV = BV + NV; // one broadcast element of A
  const acc = (i: number, v: number): number => ACC + i * NV + v;
  const rowPtr = (i: number): number[] => [...get(cp), ...i32(i), ...get(ldc), ...I32_MUL, ...I32_ADD, ...set(row)];
  const c: number[] = [];

  c.push(...i32(0), ...set(jb), ...BLOCK, ...LOOP);
  c.push(...get(jb), ...get(nB), ...I32_GE_S, ...brIf(1));
  c.push(...i32(0), ...set(ia), ...BLOCK, ...LOOP);
  c.push(...get(ia), ...get(nA), ...I32_GE_S, ...brIf(1));
  c.push(...get(ap0), ...get(ia), ...get(aStride), ...I32_MUL, ...I32_ADD, ...set(ap));
  c.push(...get(bp0), ...get(jb), ...get(bStride), ...I32_MUL, ...I32_ADD, ...set(bp));
  c.push(...get(cp0), ...get(ia), ...i32(MR), ...I32_MUL, ...get(ldc), ...I32_MUL, ...I32_ADD);
  c.push(...get(jb), ...i32(NR * es), ...I32_MUL, ...I32_ADD, ...set(cp));
  // Initial accumulators: the stored tile (later k passes) or zero (first pass, so S needs no clearing).
  c.push(...get(accumulate), ...IF);
  for (let i = 0; i < MR; i++) {
    c.push(...rowPtr(i));
    for (let v = 0; v < NV; v++) c.push(...get(row), ...v128Load(16 * v), ...set(acc(i, v)));
  }
  c.push(...ELSE);
  for (let i = 0; i < MR; i++) for (let v = 0; v < NV; v++) c.push(...V128_ZERO, ...set(acc(i, v)));
  c.push(...END);
  // The k loop: NV vector loads of B, MR broadcasts of A, MR·NV multiply-adds.
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

/**
 * The module's bytes: imports a shared memory `env.memory` (≤ `MAX_PAGES` pages) and exports `f32` and
 * `f64`, both `(kc, ap0, aStride, nA, bp0, bStride, nB, cp0, ldc, accumulate) → ()`.
 */
export function gemmWasmBytes(): Uint8Array {
  const params = vec(new Array<number[]>(10).fill([T_I32]));
  const type = section(1, vec([[0x60, ...params, 0x00]]));
  // Memory import: flags 0x03 = has maximum + shared.
  const memoryImport = [...name('env'), ...name('memory'), 0x02, 0x03, ...uleb(1), ...uleb(MAX_PAGES)];
  const imports = section(2, vec([memoryImport]));
  const funcs = section(3, vec([[0x00], [0x00]]));
  const exports = section(7, vec([[...name('f32'), 0x00, 0x00], [...name('f64'), 0x00, 0x01]]));
  const code = section(10, vec([macroBody(false), macroBody(true)]));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...imports, ...funcs, ...exports, ...code]);
}
