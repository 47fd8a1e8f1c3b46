/**
 * Scalar JavaScript macro-kernels with the exact contract of the wasm ones (`gemm-core.mjs`), for
 * engines without WebAssembly SIMD (e.g. `node --jitless`) and as an independently written check of
 * the packed layout. They run on the calling thread only.
 *
 * Register block: 4×4 doubles (16 accumulators). V8 keeps arithmetic in f64 whatever the array type,
 * so f32 inputs accumulate in f64 here; the f32 layout's 4×8 tile is swept as two 4×4 halves.
 * Measured on the dev box: 4×4 ≈ 3×4 ≈ 4×3 (4.5–6 GFLOP/s), larger blocks spill and lose.
 */
import { MR, type MacroKernel, type MacroKernels, NR_F32, NR_F64 } from './gemm-core.mjs';

type Float = Float32Array | Float64Array;

/**
 * `S[c + i*ldc + j] (+)= Σ_p P[a + p*4 + i] · P[b + p*ldb + j]` for the 4×4 block at element offsets
 * `a` (A micro-panel), `b` (first column inside a B micro-panel of width `ldb`) and `c` (S tile).
 */
function micro4x4(kc: number, P: Float, a: number, b: number, ldb: number, S: Float, c: number, ldc: number, accumulate: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = P[a], a1 = P[a + 1], a2 = P[a + 2], a3 = P[a + 3];
    const b0 = P[b], b1 = P[b + 1], b2 = P[b + 2], b3 = P[b + 3];
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    a += 4;
    b += ldb;
  }
  const r1 = c + ldc, r2 = r1 + ldc, r3 = r2 + ldc;
  if (accumulate !== 0) {
    S[c] += c00; S[c + 1] += c01; S[c + 2] += c02; S[c + 3] += c03;
    S[r1] += c10; S[r1 + 1] += c11; S[r1 + 2] += c12; S[r1 + 3] += c13;
    S[r2] += c20; S[r2 + 1] += c21; S[r2 + 2] += c22; S[r2 + 3] += c23;
    S[r3] += c30; S[r3 + 1] += c31; S[r3 + 2] += c32; S[r3 + 3] += c33;
  } else {
    S[c] = c00; S[c + 1] = c01; S[c + 2] = c02; S[c + 3] = c03;
    S[r1] = c10; S[r1 + 1] = c11; S[r1 + 2] = c12; S[r1 + 3] = c13;
    S[r2] = c20; S[r2 + 1] = c21; S[r2 + 2] = c22; S[r2 + 3] = c23;
    S[r3] = c30; S[r3 + 1] = c31; S[r3 + 2] = c32; S[r3 + 3] = c33;
  }
}

function macro(P: Float, nr: number): MacroKernel {
  const es = P.BYTES_PER_ELEMENT;
  const mr = MR; // a local: imported bindings can be getter calls under some loaders
  return (kc, ap0, aStride, nA, bp0, bStride, nB, cp0, ldc, accumulate) => {
    const a0 = ap0 / es, as = aStride / es, b0 = bp0 / es, bs = bStride / es, c0 = cp0 / es, lc = ldc / es;
    for (let jb = 0; jb < nB; jb++) {
      for (let ia = 0; ia < nA; ia++) {
        const c = c0 + ia * mr * lc + jb * nr;
        for (let h = 0; h < nr; h += 4) micro4x4(kc, P, a0 + ia * as, b0 + jb * bs + h, nr, P, c + h, lc, accumulate);
      }
    }
  };
}

/** JS macro-kernels over `buffer` (packed panels and scratch product live in the same buffer). */
export function jsKernels(buffer: ArrayBuffer): MacroKernels {
  return { f32: macro(new Float32Array(buffer), NR_F32), f64: macro(new Float64Array(buffer), NR_F64) };
}
