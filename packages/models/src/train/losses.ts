import { type Tensor, ShapeError, fmtShape, logSoftmax, mean, mul, neg, oneHot, sum, tensor } from '@symfuse/tensor';

/**
 * Mean cross-entropy of `logits` `[n, C]` against integer `labels` `[n]` (each in `[0, C)`).
 * Differentiable (built from logSoftmax, oneHot, mul, sum, mean).
 */
export function crossEntropy(logits: Tensor, labels: Int32Array | Tensor): Tensor {
  if (logits.rank !== 2) throw new ShapeError('crossEntropy', `logits have shape ${fmtShape(logits.shape)}; expected [n, classes]`);
  const [n, c] = logits.shape;
  const lab = labels instanceof Int32Array ? tensor(labels, [labels.length], { dtype: 'i32', backend: logits.backend }) : labels;
  if (lab.size !== n) throw new ShapeError('crossEntropy', `${lab.size} labels for ${n} rows of logits`);
  const picked = sum(mul(logSoftmax(logits), oneHot(lab.reshape([n]), c, logits.dtype)), -1);
  return neg(mean(picked));
}
