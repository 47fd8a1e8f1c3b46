/**
 * @symfuse/eval — evaluation of aligned and merged models: interpolation θ(λ) = λθ_A + (1−λ)θ_B and
 * both loss barriers, MLM pseudo-perplexity, classification loss / accuracy / macro-F1, parameter
 * distances, correlation diagnostics, SVG charts rendered without a browser and their PNG rasters,
 * and run reports (`report.json`, `report.md`, `plots/*.svg`). See ALGORITHMS.md "Evaluation".
 */
export { lambdaGrid, interpolateParams, type Params } from './interpolate.js';
export { lossBarrier, type BarrierResult } from './barrier.js';
export { interpolationCurve, type CurveOptions, type CurveResult } from './curve.js';
export { mlmEvalMasks, pseudoPerplexity, pseudoPerplexityAsync, unigramPerplexity, type PseudoPerplexity } from './pseudo-perplexity.js';
export { classificationScores, evaluateClassifier, evaluateClassifierAsync, type ClassificationScores, type ClassifierEvaluation } from './classification.js';
export { mlmEvaluator, classificationEvaluator, type Evaluator, type EvalModel, type EvalScore } from './evaluator.js';
export { parameterDistances, layerOfParamName, type DistanceReport, type GroupDistance, type TensorDistance } from './distance.js';
export {
  correlationSites,
  correlationMatrixPairs,
  correlationPerLayer,
  meanDiagonal,
  siteKind,
  type SiteKind,
  type SiteCorrelationSummary,
  type CorrelationMatrixPair,
  type LayerCorrelation,
} from './correlation.js';
export * from './svg/index.js';
export { svgToPng, svgToRgba, pngFontFiles, PNG_FONT_FAMILY, PNG_MAX_SIDE, type PngOptions, type RgbaImage } from './png.js';
export type { RunReport, ReportModel, ReportAlignStep, ReportCurve, ReportEvaluation, ReportDomainEvaluation, ReportDistances } from './report/types.js';
export { renderMarkdown, table as markdownTable, num as formatNumber } from './report/markdown.js';
export { reportPlots, plotFileName } from './report/plots.js';
export { toJsonSafe } from './report/json-safe.js';
