/**
 * Double-precision GEMM for the linear-algebra routines: `C += alpha · op(A) · op(B)` on row-major
 * `Float64Array`s with leading dimensions and offsets, so that blocked factorisations can update
 * sub-blocks in place. Every GEMM-shaped update of `cholesky`, `choleskySolve`, `solve`, `procrustes`
 * and `matmul64` goes through {@link gemmAcc}.
 *
 * Dispatch: products of at least {@link SHARED_MIN_VOLUME} multiply-adds go to the CPU backend's shared
 * `gemmF64` (wasm SIMD kernel + worker pool, `backends/cpu/gemm`); smaller ones stay here, in
 * {@link gemmAccJs}, where the pool's dispatch and packing overheads would dominate.
 *
 * `gemmAccJs` structure (GotoBLAS): the `k × n` operand is packed in `KC × NC` blocks of 4-column
 * micro-panels, the `m × k` operand in `MC × KC` blocks of 4-row micro-panels (both by the shared
 * GEMM's `pack.ts`, whose f64 panels are these), and a 4×4 register-blocked micro-kernel sweeps them. 4×4 is the largest tile whose 16 accumulators V8 keeps in
 * the 16 x86-64 XMM registers without spilling (measured 3.5–4.5 GFlop/s on one core here; variants with
 * 2×4, 4×2, 3×4 tiles or k-unrolling were no faster).
 */
import { gemmF64 } from '../backends/cpu/gemm/index.js';
import { packA, packB } from '../backends/cpu/gemm/pack.js';

/** Products with `m·n·k` at least this go to the shared `gemmF64`. */
export const SHARED_MIN_VOLUME = 48 * 48 * 48;

/** Rows of op(A) packed per block: 64×256 doubles = 128 KiB, sized for L2. */
const MC = 64;
/** Shared dimension per block: a 256×4 micro-panel of op(B) is 8 KiB and stays in L1. */
const KC = 256;
/** Columns of op(B) per block: 256×512 doubles = 1 MiB, sized for L2/L3. */
const NC = 512;

let aPanels = new Float64Array(MC * KC);
let bPanels = new Float64Array(KC * NC);
const edge = new Float64Array(16);

/**
 * `C[cOff + i*ldc + j] += alpha · Σ_p opA(i, p) · opB(p, j)` for `i < m`, `j < n`, `p < k`, where
 * `opA(i, p) = transA ? A[aOff + p*lda + i] : A[aOff + i*lda + p]` (op(A) is `[m, k]`) and
 * `opB(p, j) = transB ? B[bOff + j*ldb + p] : B[bOff + p*ldb + j]` (op(B) is `[k, n]`).
 * `A`, `B`, `C` may be the same buffer as long as the updated region of C overlaps neither operand.
 */
export function gemmAcc(m: number, n: number, k: number, alpha: number, A: Float64Array, aOff: number, lda: number, transA: boolean, B: Float64Array, bOff: number, ldb: number, transB: boolean, C: Float64Array, cOff: number, ldc: number): void {
  // Positional like BLAS, not a rest tuple: small blocked updates call this often (a rest array costs ~50 ns).
  if (m <= 0 || n <= 0 || k <= 0 || alpha === 0) return;
  if (m * n * k >= SHARED_MIN_VOLUME) {
    gemmF64(transA, transB, m, n, k, alpha, A, aOff, lda, B, bOff, ldb, 1, C, cOff, ldc);
    return;
  }
  gemmAccJs(m, n, k, alpha, A, aOff, lda, transA, B, bOff, ldb, transB, C, cOff, ldc);
}

/**
 * The same contract as {@link gemmAcc}, always computed by this file's scalar packed kernel on the
 * calling thread. Not re-entrant (module-level pack buffers).
 */
export function gemmAccJs(m: number, n: number, k: number, alpha: number, A: Float64Array, aOff: number, lda: number, transA: boolean, B: Float64Array, bOff: number, ldb: number, transB: boolean, C: Float64Array, cOff: number, ldc: number): void {
  if (m <= 0 || n <= 0 || k <= 0 || alpha === 0) return;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    const ncPad = (nc + 3) & ~3;
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      if (bPanels.length < kc * ncPad) bPanels = new Float64Array(kc * ncPad);
      // op(B)[pc:pc+kc, jc:jc+nc] as 4-column micro-panels `bPanels[panel*4*kc + p*4 + c]`, zero-padded.
      packB(transB, kc, nc, B, bOff + (transB ? jc * ldb + pc : pc * ldb + jc), ldb, bPanels, 0, 4);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        const mcPad = (mc + 3) & ~3;
        if (aPanels.length < kc * mcPad) aPanels = new Float64Array(kc * mcPad);
        // op(A)[ic:ic+mc, pc:pc+kc] as 4-row micro-panels `aPanels[panel*4*kc + p*4 + r]`, zero-padded.
        packA(transA, mc, kc, A, aOff + (transA ? pc * lda + ic : ic * lda + pc), lda, aPanels, 0);
        macroKernel(mc, nc, kc, alpha, aPanels, bPanels, C, cOff + ic * ldc + jc, ldc);
      }
    }
  }
}

function macroKernel(mc: number, nc: number, kc: number, alpha: number, Ap: Float64Array, Bp: Float64Array, C: Float64Array, cOff: number, ldc: number): void {
  for (let jp = 0; jp < nc; jp += 4) {
    const cols = Math.min(4, nc - jp);
    for (let ip = 0; ip < mc; ip += 4) {
      const rows = Math.min(4, mc - ip);
      if (rows === 4 && cols === 4) {
        kernel4x4(kc, alpha, Ap, ip * kc, Bp, jp * kc, C, cOff + ip * ldc + jp, ldc);
      } else {
        edge.fill(0);
        kernel4x4(kc, 1, Ap, ip * kc, Bp, jp * kc, edge, 0, 4);
        for (let r = 0; r < rows; r++) {
          const c0 = cOff + (ip + r) * ldc + jp;
          for (let c = 0; c < cols; c++) C[c0 + c] += alpha * edge[r * 4 + c];
        }
      }
    }
  }
}

/** `C[4×4 at cOff] += alpha · Ap-panel · Bp-panel` over `kc` steps; the accumulators live in registers. */
function kernel4x4(kc: number, alpha: number, Ap: Float64Array, ao: number, Bp: Float64Array, bo: number, C: Float64Array, co: number, ldc: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  const end = ao + 4 * kc;
  for (; ao < end; ao += 4, bo += 4) {
    const b0 = Bp[bo], b1 = Bp[bo + 1], b2 = Bp[bo + 2], b3 = Bp[bo + 3];
    let a = Ap[ao];
    c00 += a * b0; c01 += a * b1; c02 += a * b2; c03 += a * b3;
    a = Ap[ao + 1];
    c10 += a * b0; c11 += a * b1; c12 += a * b2; c13 += a * b3;
    a = Ap[ao + 2];
    c20 += a * b0; c21 += a * b1; c22 += a * b2; c23 += a * b3;
    a = Ap[ao + 3];
    c30 += a * b0; c31 += a * b1; c32 += a * b2; c33 += a * b3;
  }
  C[co] += alpha * c00; C[co + 1] += alpha * c01; C[co + 2] += alpha * c02; C[co + 3] += alpha * c03;
  co += ldc;
  C[co] += alpha * c10; C[co + 1] += alpha * c11; C[co + 2] += alpha * c12; C[co + 3] += alpha * c13;
  co += ldc;
  C[co] += alpha * c20; C[co + 1] += alpha * c21; C[co + 2] += alpha * c22; C[co + 3] += alpha * c23;
  co += ldc;
  C[co] += alpha * c30; C[co + 1] += alpha * c31; C[co + 2] += alpha * c32; C[co + 3] += alpha * c33;
}

/** `C = op(A) · op(B)` as a new `[m, n]` buffer (convenience for small products). */
export function gemmNew(
  m: number,
  n: number,
  k: number,
  A: Float64Array,
  lda: number,
  transA: boolean,
  B: Float64Array,
  ldb: number,
  transB: boolean,
): Float64Array {
  const C = new Float64Array(m * n);
  gemmAcc(m, n, k, 1, A, 0, lda, transA, B, 0, ldb, transB, C, 0, n);
  return C;
}
