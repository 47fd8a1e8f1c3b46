/**
 * RegMean (Jin et al. 2023), Table 6: how many training examples the Gram matrices need — RegMean
 * (α = 0.9) with Grams computed on a growing number of examples per model.
 *
 * Run: `node --import tsx experiments/regmean-examples.ts [--quick]`.
 */
import { lineChart } from '@symfuse/eval';
import { cliMain, defineExperiment, isMain } from './lib/experiment.js';
import { type Domain, type FusionSettings, fusionDefaults, fuse, meanOver, partyEras, SPAM_DOMAINS } from './lib/fusion.js';
import { fixed, meanSe, pairs, pm } from './lib/summary.js';

interface Settings extends Omit<FusionSettings, 'statsExamples'> {
  /** Examples per model for the Grams. */
  readonly amounts: number[];
  readonly partyEras: string[];
  readonly spamDomains: string[];
  /** Also run Fisher with the same amounts (its statistics cost more). */
  readonly fisher: boolean;
}

export const experiment = defineExperiment<Settings>({
  name: 'regmean-examples',
  title: 'Number of examples for the Gram matrices (RegMean, Table 6)',
  reference: 'Jin et al. 2023, Appendix C, Table 6',
  description: [
    'RegMean merges of the party-era classifiers (every pair, and all eras) and of the two spam classifiers, with each',
    'model\'s Grams computed on the first N examples of its own training split; macro-F1 on the test splits. The paper',
    'varies the number of batches of 16 examples and finds performance improves with N and saturates around 100 batches.',
    'Fisher with the same amounts is shown for comparison when `fisher` is set.',
  ].join(' '),
  defaults: (quick) => {
    const { statsExamples: _s, ...f } = fusionDefaults(quick);
    return {
      ...f,
      amounts: quick ? [4, 16] : [16, 64, 256],
      partyEras: partyEras(quick, 2),
      spamDomains: [...SPAM_DOMAINS],
      fisher: false,
    };
  },
  async body(ctx, report) {
    const s = ctx.settings;
    const party = s.partyEras.map((e): Domain => ({ task: 'party', domain: e }));
    const spam = s.spamDomains.map((d): Domain => ({ task: 'spam', domain: d }));
    const names = s.partyEras.map((e) => `party-${e}`);
    const methods = s.fisher ? (['regmean', 'fisher'] as const) : (['regmean'] as const);
    const rows: { method: string; examples: number; pairwise: number[]; all: number; spam: number }[] = [];
    for (const method of methods) {
      for (const n of s.amounts) {
        const fs = { ...s, statsExamples: n };
        const pairwise: number[] = [];
        for (const [i, j] of pairs(party.map((_, k) => k))) pairwise.push(meanOver((await fuse(ctx, fs, [names[i], names[j]], method, 'none', [party[i], party[j]])).scores, [party[i], party[j]]));
        const all = party.length > 2 ? meanOver((await fuse(ctx, fs, names, method, 'none', party)).scores, party) : Number.NaN;
        const sp = meanOver((await fuse(ctx, fs, s.spamDomains.map((d) => `spam-${d}`), method, 'none', spam)).scores, spam);
        rows.push({ method, examples: n, pairwise, all, spam: sp });
      }
    }
    report.section('Macro-F1 by number of examples');
    report.table(
      ['method', 'examples per model', 'party pairwise', 'party all eras', 'spam pair'],
      rows.map((r) => [r.method === 'regmean' ? 'RegMean' : 'Fisher', String(r.examples), pm(meanSe(r.pairwise)), fixed(r.all), fixed(r.spam)]),
      'Macro-F1 on the test splits; mean ± standard error over pairs.',
    );
    report.plot(
      'examples',
      lineChart({
        title: 'Merged macro-F1 vs examples for the statistics',
        xLabel: 'training examples per model',
        yLabel: 'macro-F1',
        series: methods.flatMap((m) => {
          const rs = rows.filter((r) => r.method === m);
          const x = rs.map((r) => r.examples);
          const name = m === 'regmean' ? 'RegMean' : 'Fisher';
          return [
            { name: `${name}: party pairwise`, x, y: rs.map((r) => meanSe(r.pairwise).mean), dashed: m === 'fisher' },
            { name: `${name}: spam pair`, x, y: rs.map((r) => r.spam), dashed: m === 'fisher' },
          ];
        }),
      }),
      'F1 by examples',
    );
    report.data.rows = rows;
    const rm = rows.filter((r) => r.method === 'regmean');
    report.finding(`RegMean party pairwise F1: ${rm.map((r) => `${r.examples} ex. ${fixed(meanSe(r.pairwise).mean)}`).join(', ')}; spam: ${rm.map((r) => `${r.examples} ex. ${fixed(r.spam)}`).join(', ')}. The paper: improves with more data, saturates around 100 batches of 16.`);
  },
});

export const run = experiment.run;
if (isMain(import.meta.url)) await cliMain(experiment);
