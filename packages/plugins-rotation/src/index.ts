/**
 * @symfuse/plugins-rotation — the rotation paper's dataless matching of attention heads
 * ("Beyond the Permutation Symmetry of Transformers: The Role of Rotation for Model Fusion"):
 * per-head orthogonal Procrustes for QK and VO (biases included, sliced per head), the optional
 * rescaling by the quartic's best positive root, head pairing for models from different
 * initialisations (beyond the paper), subset matching (RQ4), anchor choice for N ≥ 2 models, and the
 * paper's distance diagnostics. See ALGORITHMS.md "Rotation / Procrustes matching".
 *
 * Usage: `createRegistry().use(coreSymmetryPlugin()).use(rotationPlugin()).freeze()`, then
 * `runPipeline(registry, { align: [{ aligner: 'rotation', options: { rescale: true } }] }, …)`.
 * FFNs: compose a permutation aligner (weight matching) before it in the same pipeline.
 */
export { rotationPlugin, ROTATION_PLUGIN_META } from './plugin.js';
export { rotationAligner, ROTATION_ALIGNER_ID, type RotationDiagnostics } from './aligner.js';
export {
  rotationOptions,
  rotationOptionsSchema,
  selectedLayers,
  ROTATION_OPTION_HELP,
  type RotationOptions,
  type LayerSelection,
} from './options.js';
export { alignHeadGroup, type SpaceProblem, type HeadReport, type SpaceOutcome, type GroupOutcome } from './align-group.js';
export { headLayout, gatherHeads, layoutParams, type HeadLayout, type HeadSegment, type HeadMatrices } from './head-layout.js';
export { polarFactor, type PolarFactor } from './procrustes.js';
export { bestScale, scaleObjective, realRootsIn, evalPoly, type ScaleStats, type ScaleChoice } from './rescale.js';
export { modelDistance, layerOfParam, type DistanceReport, type DistanceOptions } from './distance.js';
export {
  chooseAnchor,
  distancesToMean,
  alignAllToAnchor,
  type AnchorChoice,
  type AlignAllOptions,
  type AlignAllResult,
  type ModelDistances,
} from './anchor.js';
