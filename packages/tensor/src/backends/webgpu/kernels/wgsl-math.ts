/**
 * WGSL f32 special functions with stated accuracy, generated once per process.
 *
 * WGSL's builtins give no usable accuracy guarantee for `tanh` at large |x| (some drivers return
 * NaN from ∞/∞), have no `erf`, and `pow` is undefined for negative bases. The exact-erf GELU needs
 * |erf error| < 1e-6, so erf/erfc are piecewise Chebyshev expansions fitted here (in f64, at module
 * load) to the CPU backend's f64 erf/erfc (accurate to ~1e-15) and evaluated in WGSL by unrolled
 * Clenshaw recurrences:
 *
 * - |x| < 1: `erf(x) = x·P(x²)` (P fitted on x² ∈ [0, 1]);
 * - 1 ≤ z < 6: `erfc(z) = exp(−z²)·H(z)`, H = `exp(z²)·erfc(z)` smooth, fitted on [1,2], [2,3.5], [3.5,6];
 * - z ≥ 6: Laplace's continued fraction for H (8 levels: ample there).
 *
 * `exp(−z²)` is computed as `exp(−zh²)·exp(−(z−zh)(z+zh))` with zh = z rounded to 12 mantissa bits,
 * so the rounding of z² does not cost relative accuracy in the tail. Measured max |erf error| over a
 * dense grid is checked by `test/webgpu-kernels.test.ts`.
 */
import { chebyshevFit, erf as erfF64, erfc as erfcF64 } from '../../cpu/kernels/erf.js';

/** A WGSL float literal (always with an exponent, so `2` reads as a float). */
export function wgslFloat(v: number): string {
  if (!Number.isFinite(v)) throw new RangeError(`wgslFloat: ${v} has no WGSL literal`);
  const s = v.toExponential(10);
  return v < 0 ? `(${s})` : s;
}

/** WGSL expression statements of a Clenshaw evaluation of `c` at `t` (a WGSL expression), result in `name`. */
function clenshaw(c: Float64Array, t: string, name: string): string {
  const lines = [`var ${name}_b1 = 0.0;`, `var ${name}_b2 = 0.0;`, `let ${name}_t2 = 2.0 * ${t};`];
  for (let j = c.length - 1; j >= 1; j--) {
    lines.push(`{ let tmp = ${name}_t2 * ${name}_b1 - ${name}_b2 + ${wgslFloat(c[j])}; ${name}_b2 = ${name}_b1; ${name}_b1 = tmp; }`);
  }
  lines.push(`let ${name} = ${t} * ${name}_b1 - ${name}_b2 + ${wgslFloat(c[0])};`);
  return lines.join('\n  ');
}

const erfcx = (x: number): number => Math.exp(x * x) * erfcF64(x);
const SMALL = chebyshevFit((s) => (s === 0 ? 2 / Math.sqrt(Math.PI) : erfF64(Math.sqrt(s)) / Math.sqrt(s)), 0, 1, 9);
const H1 = chebyshevFit(erfcx, 1, 2, 12);
const H2 = chebyshevFit(erfcx, 2, 3.5, 12);
const H3 = chebyshevFit(erfcx, 3.5, 6, 12);

/**
 * `f32_inf()`, `f32_neg_inf()`, `f32_nan()`: WGSL rejects ±∞/NaN in constant expressions (even
 * `bitcast<f32>(0x7f800000u)`), so the bits go through a variable.
 */
export const WGSL_SPECIAL_VALUES = /* wgsl */ `
fn f32_inf() -> f32 { var bits = 0x7f800000u; return bitcast<f32>(bits); }
fn f32_neg_inf() -> f32 { var bits = 0xff800000u; return bitcast<f32>(bits); }
fn f32_nan() -> f32 { var bits = 0x7fc00000u; return bitcast<f32>(bits); }`;

let cached: string | undefined;

/**
 * WGSL source of `erf_f`, `erfc_f`, `normal_cdf`, `normal_pdf`, `exp_neg_sq`, `sigmoid_f`,
 * `tanh_f`, `pow_f`, `f32_inf` and `f32_nan` (f32, no dependencies).
 */
export function wgslMath(): string {
  if (cached) return cached;
  let cf = 'var f = z;';
  for (let j = 8; j >= 1; j--) cf += ` f = z + ${wgslFloat(j / 2)} / f;`;
  cached = /* wgsl */ `
${WGSL_SPECIAL_VALUES}

// exp(-z*z) without the rounding error of z*z: zh has 12 significant bits, so zh*zh is exact.
fn exp_neg_sq(z: f32) -> f32 {
  let zh = bitcast<f32>(bitcast<u32>(z) & 0xfffff000u);
  return exp(-zh * zh) * exp((zh - z) * (zh + z));
}

// erf(x)/x for |x| < 1, as a series in t = 2x^2 - 1.
fn erf_small_ratio(x: f32) -> f32 {
  let t = 2.0 * x * x - 1.0;
  ${clenshaw(SMALL, 't', 'p')}
  return p;
}

// exp(z^2) erfc(z) for z >= 1.
fn erfcx_large(z: f32) -> f32 {
  if (z < 2.0) {
    let t = 2.0 * z - 3.0;
    ${clenshaw(H1, 't', 'h')}
    return h;
  }
  if (z < 3.5) {
    let t = (2.0 * z - 5.5) / 1.5;
    ${clenshaw(H2, 't', 'h')}
    return h;
  }
  if (z < 6.0) {
    let t = (2.0 * z - 9.5) / 2.5;
    ${clenshaw(H3, 't', 'h')}
    return h;
  }
  ${cf}
  return 0.5641895835477563 / f;
}

fn erf_f(x: f32) -> f32 {
  let ax = abs(x);
  if (ax < 1.0) { return x * erf_small_ratio(x); }
  if (ax >= 6.0) { return select(1.0, -1.0, x < 0.0); }
  let r = 1.0 - exp_neg_sq(ax) * erfcx_large(ax);
  return select(r, -r, x < 0.0);
}

fn erfc_f(x: f32) -> f32 {
  if (x >= 1.0) { return exp_neg_sq(x) * erfcx_large(x); }
  if (x > -1.0) { return 1.0 - x * erf_small_ratio(x); }
  return 2.0 - exp_neg_sq(-x) * erfcx_large(-x);
}

// Phi(x) = erfc(-x/sqrt2)/2: relative accuracy in the far left tail.
fn normal_cdf(x: f32) -> f32 { return 0.5 * erfc_f(-x * 0.7071067811865476); }
fn normal_pdf(x: f32) -> f32 { return 0.3989422804014327 * exp_neg_sq(x * 0.7071067811865476); }

fn sigmoid_f(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}

// tanh without inf/inf: Taylor near 0 (no cancellation), 1 - 2/(e^{2|x|} + 1) elsewhere.
fn tanh_f(x: f32) -> f32 {
  let ax = abs(x);
  if (ax < 0.3) {
    let x2 = x * x;
    return x * (1.0 + x2 * (-0.3333333333333333 + x2 * (0.13333333333333333 + x2 * (-0.05396825396825397 + x2 * 0.021869488536155203))));
  }
  let r = 1.0 - 2.0 / (exp(2.0 * ax) + 1.0);
  return select(r, -r, x < 0.0);
}

// x^y with JavaScript's Math.pow semantics for the cases that matter: negative bases with integer
// exponents, zero bases, y = 0.
fn pow_f(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (a > 0.0) { return exp2(b * log2(a)); }
  if (a == 0.0) { return select(0.0, f32_inf(), b < 0.0); }
  if (floor(b) != b) { return f32_nan(); }
  let r = exp2(b * log2(-a));
  let odd = abs(b) < 16777216.0 && (i32(b) & 1) != 0;
  return select(r, -r, odd);
}
`;
  return cached;
}
