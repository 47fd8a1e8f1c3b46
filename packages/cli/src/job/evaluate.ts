/**
 * The evaluation phase of a job: endpoint scores, the vanilla and aligned interpolation curves
 * (anchor ↔ first model), the merged model, and out-of-domain scores, with progress. Forward passes
 * run on `device` (device copies of the host models; interpolated parameters are made there too).
 */
import type { DataSource } from '@symfuse/data';
import { type EvalModel, type EvalScore, type Evaluator, interpolationCurve, type ReportCurve, type ReportDomainEvaluation, type ReportEvaluation } from '@symfuse/eval';
import type { ModelConfig, Tokenizer } from '@symfuse/models';
import type { ProgressSink } from '@symfuse/symmetry';
import { evalSample, type SampleSettings, sourceDomains } from '../data.js';
import type { DeviceModels } from '../device.js';

/** What to evaluate. */
export interface EvaluationInputs {
  readonly source: DataSource;
  readonly tokenizer: Tokenizer;
  readonly config: ModelConfig;
  readonly head: string;
  readonly settings: SampleSettings;
  readonly points: number;
  readonly anchor: EvalModel;
  /** The non-anchor models as given. */
  readonly models: readonly EvalModel[];
  /** The first model after alignment (when aligned). */
  readonly aligned?: EvalModel;
  readonly merged?: EvalModel;
  readonly curves: readonly ('vanilla' | 'aligned')[];
  readonly progress?: ProgressSink;
  /** Where the forward passes run (default: on the models as given). */
  readonly device?: DeviceModels;
}

/** Curve → report form (per-λ companions of the loss). */
export function reportCurve(c: Awaited<ReturnType<typeof interpolationCurve>>): ReportCurve {
  const { scores, ...rest } = c;
  const pick = (k: 'pppl' | 'accuracy' | 'macroF1') => (scores.every((s) => s[k] !== undefined) ? { [k]: scores.map((s) => s[k] as number) } : {});
  return { ...rest, ...pick('pppl'), ...pick('accuracy'), ...pick('macroF1') };
}

/** Runs the evaluation. Yields to the event loop between model evaluations (Ctrl-C stays responsive). */
export async function evaluate(inputs: EvaluationInputs): Promise<ReportEvaluation> {
  const ev = evalSample(inputs.source, inputs.tokenizer, inputs.config, inputs.head, inputs.settings);
  const curves = inputs.curves.filter((c) => c === 'vanilla' || inputs.aligned);
  const interior = Math.max(0, inputs.points - 2);
  const total = 1 + inputs.models.length + curves.length * interior + (curves.includes('aligned') ? 1 : 0) + (inputs.merged ? 1 : 0);
  let done = 0;
  const tick = (detail: string) => inputs.progress?.({ stage: 'evaluate', done: ++done, total, detail });
  const on = (m: EvalModel): EvalModel => inputs.device?.model(m) ?? m;
  const run = async (m: EvalModel, detail: string): Promise<EvalScore> => {
    const s = await ev.evaluator.evaluate(on(m));
    tick(detail);
    await new Promise((r) => setImmediate(r));
    return s;
  };
  inputs.progress?.({ stage: 'evaluate', done: 0, total, detail: ev.evaluator.description });
  const anchor = await run(inputs.anchor, 'anchor');
  const models: EvalScore[] = [];
  for (let k = 0; k < inputs.models.length; k++) models.push(await run(inputs.models[k], `model ${k + 1}`));
  const out: Record<string, ReportCurve> = {};
  for (const name of curves) {
    const b = name === 'vanilla' ? inputs.models[0] : inputs.aligned!;
    const bScore = name === 'vanilla' ? models[0] : await run(b, 'aligned model');
    const c = await interpolationCurve(on(inputs.anchor), on(b), ev.evaluator, {
      points: inputs.points,
      endpoints: { a: anchor, b: bScore },
      progress: (_i, _n, lambda) => {
        if (lambda !== 0 && lambda !== 1) tick(`${name} λ=${lambda.toFixed(2)}`);
      },
    });
    out[name] = reportCurve(c);
  }
  const merged = inputs.merged ? await run(inputs.merged, 'merged') : undefined;
  return { kind: ev.evaluator.kind, description: ev.evaluator.description, sample: ev.sample, anchor, models, ...(merged ? { merged } : {}), ...(Object.keys(out).length ? { curves: out } : {}) };
}

/** Out-of-domain evaluation: every domain of `source`, every model given by role. */
export async function evaluateDomains(source: DataSource, inputs: Pick<EvaluationInputs, 'tokenizer' | 'config' | 'head' | 'settings' | 'progress' | 'device'>, models: Readonly<Record<string, EvalModel>>): Promise<ReportDomainEvaluation[]> {
  const domains = sourceDomains(source);
  const out: ReportDomainEvaluation[] = [];
  let done = 0;
  const total = domains.length * Object.keys(models).length;
  for (const domain of domains) {
    const ev: Evaluator = evalSample(source, inputs.tokenizer, inputs.config, inputs.head, inputs.settings, domain).evaluator;
    const scores: Record<string, EvalScore> = {};
    for (const [role, m] of Object.entries(models)) {
      scores[role] = await ev.evaluate(inputs.device?.model(m) ?? m);
      inputs.progress?.({ stage: 'ood', done: ++done, total, detail: `${domain}: ${role}` });
      await new Promise((r) => setImmediate(r));
    }
    out.push({ domain, description: ev.description, scores });
  }
  return out;
}
