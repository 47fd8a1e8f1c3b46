/**
 * Rotation paper, Table 3 (RQ3): what matching costs next to merging — wall time of rotation
 * matching (and of the permutation matchings) per model pair, against simple, Fisher and RegMean
 * merging (statistics collection included, and shown apart), and the fixtures' fine-tuning time.
 *
 * Run: `node --import tsx experiments/rotation-cost.ts [--quick]`.
 */
import { cliMain, defineExperiment, isMain } from './lib/experiment.js';
import { type FusionSettings, fusionDefaults, fusionStats } from './lib/fusion.js';
import { type CollectTimes, createStatsProvider, pipeline, type PipelineConfigInput } from './lib/pipeline.js';
import { fixed } from './lib/summary.js';

interface Settings extends FusionSettings {
  readonly pairs: [string, string][];
  readonly repeats: number;
}

const STEPS: { id: string; label: string; kind: 'matching' | 'merging'; config: PipelineConfigInput }[] = [
  { id: 'rotation', label: 'Matching: rotation (Procrustes)', kind: 'matching', config: { align: [{ aligner: 'rotation', options: { rescale: false } }] } },
  { id: 'rotation+rescale', label: 'Matching: rotation + rescale', kind: 'matching', config: { align: [{ aligner: 'rotation', options: { rescale: true } }] } },
  { id: 'weight-matching', label: 'Matching: weight matching (all spaces)', kind: 'matching', config: { align: [{ aligner: 'weight-matching' }] } },
  { id: 'verma-elbayad', label: 'Matching: Verma–Elbayad (FFN + MHA + residual first, correlations included)', kind: 'matching', config: { align: [{ aligner: 'verma-elbayad', options: { ffn: true, mha: 'head-perm', residual: 'first' } }] } },
  { id: 'simple', label: 'Simple merging', kind: 'merging', config: { merge: { method: 'simple' } } },
  { id: 'fisher', label: 'Fisher merging', kind: 'merging', config: { merge: { method: 'fisher' } } },
  { id: 'regmean', label: 'RegMean merging', kind: 'merging', config: { merge: { method: 'regmean', alpha: 0.9 } } },
];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export const experiment = defineExperiment<Settings>({
  name: 'rotation-cost',
  title: 'Cost of matching vs merging (rotation paper, Table 3)',
  reference: 'Zhang et al., "Beyond the Permutation Symmetry of Transformers", Table 3 (RQ3, §5.4)',
  description: [
    'Wall time per model pair on this machine (median of `repeats` runs; times are not cached). Matching runs the aligner',
    'through the pipeline; merging runs the merger through the pipeline with a fresh statistics provider, so Fisher and',
    'RegMean include collecting their statistics (on `statsExamples` training examples per model), shown apart. Fine-tuning',
    'time is the fixtures\' recorded training time. The paper (A100 GPU, RoBERTa-base): matching 1.71 s, simple 0.09 s,',
    'Fisher 69.57 s, RegMean 36.44 s, fine-tuning 3071 s per dataset.',
  ].join(' '),
  defaults: (quick) => ({
    ...fusionDefaults(quick),
    pairs: [['spam-easy-ham-1+spam-1', 'spam-easy-ham-2+spam-2']],
    repeats: quick ? 1 : 3,
  }),
  async body(ctx, report) {
    const s = ctx.settings;
    const rows: { pair: [string, string]; step: string; seconds: number[]; collect: number[] }[] = [];
    for (const pair of s.pairs) {
      const [a, b] = pair;
      const anchor = ctx.zoo.classifier(a);
      const model = ctx.zoo.classifier(b);
      for (const step of STEPS) {
        const seconds: number[] = [];
        const collect: number[] = [];
        for (let r = 0; r < s.repeats; r++) {
          const times: CollectTimes = {};
          const provider = createStatsProvider(ctx.zoo.tokenizer, fusionStats(s, ctx.seed), times);
          const { seconds: total } = await pipeline(step.config, anchor, [model], provider, ctx.seed);
          const c = Object.values(times).reduce((t, x) => t + x, 0);
          // A matching's statistics are part of its cost; a merger's collection is shown apart.
          seconds.push(step.kind === 'matching' ? total : total - c);
          collect.push(c);
        }
        rows.push({ pair, step: step.id, seconds, collect });
        ctx.log(`${a} × ${b} ${step.id}: ${fixed(median(seconds), 3)} s (+ statistics ${fixed(median(collect), 2)} s)`);
      }
    }
    const training = ctx.zoo.loaded().filter((m) => m.trainingSeconds !== undefined);
    report.section('Seconds per model pair');
    report.table(
      ['step', ...s.pairs.map((p) => `${p[0]} × ${p[1]}`), 'statistics collection (s)'],
      [
        ['Fine-tuning (per model, recorded)', ...s.pairs.map((p) => p.map((n) => training.find((m) => m.id === n)?.trainingSeconds ?? Number.NaN).map((x) => fixed(x, 0)).join(' / ')), '–'],
        ...STEPS.map((st) => [st.label, ...s.pairs.map((p) => fixed(median(rows.find((r) => r.step === st.id && r.pair === p)!.seconds), 3)), st.kind === 'merging' ? s.pairs.map((p) => fixed(median(rows.find((r) => r.step === st.id && r.pair === p)!.collect), 2)).join(' / ') : '(included)']),
      ],
      `Median of ${s.repeats} runs; CPU backend, ${ctx.zoo.kind === 'fixtures' ? '4-layer d = 64 fixtures' : 'tiny random models'}.`,
    );
    const med = (id: string) => median(rows.filter((r) => r.step === id).flatMap((r) => r.seconds));
    const medC = (id: string) => median(rows.filter((r) => r.step === id).flatMap((r) => r.collect));
    report.data.rows = rows;
    report.data.fineTuningSeconds = Object.fromEntries(training.map((m) => [m.id, m.trainingSeconds]));
    report.finding(
      `Rotation matching takes ${fixed(med('rotation'), 3)} s per pair; merging: simple ${fixed(med('simple'), 3)} s, Fisher ${fixed(med('fisher') + medC('fisher'), 2)} s and RegMean ${fixed(med('regmean') + medC('regmean'), 2)} s with their statistics. Matching costs ${fixed((100 * med('rotation')) / (med('regmean') + medC('regmean')), 1)}% of RegMean (paper: under 5% of Fisher / RegMean).`,
    );
  },
});

export const run = experiment.run;
if (isMain(import.meta.url)) await cliMain(experiment);
