/**
 * Interpolation curves: evaluate `θ(λ) = λ·θ_A + (1−λ)·θ_B` on a λ grid and compute both barriers.
 */
import { type BarrierResult, lossBarrier } from './barrier.js';
import type { EvalModel, EvalScore, Evaluator } from './evaluator.js';
import { interpolateParams, lambdaGrid } from './interpolate.js';

/** A curve: the barriers plus every score along it. */
export interface CurveResult extends BarrierResult {
  /** The evaluator's full score at each λ (same order as `lambdas`). */
  readonly scores: readonly EvalScore[];
  readonly ms: number;
}

/** Options of {@link interpolationCurve}. */
export interface CurveOptions {
  /** λ values (ascending, 0 … 1); default `lambdaGrid(points)`. */
  readonly lambdas?: readonly number[];
  /** Grid size when `lambdas` is not given (default 21). */
  readonly points?: number;
  /** Called after each λ. */
  readonly progress?: (done: number, total: number, lambda: number, score: EvalScore) => void;
  /**
   * Known scores of the endpoints (λ = 1 → `a`, λ = 0 → `b`), so several curves sharing them do not
   * evaluate them again.
   */
  readonly endpoints?: { readonly a?: EvalScore; readonly b?: EvalScore };
}

/**
 * Evaluates the curve from `b` (λ = 0) to `a` (λ = 1) on the backend the parameters live on (the
 * interpolated parameters are made there too). Yields to the event loop between points, so that a
 * Ctrl-C handler can run during long evaluations.
 */
export async function interpolationCurve(a: EvalModel, b: EvalModel, evaluator: Evaluator, options: CurveOptions = {}): Promise<CurveResult> {
  const t0 = performance.now();
  const lambdas = options.lambdas ?? lambdaGrid(options.points ?? 21);
  const scores: EvalScore[] = [];
  for (let i = 0; i < lambdas.length; i++) {
    const lambda = lambdas[i];
    let score: EvalScore;
    if (lambda === 1 && options.endpoints?.a) score = options.endpoints.a;
    else if (lambda === 0 && options.endpoints?.b) score = options.endpoints.b;
    else if (lambda === 1) score = await evaluator.evaluate(a);
    else if (lambda === 0) score = await evaluator.evaluate(b);
    else {
      const params = interpolateParams(a.params, b.params, lambda);
      try {
        score = await evaluator.evaluate({ config: a.config, params });
      } finally {
        for (const t of params.values()) t.dispose();
      }
    }
    scores.push(score);
    options.progress?.(i + 1, lambdas.length, lambda, score);
    await new Promise((r) => setImmediate(r));
  }
  const barrier = lossBarrier(lambdas, scores.map((s) => s.loss));
  return { ...barrier, scores, ms: performance.now() - t0 };
}
