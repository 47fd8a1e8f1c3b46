/**
 * Rotation paper, Fig. 4 (RQ4): matching only a subset of the attention layers — one layer at a time
 * (Fig. 4a) and the last k layers (Fig. 4b) — and the evaluation loss of the simple average of the
 * matched pair.
 *
 * Run: `node --import tsx experiments/rotation-layers.ts [--quick]`.
 */
import { lineChart } from '@symfuse/eval';
import { cliMain, defineExperiment, isMain } from './lib/experiment.js';
import { type Domain, type FusionSettings, fusionDefaults, fusionStats, testSpec } from './lib/fusion.js';
import { mergeRun } from './lib/runs.js';
import { fixed, meanSe, pm } from './lib/summary.js';
import { classifierQuality } from './lib/quality.js';
import { classifierDomain } from './lib/zoo.js';

interface Settings extends FusionSettings {
  /** Pairs fine-tuned from one MLM (same initialisation). */
  readonly sameInitPairs: [string, string][];
  /** Pairs fine-tuned from different MLM seeds (heads are paired first). */
  readonly differentInitPairs: [string, string][];
  readonly rescale: boolean;
}

type Subset = { readonly id: string; readonly label: string; readonly layers?: number[] | { last: number } | 'none' };

export const experiment = defineExperiment<Settings>({
  name: 'rotation-layers',
  title: 'Matching a subset of layers (rotation paper, Fig. 4)',
  reference: 'Zhang et al., "Beyond the Permutation Symmetry of Transformers", Fig. 4 (RQ4, §5.5)',
  description: [
    'A pair of classifiers is matched by the `rotation` aligner on the chosen attention layers only (`layers` option), then',
    'averaged (`simple`); the loss is the mean test cross-entropy of the merged model over the pair\'s domains. Fig. 4a: one',
    'layer at a time; Fig. 4b: the last k layers (k = L is full matching). The paper uses DeBERTa-large (24 layers) on CoLA and',
    'STS-B and finds the early layers matter most. Two settings here: pairs fine-tuned from one MLM (the paper\'s setting) and',
    'pairs fine-tuned from different MLM seeds, where heads must be paired (`headPairing`) and matching has more to do.',
  ].join(' '),
  defaults: (quick) => ({
    ...fusionDefaults(quick),
    sameInitPairs: quick
      ? [['party-1853-1900', 'party-1901-1945']]
      : [
          ['party-1853-1900', 'party-1901-1945'],
          ['spam-easy-ham-1+spam-1', 'spam-easy-ham-2+spam-2'],
        ],
    differentInitPairs: quick
      ? [['spam-seed1', 'spam-seed2']]
      : [
          ['spam-seed1', 'spam-seed2'],
          ['spam-seed1', 'spam-seed3'],
          ['spam-seed1', 'spam-seed4'],
        ],
    rescale: true,
  }),
  async body(ctx, report) {
    const s = ctx.settings;
    const layers = ctx.zoo.mlm(1).config.numLayers;
    const subsets: Subset[] = [
      { id: 'none', label: 'none', layers: 'none' },
      ...Array.from({ length: layers }, (_, i) => ({ id: `layer-${i}`, label: `layer ${i} only`, layers: [i] })),
      ...Array.from({ length: layers }, (_, k) => ({ id: `last-${k + 1}`, label: k + 1 === layers ? `all ${layers} layers` : `last ${k + 1}`, layers: { last: k + 1 } })),
    ];
    await classifierQuality(ctx, report, s, [...new Set([...s.sameInitPairs, ...s.differentInitPairs].flat())]);
    const groups = [
      { name: 'fine-tuned from one MLM', pairs: s.sameInitPairs, headPairing: false },
      { name: 'fine-tuned from different MLM seeds', pairs: s.differentInitPairs, headPairing: true },
    ];
    const out: Record<string, Record<string, { pair: [string, string]; loss: number; macroF1: number }[]>> = {};
    for (const g of groups) {
      out[g.name] = {};
      for (const sub of subsets) {
        out[g.name][sub.id] = [];
        for (const [a, b] of g.pairs) {
          const domains: Domain[] = [...new Map([a, b].map((m) => [classifierDomain(m).domain, classifierDomain(m)])).values()];
          const align = sub.layers === 'none' ? [] : [{ aligner: 'rotation', options: { rescale: s.rescale, headPairing: g.headPairing, layers: sub.layers } }];
          const r = await mergeRun(ctx, {
            anchor: ctx.zoo.classifier(a),
            models: [ctx.zoo.classifier(b)],
            name: `simple, rotation on ${sub.label}`,
            config: { align, merge: { method: 'simple' } },
            evals: Object.fromEntries(domains.map((d) => [d.domain, testSpec(d, s)])),
            stats: fusionStats(s, ctx.seed),
          });
          const mean = (k: 'loss' | 'macroF1') => domains.reduce((t, d) => t + (r.scores[d.domain][k] ?? Number.NaN), 0) / domains.length;
          out[g.name][sub.id].push({ pair: [a, b], loss: mean('loss'), macroF1: mean('macroF1') });
        }
      }
      report.section(`Pairs ${g.name}`);
      report.table(
        ['matched layers', 'test loss of the average', 'macro-F1'],
        subsets.map((sub) => [sub.label, pm(meanSe(out[g.name][sub.id].map((x) => x.loss))), pm(meanSe(out[g.name][sub.id].map((x) => x.macroF1)))]),
        `Mean ± standard error over ${g.pairs.length} pairs (${g.headPairing ? 'heads paired first' : 'no head pairing'}; rescale ${s.rescale}).`,
      );
      const single = Array.from({ length: layers }, (_, i) => meanSe(out[g.name][`layer-${i}`].map((x) => x.loss)).mean);
      const lastK = Array.from({ length: layers }, (_, k) => meanSe(out[g.name][`last-${k + 1}`].map((x) => x.loss)).mean);
      const none = meanSe(out[g.name].none.map((x) => x.loss)).mean;
      report.plot(
        g.headPairing ? 'layers-different-init' : 'layers-same-init',
        lineChart({
          title: `Loss of the average when matching a subset of layers (${g.name})`,
          xLabel: 'layer index (single) / number of trailing layers (last k)',
          yLabel: 'test loss (nats)',
          series: [
            { name: 'only layer i (Fig. 4a)', x: single.map((_, i) => i), y: single },
            { name: 'last k layers (Fig. 4b)', x: lastK.map((_, k) => k + 1), y: lastK },
            { name: 'no matching', x: [0, layers], y: [none, none], dashed: true },
          ],
        }),
        `loss by matched layers, ${g.name}`,
      );
      const best = single.indexOf(Math.min(...single));
      report.finding(`${g.name}: loss of the average ${fixed(none)} unmatched, ${fixed(lastK[layers - 1])} with all layers matched; the single most useful layer is ${best} (${fixed(single[best])}). The paper finds the first layers matter most on DeBERTa-large.`);
    }
    report.data.subsets = subsets;
    report.data.results = out;
  },
});

export const run = experiment.run;
if (isMain(import.meta.url)) await cliMain(experiment);
