/**
 * Householder reflector helpers shared by QR, bidiagonalisation and tridiagonalisation.
 * A reflector is `H = I − τ v vᵀ` with `v[0] = 1`; it maps `[α, x]` to `[β, 0]`.
 */

/** Result slots of {@link reflector}: `beta` (new leading entry), `tau`, `scale` (multiply `x` by it to get `v[1:]`). */
export interface Reflector {
  beta: number;
  tau: number;
  scale: number;
}

/**
 * Computes the reflector that zeroes `x` below `alpha` given `xnorm2 = ‖x‖²`, writing into `out`.
 * `β = −sign(α)·‖[α, x]‖` avoids cancellation in `α − β`. When `x = 0` no reflection is needed: `τ = 0`.
 * Callers pre-scale their matrices to `max|a| ≈ 1`, so the squares neither overflow nor matter when
 * they underflow.
 */
export function reflector(alpha: number, xnorm2: number, out: Reflector): void {
  if (xnorm2 === 0) {
    out.beta = alpha;
    out.tau = 0;
    out.scale = 0;
    return;
  }
  const norm = Math.sqrt(alpha * alpha + xnorm2);
  const beta = alpha >= 0 ? -norm : norm;
  out.beta = beta;
  out.tau = (beta - alpha) / beta;
  out.scale = 1 / (alpha - beta);
}

/**
 * A power of two `s` with `max|a| · s ∈ [0.5, 1)` (1 for an all-zero matrix). Scaling by it is exact, so the
 * factorisations can square entries without overflow and undo the scaling without rounding.
 */
export function powerOfTwoScale(maxAbsValue: number): number {
  if (maxAbsValue === 0 || !Number.isFinite(maxAbsValue)) return 1;
  // Clamped so that 2^-e stays finite for subnormal inputs (the result is then merely < 0.5).
  const e = Math.max(-1000, Math.floor(Math.log2(maxAbsValue)) + 1);
  return Math.pow(2, -e);
}
