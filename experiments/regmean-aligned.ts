/**
 * Beyond the papers: RegMean (and simple averaging) of classifiers fine-tuned from DIFFERENT MLM
 * seeds — where neither RegMean nor the rotation paper aligns anything — after aligning them to an
 * anchor by permutations (Verma–Elbayad correlation matching), by permutations then per-head rotations,
 * or dataless (weight matching then rotations).
 *
 * Run: `node --import tsx experiments/regmean-aligned.ts [--quick]`.
 */
import { barChart } from '@symfuse/eval';
import { cliMain, defineExperiment, isMain } from './lib/experiment.js';
import { type Domain, ensemble, type FusionSettings, fusionDefaults, fuse, individual, type MatchingId, meanOver, type MergerId } from './lib/fusion.js';
import { classifierQuality } from './lib/quality.js';
import { fixed, meanSe, pairs, pm } from './lib/summary.js';

interface Settings extends FusionSettings {
  readonly models: string[];
  readonly domain: string;
  readonly ood: string;
  readonly mergers: MergerId[];
  readonly matchings: MatchingId[];
  /** Also merge the anchor with each other model (else only all models together). */
  readonly pairwise: boolean;
}

const MATCH_LABEL: Partial<Record<MatchingId, string>> = {
  none: 'no alignment',
  permutation: 'permutation (FFN + head-perm MHA + residual first)',
  'permutation+rotation': 'permutation (FFN + head-perm MHA) + rotation',
  'wm+rotation': 'dataless: weight matching (FFN) + head pairing + rotation',
  'wm-all+rotation': 'dataless: weight matching (all, residual included) + rotation',
};

export const experiment = defineExperiment<Settings>({
  name: 'regmean-aligned',
  title: 'Aligning before RegMean: classifiers from different seeds (beyond the papers)',
  reference: 'Combines Verma & Elbayad 2024 (alignment of models from different initialisations), the rotation paper (per-head rotations) and Jin et al. 2023 (RegMean); not in any of them',
  description: [
    'The five `spam-seed*` fixtures were fine-tuned on the same task (`easy-ham-2+spam-2`) from the five MLM seeds, so their',
    'hidden units, heads and residual streams are in unrelated orders. They are merged (all five, and every pair) with',
    '`simple` and `regmean` after no alignment, after Verma–Elbayad correlation matching (statistics on the task\'s training',
    'split), after that plus per-head rotations, or after dataless weight matching of the FFNs plus rotations (without a residual',
    'permutation: the attention-only matching of the rotation paper cannot align the residual stream). Macro-F1 on the test split',
    '(in domain) and accuracy on `hard-ham-1` (out of domain).',
  ].join(' '),
  defaults: (quick) => ({
    ...fusionDefaults(quick),
    models: quick ? ['spam-seed1', 'spam-seed2'] : ['spam-seed1', 'spam-seed2', 'spam-seed3', 'spam-seed4', 'spam-seed5'],
    domain: 'easy-ham-2+spam-2',
    ood: 'hard-ham-1',
    mergers: ['simple', 'regmean'],
    matchings: quick ? ['none', 'permutation'] : ['none', 'permutation', 'permutation+rotation', 'wm-all+rotation'],
    pairwise: !quick,
  }),
  async body(ctx, report) {
    const s = ctx.settings;
    const dom: Domain = { task: 'spam', domain: s.domain };
    const ood: Domain = { task: 'spam', domain: s.ood };
    await classifierQuality(ctx, report, s, s.models);
    const ind = await Promise.all(s.models.map((m) => individual(ctx, s, m, dom)));
    const indOod = await Promise.all(s.models.map((m) => individual(ctx, s, m, ood)));
    const ens = await ensemble(ctx, s, s.models, dom);
    const ensOod = await ensemble(ctx, s, s.models, ood);
    const rows: { merger: MergerId; matching: MatchingId; all: number; allOod: number; pairs: number[]; alignSeconds: number }[] = [];
    for (const merger of s.mergers) {
      for (const matching of s.matchings) {
        const r = await fuse(ctx, s, s.models, merger, matching, [dom, ood]);
        const pr: number[] = [];
        if (s.pairwise) for (const [a, b] of pairs(s.models).filter(([x]) => x === s.models[0])) pr.push(meanOver((await fuse(ctx, s, [a, b], merger, matching, [dom])).scores, [dom]));
        rows.push({ merger, matching, all: r.scores[dom.domain].macroF1 ?? Number.NaN, allOod: r.scores[ood.domain].accuracy ?? Number.NaN, pairs: pr, alignSeconds: r.alignSeconds });
      }
    }
    const label = (r: (typeof rows)[number]) => `${r.merger === 'regmean' ? 'RegMean' : 'Simple'}, ${MATCH_LABEL[r.matching] ?? r.matching}`;
    report.section(`All ${s.models.length} models merged`);
    report.table(
      ['method', `F1 (${s.domain})`, ...(s.pairwise ? ['F1, anchor pairs (mean ± SE)'] : []), `acc. (${s.ood})`, 'alignment s'],
      [
        ['Individual: Avg', fixed(meanSe(ind.map((x) => x.macroF1 ?? Number.NaN)).mean), ...(s.pairwise ? ['–'] : []), fixed(meanSe(indOod.map((x) => x.accuracy ?? Number.NaN)).mean), '–'],
        ['Individual: Best', fixed(Math.max(...ind.map((x) => x.macroF1 ?? Number.NaN))), ...(s.pairwise ? ['–'] : []), fixed(Math.max(...indOod.map((x) => x.accuracy ?? Number.NaN))), '–'],
        ['Ensemble (averaged logits)', fixed(ens.macroF1), ...(s.pairwise ? ['–'] : []), fixed(ensOod.accuracy), '–'],
        ...rows.map((r) => [label(r), fixed(r.all), ...(s.pairwise ? [pm(meanSe(r.pairs))] : []), fixed(r.allOod), fixed(r.alignSeconds, 1)]),
      ],
    );
    report.plot('merged', barChart({ title: `Merging ${s.models.length} spam classifiers from different seeds`, xLabel: 'setting', yLabel: 'macro-F1 / accuracy', categories: [`F1 ${s.domain}`, `accuracy ${s.ood}`], series: rows.map((r) => ({ name: label(r), values: [r.all, r.allOod] })) }), 'merged models');
    report.data.individual = { inDomain: ind, ood: indOod };
    report.data.ensemble = { inDomain: ens, ood: ensOod };
    report.data.rows = rows;
    const get = (m: MergerId, k: MatchingId) => rows.find((r) => r.merger === m && r.matching === k);
    const rn = get('regmean', 'none');
    const rp = get('regmean', 'permutation');
    if (rn && rp) report.finding(`RegMean of ${s.models.length} different-seed classifiers: F1 ${fixed(rn.all)} unaligned → ${fixed(rp.all)} after permutation alignment${get('regmean', 'permutation+rotation') ? ` → ${fixed(get('regmean', 'permutation+rotation')!.all)} with rotations added` : ''}${get('regmean', 'wm-all+rotation') ? `; dataless weight matching + rotation ${fixed(get('regmean', 'wm-all+rotation')!.all)}` : ''} (individual models average ${fixed(meanSe(ind.map((x) => x.macroF1 ?? Number.NaN)).mean)}, ensemble ${fixed(ens.macroF1)}).`);
    const sn = get('simple', 'none');
    const sp = get('simple', 'permutation');
    if (sn && sp) report.finding(`Simple averaging: ${fixed(sn.all)} unaligned → ${fixed(sp.all)} after permutation alignment.`);
  },
});

export const run = experiment.run;
if (isMain(import.meta.url)) await cliMain(experiment);
