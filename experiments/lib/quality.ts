/**
 * How good the models are, stated in every report: an experiment on models that learnt little cannot
 * reproduce a paper, and its reader must know. MLMs: held-out PPPL against an add-one unigram model
 * on the same masked tokens. Classifiers: macro-F1 on their own domain against the best constant
 * predictor.
 */
import { unigramBaseline } from './data.js';
import type { Context } from './experiment.js';
import { constantBaseline, type Domain, type FusionSettings, individual } from './fusion.js';
import type { Report } from './report.js';
import { type EvalSpec, scoreRun } from './runs.js';
import { fixed } from './summary.js';
import { classifierDomain } from './zoo.js';

/** Adds the MLM quality finding (and its numbers to the report's data). */
export async function mlmQuality(ctx: Context<unknown>, report: Report, seeds: readonly number[], spec: EvalSpec): Promise<void> {
  if (spec.kind !== 'mlm') return;
  const own = await Promise.all(seeds.map((k) => scoreRun(ctx, ctx.zoo.mlm(k), spec)));
  const unigram = unigramBaseline(ctx.zoo.tokenizer, spec);
  report.data.fixturePppl = Object.fromEntries(seeds.map((k, i) => [`mlm-seed${k}`, own[i].pppl]));
  report.data.unigramPppl = unigram;
  const best = Math.min(...own.map((o) => o.pppl ?? Number.POSITIVE_INFINITY));
  report.finding(
    `Model quality: held-out PPPL ${seeds.map((k, i) => `seed ${k} ${fixed(own[i].pppl, 0)}`).join(', ')}; an add-one unigram model scores ${fixed(unigram, 0)} on the same masked tokens (vocabulary ${ctx.zoo.tokenizer.vocabSize}).${best > 0.8 * unigram ? ' The MLMs are at (or barely below) the unigram plateau: they have learnt word frequencies and little context, so their hidden features carry little shared structure to align and these numbers cannot test the paper\'s claims.' : ''}`,
  );
}

/** Adds the classifier quality finding for `names` (each on its own training domain). */
export async function classifierQuality(ctx: Context<unknown>, report: Report, s: FusionSettings, names: readonly string[]): Promise<void> {
  const rows = await Promise.all(
    names.map(async (n) => {
      const d: Domain = classifierDomain(n);
      const score = await individual(ctx, s, n, d);
      return { name: n, f1: score.macroF1 ?? Number.NaN, accuracy: score.accuracy ?? Number.NaN, floor: constantBaseline(ctx, s, d).macroF1 };
    }),
  );
  report.data.classifierQuality = rows;
  const weak = rows.filter((r) => r.f1 - r.floor < 0.05);
  report.finding(
    `Model quality (macro-F1 on their own domain vs the best constant predictor): ${rows.map((r) => `${r.name} ${fixed(r.f1)} vs ${fixed(r.floor)}`).join(', ')}.${weak.length ? ` ${weak.length} of ${rows.length} are within 0.05 of always answering one class: merging them cannot show much.` : ''}`,
  );
}
