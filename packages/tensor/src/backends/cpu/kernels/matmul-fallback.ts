/**
 * A simple, correct, cache-blocked GEMM used until the shared CPU GEMM (`../gemm/`) is available:
 * `C = op(A) · op(B)` with op = identity or transpose, for contiguous row-major matrices.
 *
 * Structure (GotoBLAS-style, but single-threaded and scalar): B is packed per (k-block, n-block)
 * into 4-column strips and A per (m-block, k-block) into 4-row strips, both as f64, and a 4×4
 * register-blocked micro-kernel accumulates in f64 — so f32 results are rounded once, at the end.
 */
import type { TypedArray } from '../../../dtype.js';

const KC = 128;
const NC = 256;
const MC = 64;

/**
 * `c[cOff + i·n + j] = Σ_p op(A)[i, p] · op(B)[p, j]` for i < m, j < n (C is overwritten).
 * A is `[m, k]` (or `[k, m]` when `transA`) at `aOff`; B is `[k, n]` (or `[n, k]` when `transB`) at `bOff`.
 */
export function gemmFallback(
  transA: boolean, transB: boolean, m: number, n: number, k: number,
  a: TypedArray, aOff: number, b: TypedArray, bOff: number, c: TypedArray, cOff: number,
): void {
  if (m === 0 || n === 0) return;
  const acc = c instanceof Float64Array ? c : new Float64Array(m * n);
  const accOff = acc === c ? cOff : 0;
  for (let i = 0; i < m * n; i++) acc[accOff + i] = 0;
  const bPack = new Float64Array(KC * (NC + 4));
  const aPack = new Float64Array(KC * (MC + 4));
  // Strides of op(A)[i, p] and op(B)[p, j] in the source arrays.
  const aRow = transA ? 1 : k;
  const aCol = transA ? m : 1;
  const bRow = transB ? 1 : n;
  const bCol = transB ? k : 1;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      packB(b, bOff, bRow, bCol, pc, kc, jc, nc, bPack);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packA(a, aOff, aRow, aCol, ic, mc, pc, kc, aPack);
        for (let jr = 0; jr < nc; jr += 4) {
          for (let ir = 0; ir < mc; ir += 4) {
            micro4x4(aPack, ir * kc, bPack, jr * kc, kc, acc, accOff + (ic + ir) * n + jc + jr, n, Math.min(4, mc - ir), Math.min(4, nc - jr));
          }
        }
      }
    }
  }
  if (acc !== c) for (let i = 0; i < m * n; i++) c[cOff + i] = acc[i];
}

/** Packs op(B)[pc:pc+kc, jc:jc+nc] into strips of 4 columns: `dst[(j/4)·4·kc + p·4 + j%4]`, zero-padded. */
function packB(b: TypedArray, off: number, rs: number, cs: number, pc: number, kc: number, jc: number, nc: number, dst: Float64Array): void {
  for (let j0 = 0; j0 < nc; j0 += 4) {
    const base = j0 * kc;
    const w = Math.min(4, nc - j0);
    for (let p = 0; p < kc; p++) {
      const src = off + (pc + p) * rs + (jc + j0) * cs;
      const d = base + p * 4;
      for (let s = 0; s < 4; s++) dst[d + s] = s < w ? b[src + s * cs] : 0;
    }
  }
}

/** Packs op(A)[ic:ic+mc, pc:pc+kc] into strips of 4 rows: `dst[(i/4)·4·kc + p·4 + i%4]`, zero-padded. */
function packA(a: TypedArray, off: number, rs: number, cs: number, ic: number, mc: number, pc: number, kc: number, dst: Float64Array): void {
  for (let i0 = 0; i0 < mc; i0 += 4) {
    const base = i0 * kc;
    const h = Math.min(4, mc - i0);
    for (let p = 0; p < kc; p++) {
      const src = off + (ic + i0) * rs + (pc + p) * cs;
      const d = base + p * 4;
      for (let r = 0; r < 4; r++) dst[d + r] = r < h ? a[src + r * rs] : 0;
    }
  }
}

/** Adds the 4×4 product of a packed A strip and a packed B strip into `c` (only `h × w` of it). */
function micro4x4(ap: Float64Array, pa: number, bp: Float64Array, pb: number, kc: number, c: Float64Array, co: number, ldc: number, h: number, w: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = ap[pa], a1 = ap[pa + 1], a2 = ap[pa + 2], a3 = ap[pa + 3];
    const b0 = bp[pb], b1 = bp[pb + 1], b2 = bp[pb + 2], b3 = bp[pb + 3];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    pa += 4;
    pb += 4;
  }
  if (h === 4 && w === 4) {
    c[co] += c00; c[co + 1] += c01; c[co + 2] += c02; c[co + 3] += c03; co += ldc;
    c[co] += c10; c[co + 1] += c11; c[co + 2] += c12; c[co + 3] += c13; co += ldc;
    c[co] += c20; c[co + 1] += c21; c[co + 2] += c22; c[co + 3] += c23; co += ldc;
    c[co] += c30; c[co + 1] += c31; c[co + 2] += c32; c[co + 3] += c33;
    return;
  }
  const rows = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
  for (let r = 0; r < h; r++) for (let s = 0; s < w; s++) c[co + r * ldc + s] += rows[r * 4 + s];
}
