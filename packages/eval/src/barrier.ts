/**
 * Loss barriers of an interpolation curve (ALGORITHMS.md "Evaluation", Verma & Elbayad 2024 Eq. 10):
 * - `barrier = max_λ L(θ(λ)) − ½(L_A + L_B)`;
 * - `barrierLinear = max_λ [L(θ(λ)) − (λ·L_A + (1−λ)·L_B)]`, the height above the straight line
 *   between the endpoints;
 * with L_A = L(λ = 1) and L_B = L(λ = 0). Both are reported with the λ that attains the maximum.
 */
import { ValueError } from '@symfuse/tensor';

/** The barriers of one curve. */
export interface BarrierResult {
  /** λ values, ascending, from 0 (model B) to 1 (anchor A). */
  readonly lambdas: readonly number[];
  /** `L(θ(λ))` at each λ. */
  readonly losses: readonly number[];
  /** L at λ = 1. */
  readonly lossA: number;
  /** L at λ = 0. */
  readonly lossB: number;
  /** Eq. 10: `max_λ L(λ) − ½(L_A + L_B)`. */
  readonly barrier: number;
  /** The λ attaining {@link barrier} (the first one on ties). */
  readonly barrierLambda: number;
  /** `max_λ [L(λ) − (λ L_A + (1−λ) L_B)]`. */
  readonly barrierLinear: number;
  /** The λ attaining {@link barrierLinear} (the first one on ties). */
  readonly barrierLinearLambda: number;
}

/**
 * Computes both barriers of a curve.
 * @param lambdas ascending values in [0, 1] whose first is 0 and last is 1.
 * @param losses one finite loss per λ.
 * @throws ValueError when the lengths differ, λ is not ascending from 0 to 1, or a loss is not finite.
 */
export function lossBarrier(lambdas: readonly number[], losses: readonly number[]): BarrierResult {
  const n = lambdas.length;
  if (n < 2 || losses.length !== n) throw new ValueError('lossBarrier', `${n} λ values and ${losses.length} losses; expected the same number, at least 2`);
  if (lambdas[0] !== 0 || lambdas[n - 1] !== 1) throw new ValueError('lossBarrier', `λ runs from ${lambdas[0]} to ${lambdas[n - 1]}; expected 0 … 1 (both endpoints are needed for L_B and L_A)`);
  for (let i = 1; i < n; i++) {
    if (!(lambdas[i] > lambdas[i - 1])) throw new ValueError('lossBarrier', `λ[${i}] = ${lambdas[i]} ≤ λ[${i - 1}] = ${lambdas[i - 1]}; expected strictly ascending values`);
  }
  losses.forEach((l, i) => {
    if (!Number.isFinite(l)) throw new ValueError('lossBarrier', `loss at λ = ${lambdas[i]} is ${l}; expected a finite number`);
  });
  const lossA = losses[n - 1];
  const lossB = losses[0];
  const mid = (lossA + lossB) / 2;
  let best = -Infinity;
  let bestAt = 0;
  let bestLinear = -Infinity;
  let bestLinearAt = 0;
  for (let i = 0; i < n; i++) {
    const l = losses[i];
    if (l - mid > best) {
      best = l - mid;
      bestAt = lambdas[i];
    }
    const above = l - (lambdas[i] * lossA + (1 - lambdas[i]) * lossB);
    if (above > bestLinear) {
      bestLinear = above;
      bestLinearAt = lambdas[i];
    }
  }
  return { lambdas: [...lambdas], losses: [...losses], lossA, lossB, barrier: best, barrierLambda: bestAt, barrierLinear: bestLinear, barrierLinearLambda: bestLinearAt };
}
