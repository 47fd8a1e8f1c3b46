/**
 * Verma & Elbayad (2024), Table 2: loss barriers between MLMs from different seeds when only the
 * residual stream is permuted, by the features its permutation is computed from: identity (nothing),
 * the embedding output (first), the last layer's output (last), all residual sites summed (all), and a
 * separate permutation per sublayer (separate — not a symmetry). Optionally the same with the FFNs and
 * attention also aligned (`withFfnMha`), the combination used for fine-tuned models.
 *
 * Run: `node --import tsx experiments/verma-elbayad-residual.ts [--quick]`.
 */
import { barrierTable, type BarrierRow, wins } from './lib/barrier-table.js';
import { cliMain, defineExperiment, isMain } from './lib/experiment.js';
import { meanSe, pm } from './lib/summary.js';
import { mlmQuality } from './lib/quality.js';
import { type MlmSettings, mlmDefaults, mlmEval, type VeOptions } from './lib/verma-elbayad.js';

const STRATEGIES: readonly { id: VeOptions['residual']; label: string; paper: readonly [number, number] }[] = [
  { id: 'identity', label: 'Identity', paper: [4.95, 0.38] },
  { id: 'first', label: 'First', paper: [7.58, 0.19] },
  { id: 'last', label: 'Last', paper: [7.41, 0.18] },
  { id: 'all', label: 'All', paper: [7.34, 0.22] },
  { id: 'separate', label: 'Separate', paper: [9.38, 0.49] },
];

const ROWS: readonly BarrierRow[] = [
  ...STRATEGIES.map((s) => ({ id: s.id, label: s.label, options: { ffn: false, mha: 'none', residual: s.id } as VeOptions, paper: s.paper })),
  ...STRATEGIES.map((s) => ({ id: `ffn+mha+${s.id}`, label: `FFN + MHA + ${s.label}`, options: { ffn: true, mha: 'head-perm', residual: s.id } as VeOptions })),
];

export const experiment = defineExperiment<MlmSettings & { rows: string[] }>({
  name: 'verma-elbayad-residual',
  title: 'Residual-stream permutation strategies (Verma & Elbayad 2024, Table 2)',
  reference: 'Verma & Elbayad 2024, Table 2 (§5.3)',
  description: [
    'Every pair of the five fixture MLMs is aligned on the residual stream only (one permutation for the whole network, from',
    'the chosen features), then interpolated; barrier = Eq. 10 on the MLM loss (nats), mean ± standard error over pairs. Identity',
    'is plain averaging. Separate gives each sublayer its own permutation and is not a symmetry. The rows `FFN + MHA + …` (not',
    'in the paper\'s table) add FFN and head-perm attention alignment, as the paper does for fine-tuned models.',
  ].join(' '),
  defaults: (quick, zoo) => ({
    ...mlmDefaults(quick, zoo),
    ...(quick ? {} : { points: 11 }),
    rows: quick ? ['identity', 'first', 'separate'] : ['identity', 'first', 'last', 'all', 'separate', 'ffn+mha+identity', 'ffn+mha+first'],
  }),
  async body(ctx, report) {
    await mlmQuality(ctx, report, ctx.settings.seeds, mlmEval(ctx.settings, ctx.seed));
    const results = await barrierTable(ctx, report, ROWS, 'Loss barriers by residual strategy');
    const b = (id: string) => (results[id] ? pm(meanSe(results[id].map((x) => x.curve.barrier))) : '–');
    report.finding(`Residual only (nats): ${STRATEGIES.filter((s) => results[s.id]).map((s) => `${s.label} ${b(s.id)}`).join(', ')}. Paper: identity 4.95 best, learnt strategies 7.3–7.6, separate 9.38 worst.`);
    if (results.identity && results.first) report.finding(`Identity beats First on ${wins(results, 'identity', 'first')} pairs.`);
    if (results['ffn+mha+identity'] && results['ffn+mha+first']) {
      report.finding(`With FFN + MHA aligned: ${STRATEGIES.filter((s) => results[`ffn+mha+${s.id}`]).map((s) => `${s.label} ${b(`ffn+mha+${s.id}`)}`).join(', ')}.`);
    }
  },
});

export const run = experiment.run;
if (isMain(import.meta.url)) await cliMain(experiment);
