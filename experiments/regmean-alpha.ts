/**
 * RegMean (Jin et al. 2023), Fig. 5: sensitivity to α, the scaling of the Gram matrices' off-diagonal
 * entries (α = 1: plain RegMean; α = 0: diagonal Grams, a per-feature weighted average) — pairwise
 * merges in domain (Fig. 5a) and all models merged, in domain and out of domain (Fig. 5b).
 *
 * Run: `node --import tsx experiments/regmean-alpha.ts [--quick]`.
 */
import { lineChart } from '@symfuse/eval';
import { cliMain, defineExperiment, isMain } from './lib/experiment.js';
import { type Domain, type FusionSettings, fusionDefaults, fuse, meanOver, partyEras, SPAM_DOMAINS } from './lib/fusion.js';
import { fixed, meanSe, pairs, pm } from './lib/summary.js';

interface Settings extends Omit<FusionSettings, 'alpha'> {
  readonly alphas: number[];
  readonly partyEras: string[];
  readonly spamDomains: string[];
}

export const experiment = defineExperiment<Settings>({
  name: 'regmean-alpha',
  title: 'Sensitivity of RegMean to α (RegMean, Fig. 5)',
  reference: 'Jin et al. 2023, Fig. 5 (§5.3, "Impact of scaling non-diagonal values")',
  description: [
    'The party-era classifiers are merged with RegMean at each α: every pair of eras (scored on both eras\' test splits,',
    'Fig. 5a), all eras together (in domain), and each era left out (the others merged, scored on it: out of domain, Fig. 5b);',
    'and the two spam classifiers (scored on both collections). Macro-F1. The paper sees stable results for α between about',
    '0.1 and 0.9 and a sudden drop at α = 1 on T5 / DeBERTa when merging two models.',
  ].join(' '),
  defaults: (quick) => {
    const { alpha: _a, ...f } = fusionDefaults(quick);
    return {
      ...f,
      alphas: quick ? [0, 0.9, 1] : [0, 0.1, 0.5, 0.9, 0.99, 1],
      partyEras: partyEras(quick),
      spamDomains: [...SPAM_DOMAINS],
    };
  },
  async body(ctx, report) {
    const s = ctx.settings;
    const party = s.partyEras.map((e): Domain => ({ task: 'party', domain: e }));
    const spam = s.spamDomains.map((d): Domain => ({ task: 'spam', domain: d }));
    const names = s.partyEras.map((e) => `party-${e}`);
    const rows: { alpha: number; pairwise: number[]; all: number; ood: number[]; spam: number }[] = [];
    for (const alpha of s.alphas) {
      const fs = { ...s, alpha };
      const pairwise: number[] = [];
      for (const [i, j] of pairs(party.map((_, k) => k))) pairwise.push(meanOver((await fuse(ctx, fs, [names[i], names[j]], 'regmean', 'none', [party[i], party[j]])).scores, [party[i], party[j]]));
      const all = meanOver((await fuse(ctx, fs, names, 'regmean', 'none', party)).scores, party);
      const ood: number[] = [];
      for (let i = 0; i < party.length && party.length >= 3; i++) ood.push(meanOver((await fuse(ctx, fs, names.filter((_, k) => k !== i), 'regmean', 'none', [party[i]])).scores, [party[i]]));
      const sp = meanOver((await fuse(ctx, fs, s.spamDomains.map((d) => `spam-${d}`), 'regmean', 'none', spam)).scores, spam);
      rows.push({ alpha, pairwise, all, ood, spam: sp });
    }
    report.section('Macro-F1 by α');
    report.table(
      ['α', 'party pairwise (in domain)', 'party all eras (in domain)', 'party leave-one-out (OOD)', 'spam pair (in domain)'],
      rows.map((r) => [String(r.alpha), pm(meanSe(r.pairwise)), fixed(r.all), r.ood.length ? pm(meanSe(r.ood)) : '–', fixed(r.spam)]),
      'Mean ± standard error over pairs / held-out eras.',
    );
    const x = rows.map((r) => r.alpha);
    report.plot(
      'alpha',
      lineChart({
        title: 'RegMean macro-F1 by α',
        xLabel: 'α (off-diagonal scaling of the Grams)',
        yLabel: 'macro-F1',
        series: [
          { name: 'party pairwise', x, y: rows.map((r) => meanSe(r.pairwise).mean) },
          { name: 'party all eras', x, y: rows.map((r) => r.all) },
          ...(rows[0]?.ood.length ? [{ name: 'party leave-one-out (OOD)', x, y: rows.map((r) => meanSe(r.ood).mean) }] : []),
          { name: 'spam pair', x, y: rows.map((r) => r.spam) },
        ],
      }),
      'F1 by alpha',
    );
    report.data.rows = rows;
    const best = rows.reduce((b, r) => (meanSe(r.pairwise).mean > meanSe(b.pairwise).mean ? r : b), rows[0]);
    const at = (a: number) => rows.find((r) => r.alpha === a);
    report.finding(`Party pairwise F1 is highest at α = ${best.alpha} (${fixed(meanSe(best.pairwise).mean)}); α = 0: ${fixed(meanSe(at(0)?.pairwise ?? []).mean)}, α = 0.9: ${fixed(meanSe(at(0.9)?.pairwise ?? []).mean)}, α = 1: ${fixed(meanSe(at(1)?.pairwise ?? []).mean)}. The paper: stable between 0.1 and 0.9, a drop at α = 1 for some models.`);
  },
});

export const run = experiment.run;
if (isMain(import.meta.url)) await cliMain(experiment);
