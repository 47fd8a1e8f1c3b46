import { type Tensor, ValueError, tidy, valueAndGrad } from '@symfuse/tensor';
import { AdamW, type AdamWState, clipGradNorm } from './adamw.js';
import { linearWarmupDecay } from './schedule.js';

/** One progress report of a training run (the CLI prints it on stderr; libraries never print). */
export interface TrainProgress {
  readonly step: number;
  readonly totalSteps: number;
  /** Mean loss over the steps since the last report. */
  readonly loss: number;
  readonly lr: number;
  readonly gradNorm: number;
  readonly tokensPerSecond: number;
  /** Estimated seconds to the end. */
  readonly etaSeconds: number;
}

/** What one step's loss function returns. */
export interface StepLoss {
  /** One-element loss tensor computed from the params passed in. */
  readonly loss: Tensor;
  /** Tokens processed by the step (for throughput). */
  readonly tokens: number;
}

/** Options of {@link trainLoop}. */
export interface TrainLoopOptions {
  readonly steps: number;
  readonly lr: number;
  readonly warmupSteps: number;
  readonly weightDecay?: number;
  /** Clip the global gradient norm to this (default 1.0; 0 disables). */
  readonly clipNorm?: number;
  /** Resume: the number of steps already done and the optimizer state saved with them. */
  readonly resume?: { readonly step: number; readonly optimizer: AdamWState };
  readonly logEvery?: number;
  readonly progress?: (p: TrainProgress) => void;
  /** Called every `checkpointEvery` steps and at the end. */
  readonly checkpointEvery?: number;
  readonly checkpoint?: (state: { step: number; params: Map<string, Tensor>; optimizer: AdamWState }) => void;
}

/** Result of {@link trainLoop}. */
export interface TrainResult {
  readonly params: Map<string, Tensor>;
  readonly optimizer: AdamWState;
  /** Mean loss per logging window, with the step that closed it. */
  readonly history: readonly { step: number; loss: number }[];
}

/**
 * The generic optimisation loop: AdamW with linear warm-up and decay, global-norm clipping,
 * periodic progress and checkpoints, resumable from a saved step and optimizer state.
 * Data order and masking live in `makeLoss(params, step)`, which must be deterministic in `step`
 * so that a resumed run continues exactly where it stopped.
 */
export function trainLoop(
  initial: ReadonlyMap<string, Tensor>,
  makeLoss: (params: ReadonlyMap<string, Tensor>, step: number) => StepLoss,
  options: TrainLoopOptions,
): TrainResult {
  if (!Number.isInteger(options.steps) || options.steps <= 0) throw new ValueError('trainLoop', `steps is ${options.steps}; expected a positive integer`);
  const optimizer = new AdamW({ lr: options.lr, weightDecay: options.weightDecay ?? 0.01 }, options.resume?.optimizer);
  let params = new Map(initial);
  const logEvery = options.logEvery ?? 10;
  const clip = options.clipNorm ?? 1.0;
  const history: { step: number; loss: number }[] = [];
  let windowLoss = 0;
  let windowSteps = 0;
  let windowTokens = 0;
  let windowStart = performance.now();
  const runStart = performance.now();
  const startStep = options.resume?.step ?? 0;

  for (let step = startStep + 1; step <= options.steps; step++) {
    const lrScale = linearWarmupDecay(step, options.steps, options.warmupSteps);
    let tokens = 0;
    let lossValue = 0;
    let gradNorm = 0;
    params = tidy(() => {
      const { value, grads } = valueAndGrad(() => {
        const s = makeLoss(params, step);
        tokens = s.tokens;
        return s.loss;
      }, params);
      lossValue = value.item();
      if (!Number.isFinite(lossValue)) throw new ValueError('trainLoop', `loss became ${lossValue} at step ${step}; lower the learning rate`);
      const clipped = clip > 0 ? clipGradNorm(grads, clip) : { norm: NaN, grads };
      gradNorm = clipped.norm;
      return optimizer.step(params, clipped.grads, lrScale);
    });
    windowLoss += lossValue;
    windowSteps++;
    windowTokens += tokens;
    if (step % logEvery === 0 || step === options.steps) {
      const now = performance.now();
      const mean = windowLoss / windowSteps;
      history.push({ step, loss: mean });
      const elapsed = (now - runStart) / 1000;
      const done = step - startStep;
      options.progress?.({
        step,
        totalSteps: options.steps,
        loss: mean,
        lr: options.lr * lrScale,
        gradNorm,
        tokensPerSecond: windowTokens / ((now - windowStart) / 1000),
        etaSeconds: (elapsed / done) * (options.steps - step),
      });
      windowLoss = 0;
      windowSteps = 0;
      windowTokens = 0;
      windowStart = now;
    }
    if (options.checkpoint && ((options.checkpointEvery && step % options.checkpointEvery === 0) || step === options.steps)) {
      options.checkpoint({ step, params, optimizer: optimizer.state });
    }
  }
  return { params, optimizer: optimizer.state, history };
}
