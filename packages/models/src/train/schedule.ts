/**
 * Linear warm-up then linear decay to zero (BERT's schedule): the multiplier of the peak learning
 * rate at `step` (1-based) of `totalSteps`.
 */
export function linearWarmupDecay(step: number, totalSteps: number, warmupSteps: number): number {
  if (step <= warmupSteps) return warmupSteps > 0 ? step / warmupSteps : 1;
  const remaining = totalSteps - step;
  const span = Math.max(1, totalSteps - warmupSteps);
  return Math.max(0, remaining / span);
}
