/**
 * Verma & Elbayad (2024), Table 1: loss barriers between MLMs from different seeds with the FFNs and
 * the attention merged, for four treatments of multi-head attention: plain averaging (attention not
 * aligned), monotonic head alignment, ignore-heads (one permutation over all attention features — not
 * a symmetry), and head-perm (the paper's two-stage head permutation).
 *
 * Run: `node --import tsx experiments/verma-elbayad-attention.ts [--quick]`.
 */
import { barrierTable, type BarrierRow, wins } from './lib/barrier-table.js';
import { cliMain, defineExperiment, isMain } from './lib/experiment.js';
import { meanSe, pm } from './lib/summary.js';
import { mlmQuality } from './lib/quality.js';
import { type MlmSettings, mlmDefaults, mlmEval } from './lib/verma-elbayad.js';

const ROWS: readonly BarrierRow[] = [
  { id: 'vanilla-attention', label: 'Vanilla attention avg.', options: { ffn: true, mha: 'none', residual: 'identity' }, paper: [4.31, 0.21] },
  { id: 'monotonic', label: 'Monotonic head alignment', options: { ffn: true, mha: 'monotonic', residual: 'identity' }, paper: [4.13, 0.2] },
  { id: 'ignore-heads', label: 'Ignore-heads', options: { ffn: true, mha: 'ignore-heads', residual: 'identity' }, paper: [3.97, 0.25] },
  { id: 'head-perm', label: 'Head-perm', options: { ffn: true, mha: 'head-perm', residual: 'identity' }, paper: [3.71, 0.23] },
];

export const experiment = defineExperiment<MlmSettings & { rows: string[] }>({
  name: 'verma-elbayad-attention',
  title: 'Attention alignment strategies (Verma & Elbayad 2024, Table 1)',
  reference: 'Verma & Elbayad 2024, Table 1 (§5.2)',
  description: [
    'Every pair of the five fixture MLMs is aligned with the FFNs permuted and the attention treated by one of four strategies,',
    'then interpolated; the loss barrier (Eq. 10, MLM loss in nats) is averaged over pairs. Ignore-heads is not a symmetry of the',
    'network: its aligned model B is not the original B, so its curve starts from a different endpoint. Same samples as the',
    'by-component experiment (its `ffn` and `ffn+mha` curves are the first and last rows here and come from the same cache).',
  ].join(' '),
  // 11 λ points: the 21-point curves of the by-component experiment are reused (every other point).
  defaults: (quick, zoo) => ({ ...mlmDefaults(quick, zoo), ...(quick ? {} : { points: 11 }), rows: ROWS.map((r) => r.id) }),
  async body(ctx, report) {
    await mlmQuality(ctx, report, ctx.settings.seeds, mlmEval(ctx.settings, ctx.seed));
    const results = await barrierTable(ctx, report, ROWS, 'Loss barriers by attention strategy');
    const b = (id: string) => (results[id] ? pm(meanSe(results[id].map((x) => x.curve.barrier))) : '–');
    report.finding(`Barriers (nats): ${ROWS.filter((r) => results[r.id]).map((r) => `${r.label} ${b(r.id)}`).join(', ')}. Paper (MultiBERTs): 4.31, 4.13, 3.97, 3.71 — head-perm lowest.`);
    if (results['head-perm'] && results['vanilla-attention']) report.finding(`Head-perm beats plain attention averaging on ${wins(results, 'head-perm', 'vanilla-attention')} pairs, monotonic on ${wins(results, 'head-perm', 'monotonic')}, ignore-heads on ${wins(results, 'head-perm', 'ignore-heads')}.`);
  },
});

export const run = experiment.run;
if (isMain(import.meta.url)) await cliMain(experiment);
