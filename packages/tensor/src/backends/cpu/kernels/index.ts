/**
 * Registers every CPU kernel implementation, one module per kernel family. Together they cover
 * `ALL_KERNELS` of `kernels/defs.ts` (checked by `test/cpu-kernels.test.ts`).
 */
import { registerAttentionCpu } from './attention.js';
import { registerBinaryCpu } from './binary.js';
import { registerCastCpu } from './cast.js';
import { registerCenteredCrossCpu } from './centered-cross.js';
import { registerConcatCpu } from './concat.js';
import { registerGatherCpu } from './gather.js';
import { registerLayerNormCpu } from './layer-norm.js';
import { registerMatMulCpu } from './matmul.js';
import { registerOneHotFillCpu } from './one-hot-fill.js';
import { registerReduceCpu } from './reduce.js';
import { registerSlicePadCpu } from './slice-pad.js';
import { registerSoftmaxCpu } from './softmax.js';
import { registerTransposeCpu } from './transpose.js';
import { registerUnaryCpu } from './unary.js';

/** Registers every CPU kernel implementation (idempotent: re-registering replaces). */
export function registerCpuKernels(): void {
  registerBinaryCpu();
  registerUnaryCpu();
  registerCastCpu();
  registerMatMulCpu();
  registerTransposeCpu();
  registerGatherCpu();
  registerSlicePadCpu();
  registerConcatCpu();
  registerReduceCpu();
  registerSoftmaxCpu();
  registerLayerNormCpu();
  registerAttentionCpu();
  registerCenteredCrossCpu();
  registerOneHotFillCpu();
}
