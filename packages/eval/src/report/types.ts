/**
 * The run report (`report.json`): what was done and measured, in a JSON-safe form. The CLI fills it;
 * {@link renderMarkdown} and {@link reportPlots} render it.
 */
import type { BarrierResult } from '../barrier.js';
import type { LayerCorrelation, SiteCorrelationSummary } from '../correlation.js';
import type { GroupDistance } from '../distance.js';
import type { EvalScore } from '../evaluator.js';

/** A model that took part. */
export interface ReportModel {
  /** `anchor`, `model` (aligned to the anchor) or `merged`. */
  readonly role: 'anchor' | 'model' | 'merged';
  readonly path: string;
  readonly architecture?: string;
  readonly head?: string;
  readonly params?: number;
  /** Where published statistics came from (files), when not collected from data. */
  readonly stats?: readonly string[];
}

/** One alignment step on one model. */
export interface ReportAlignStep {
  /** Index into the non-anchor models (0-based). */
  readonly model: number;
  readonly step: number;
  readonly aligner: string;
  readonly spaces: number;
  readonly ms: number;
  readonly preservesFunction: boolean;
  /** Fig. 4 numbers (aligners that report correlations). */
  readonly sites: readonly SiteCorrelationSummary[];
  readonly perLayer: readonly LayerCorrelation[];
}

/** A curve as stored in the report: the barriers plus the evaluator's extra metric per λ. */
export interface ReportCurve extends BarrierResult {
  /** MLM: pseudo-perplexity per λ. */
  readonly pppl?: readonly number[];
  /** Classification: accuracy and macro-F1 per λ. */
  readonly accuracy?: readonly number[];
  readonly macroF1?: readonly number[];
  readonly ms: number;
}

/** Evaluation on one held-out set. */
export interface ReportEvaluation {
  readonly kind: 'mlm' | 'classification';
  /** Data and sample, e.g. `sotu held-out: 24 blocks × 128 tokens, 15% masked (seed 1234)`. */
  readonly description: string;
  /** The settings that rebuild the sample exactly. */
  readonly sample: Readonly<Record<string, string | number>>;
  readonly anchor?: EvalScore;
  /** Per non-anchor model, before alignment (alignment leaves the function unchanged when exact). */
  readonly models?: readonly EvalScore[];
  readonly merged?: EvalScore;
  /** Interpolation curves by name (`vanilla`, `aligned`), anchor ↔ first model. */
  readonly curves?: Readonly<Record<string, ReportCurve>>;
}

/** Out-of-domain evaluation: per held-out domain, per model role. */
export interface ReportDomainEvaluation {
  readonly domain: string;
  readonly description: string;
  readonly scores: Readonly<Record<string, EvalScore>>;
}

/** Parameter distances anchor ↔ first model, before and after alignment. */
export interface ReportDistances {
  readonly vanilla: { readonly total: GroupDistance; readonly perLayer: readonly GroupDistance[] };
  readonly aligned?: { readonly total: GroupDistance; readonly perLayer: readonly GroupDistance[] };
}

/** The whole report. */
export interface RunReport {
  readonly tool: { readonly name: string; readonly version: string };
  readonly command: string;
  readonly createdAt: string;
  /** The tensor backend the forward passes ran on (`cpu`, `webgpu`). */
  readonly backend?: string;
  readonly models: readonly ReportModel[];
  /** The source statistics were collected from (absent when none were needed or all were given). */
  readonly statsData?: string;
  readonly alignment?: readonly ReportAlignStep[];
  readonly merge?: { readonly method: string; readonly params: Readonly<Record<string, unknown>>; readonly ms: number; readonly diagnostics?: unknown };
  readonly evaluation?: ReportEvaluation;
  readonly outOfDomain?: readonly ReportDomainEvaluation[];
  readonly distances?: ReportDistances;
  /** Wall-clock milliseconds per phase. */
  readonly timings: Readonly<Record<string, number>>;
  readonly warnings: readonly string[];
  /** Files written, relative to the output directory. */
  readonly files: readonly string[];
}
