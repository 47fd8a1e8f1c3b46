/**
 * RegMean (Jin et al. 2023), Tables 1–3 and Fig. 3: merging classifiers fine-tuned on different
 * domains of one task — individual models (average and best), the logit ensemble, simple averaging,
 * Fisher-weighted averaging, RegMean, the domain-specific models and the multi-task upper bound —
 * in domain, out of domain, and pairwise.
 *
 * Run: `node --import tsx experiments/regmean-domains.ts [--quick]`.
 */
import { barChart } from '@symfuse/eval';
import { cliMain, defineExperiment, isMain } from './lib/experiment.js';
import { constantBaseline, type Domain, ensemble, type FusionSettings, fusionDefaults, fuse, individual, meanOver, type MergerId, testSpec, partyEras, SPAM_DOMAINS, SPAM_OOD } from './lib/fusion.js';
import { mtlModel, recordedSteps } from './lib/mtl.js';
import { type Score, scoreRun } from './lib/runs.js';
import { fixed, meanSe, pairs, pm } from './lib/summary.js';

interface Settings extends FusionSettings {
  readonly partyEras: string[];
  readonly spamDomains: string[];
  readonly spamOod: string;
  /** Train the multi-task models (party: all eras; spam: both collections). */
  readonly mtl: boolean;
  /** MTL steps; 0 = the sum of the merged fixtures' recorded steps (the same number of examples seen). */
  readonly mtlSteps: number;
}

const MERGERS: MergerId[] = ['simple', 'fisher', 'regmean'];
const LABEL: Record<MergerId, string> = { simple: 'Simple', fisher: 'Fisher', regmean: 'RegMean' };

type Row = { label: string; party?: number; partyLoss?: number; partyOod?: number; spam?: number; spamLoss?: number; spamOod?: number };

export const experiment = defineExperiment<Settings>({
  name: 'regmean-domains',
  title: 'Merging domain-specific classifiers (RegMean, Tables 1–3 and Fig. 3)',
  reference: 'Jin et al. 2023, "Dataless Knowledge Fusion by Merging Weights of Language Models", Tables 1–3 and Fig. 3',
  description: [
    'Classifiers fine-tuned from `mlm-seed1` on the four party eras (and on the two spam collections) are merged with',
    '`simple`, `fisher` and `regmean` (α from the settings; Grams and Fisher on `statsExamples` training examples of each',
    'model\'s own domain). *In domain* (RegMean Table 2): all models merged, scored on every domain\'s test split, macro-F1',
    'averaged over domains. *Individual*: each model scored on every domain, averaged (Avg) and the best model (Best).',
    '*Ensemble*: logits averaged. *Domain-specific*: each model on its own domain. *MTL*: one model fine-tuned on the union',
    'of the training splits with the fixtures\' recipe. *Out of domain* (Table 3): party — each era left out, the other three',
    'merged and scored on it; spam — the two collections merged and scored on `hard-ham-1` (all ham: accuracy).',
    '*Pairwise* (Fig. 3): every pair of eras merged, relative F1 drop against the domain-specific models on the two eras.',
  ].join(' '),
  defaults: (quick) => ({
    ...fusionDefaults(quick),
    partyEras: partyEras(quick),
    spamDomains: [...SPAM_DOMAINS],
    spamOod: SPAM_OOD,
    mtl: true,
    mtlSteps: quick ? 4 : 0,
  }),
  async body(ctx, report) {
    const s = ctx.settings;
    const party = s.partyEras.map((e): Domain => ({ task: 'party', domain: e }));
    const spam = s.spamDomains.map((d): Domain => ({ task: 'spam', domain: d }));
    const ood: Domain = { task: 'spam', domain: s.spamOod };
    const partyModels = s.partyEras.map((e) => `party-${e}`);
    const spamModels = s.spamDomains.map((d) => `spam-${d}`);
    const f1 = (x: Score) => x.macroF1 ?? Number.NaN;
    const acc = (x: Score) => x.accuracy ?? Number.NaN;

    // Individual models on every domain: rows = models, columns = domains.
    const grid = async (models: string[], domains: Domain[]) => Promise.all(models.map(async (m) => Promise.all(domains.map((d) => individual(ctx, s, m, d)))));
    const partyGrid = await grid(partyModels, party);
    const spamGrid = await grid(spamModels, [...spam, ood]);
    const mean = (xs: number[]) => xs.reduce((t, x) => t + x, 0) / xs.length;
    const rows: Row[] = [];
    const partyAvg = partyGrid.map((r) => mean(r.map(f1)));
    const spamAvg = spamGrid.map((r) => mean(r.slice(0, spam.length).map(f1)));
    // OOD individual: each era's models (excluding the held-out era's own) on the held-out era.
    const partyOodInd = party.map((d, i) => partyGrid.filter((_, k) => k !== i).map((r) => f1(r[i])));
    rows.push({ label: 'Individual: Avg', party: mean(partyAvg), partyOod: mean(partyOodInd.map(mean)), spam: mean(spamAvg), spamOod: mean(spamGrid.map((r) => acc(r[spam.length]))) });
    rows.push({ label: 'Individual: Best', party: Math.max(...partyAvg), partyOod: mean(partyOodInd.map((xs) => Math.max(...xs))), spam: Math.max(...spamAvg), spamOod: Math.max(...spamGrid.map((r) => acc(r[spam.length]))) });

    const partyEns = await Promise.all(party.map((d) => ensemble(ctx, s, partyModels, d)));
    const partyOodEns = await Promise.all(party.map((d, i) => ensemble(ctx, s, partyModels.filter((_, k) => k !== i), d)));
    const spamEns = await Promise.all([...spam, ood].map((d) => ensemble(ctx, s, spamModels, d)));
    rows.push({ label: 'Ensemble', partyLoss: mean(partyEns.map((x) => x.loss)), spamLoss: mean(spamEns.slice(0, spam.length).map((x) => x.loss)), party: mean(partyEns.map(f1)), partyOod: mean(partyOodEns.map(f1)), spam: mean(spamEns.slice(0, spam.length).map(f1)), spamOod: acc(spamEns[spam.length]) });

    for (const m of MERGERS) {
      const p = await fuse(ctx, s, partyModels, m, 'none', party);
      const po: number[] = [];
      for (let i = 0; i < party.length; i++) {
        if (party.length < 3) break;
        const r = await fuse(ctx, s, partyModels.filter((_, k) => k !== i), m, 'none', [party[i]]);
        po.push(f1(r.scores[party[i].domain]));
      }
      const sp = await fuse(ctx, s, spamModels, m, 'none', [...spam, ood]);
      rows.push({ label: LABEL[m], party: meanOver(p.scores, party), partyLoss: meanOver(p.scores, party, 'loss'), ...(po.length ? { partyOod: mean(po) } : {}), spam: meanOver(sp.scores, spam), spamLoss: meanOver(sp.scores, spam, 'loss'), spamOod: acc(sp.scores[ood.domain]) });
    }
    const constant = (ds: Domain[]) => ds.map((d) => constantBaseline(ctx, s, d));
    const cParty = constant(party);
    const cSpam = constant([...spam, ood]);
    rows.push({ label: 'Constant predictor (floor)', party: mean(cParty.map((c) => c.macroF1)), partyOod: mean(cParty.map((c) => c.macroF1)), spam: mean(cSpam.slice(0, spam.length).map((c) => c.macroF1)), spamOod: cSpam[spam.length].accuracy });
    rows.push({ label: 'Domain-specific', party: mean(partyGrid.map((r, i) => f1(r[i]))), partyLoss: mean(partyGrid.map((r, i) => r[i].loss)), spam: mean(spamGrid.map((r, i) => f1(r[i]))), spamLoss: mean(spamGrid.map((r, i) => r[i].loss)) });

    let mtlNote = 'MTL: not run (`--set mtl=false`).';
    if (s.mtl) {
      const steps = (models: string[]) => s.mtlSteps || models.reduce((t, m) => t + (recordedSteps(ctx, m) ?? 0), 0);
      const pSteps = steps(partyModels);
      const sSteps = steps(spamModels);
      if (pSteps > 0 && sSteps > 0) {
        const pm_ = mtlModel(ctx, { task: 'party', domains: s.partyEras, steps: pSteps, like: ctx.zoo.classifier(partyModels[0]), base: ctx.zoo.mlm(1), seed: ctx.seed + 1 });
        const sm = mtlModel(ctx, { task: 'spam', domains: s.spamDomains, steps: sSteps, like: ctx.zoo.classifier(spamModels[0]), base: ctx.zoo.mlm(1), seed: ctx.seed + 1 });
        const ps = await Promise.all(party.map((d) => scoreRun(ctx, pm_, testSpec(d, s))));
        const ss = await Promise.all([...spam, ood].map((d) => scoreRun(ctx, sm, testSpec(d, s))));
        rows.push({ label: 'MTL', party: mean(ps.map(f1)), partyLoss: mean(ps.map((x) => x.loss)), spam: mean(ss.slice(0, spam.length).map(f1)), spamLoss: mean(ss.slice(0, spam.length).map((x) => x.loss)), spamOod: acc(ss[spam.length]) });
        mtlNote = `MTL: fine-tuned from \`mlm-seed1\` on the union of the training splits, ${pSteps} steps (party) and ${sSteps} steps (spam)${s.mtlSteps ? ' (set)' : " = the sum of the merged fixtures' recorded steps, so it sees as many examples as they did together"}. Party OOD would need one MTL model per held-out era: not run.`;
      } else mtlNote = 'MTL: not run (the fixtures record no training steps to match).';
    }

    report.section('Merging all domain-specific models');
    report.table(
      ['method', `party in-domain F1 (${party.length} eras)`, 'party in-domain CE', 'party OOD F1 (leave-one-era-out)', `spam in-domain F1 (${spam.length})`, 'spam in-domain CE', `spam OOD acc. (${ood.domain})`],
      rows.map((r) => [r.label, fixed(r.party), fixed(r.partyLoss, 4), fixed(r.partyOod), fixed(r.spam), fixed(r.spamLoss, 4), fixed(r.spamOod)]),
      'Macro-F1 averaged over domains (accuracy on the all-ham OOD set) and test cross-entropy (CE, nats; individual models: –).',
    );
    report.text(mtlNote);
    report.plot('all-models', barChart({ title: 'Merging all domain-specific classifiers', xLabel: 'setting', yLabel: 'macro-F1 (accuracy for spam OOD)', categories: ['party in-domain', 'party OOD', 'spam in-domain', 'spam OOD'], series: rows.map((r) => ({ name: r.label, values: [r.party ?? Number.NaN, r.partyOod ?? Number.NaN, r.spam ?? Number.NaN, r.spamOod ?? Number.NaN] })) }), 'all models merged');

    report.section('Pairwise merging (Fig. 3)');
    const drops: Record<MergerId, number[]> = { simple: [], fisher: [], regmean: [] };
    const pairRows: string[][] = [];
    for (const [i, j] of pairs(party.map((_, k) => k))) {
      const cells: string[] = [`${s.partyEras[i]} + ${s.partyEras[j]}`];
      for (const m of MERGERS) {
        const r = await fuse(ctx, s, [partyModels[i], partyModels[j]], m, 'none', [party[i], party[j]]);
        const d = mean([i, j].map((k) => (f1(partyGrid[k][k]) - f1(r.scores[party[k].domain])) / f1(partyGrid[k][k])));
        drops[m].push(d);
        cells.push(`${(100 * d).toFixed(1)}%`);
      }
      pairRows.push(cells);
    }
    report.table(['pair', ...MERGERS.map((m) => `${LABEL[m]} relative drop`)], [...pairRows, ['mean ± SE', ...MERGERS.map((m) => pm(meanSe(drops[m].map((x) => 100 * x)), 1))]], 'Relative macro-F1 drop of the merged pair against the domain-specific models, averaged over the two eras (lower is better).');

    report.data.rows = rows;
    report.data.individual = { party: partyGrid, spam: spamGrid };
    report.data.pairwiseDrops = drops;
    const get = (l: string) => rows.find((r) => r.label === l);
    const rm = get('RegMean');
    const sm = get('Simple');
    const fi = get('Fisher');
    const ds = get('Domain-specific');
    const floor = get('Constant predictor (floor)');
    if (ds && floor) report.finding(`Model quality: each classifier on its own domain scores macro-F1 ${fixed(ds.party)} (party) and ${fixed(ds.spam)} (spam) against ${fixed(floor.party)} and ${fixed(floor.spam)} for the best constant predictor${(ds.party ?? 0) - (floor.party ?? 0) < 0.05 ? ' — the party classifiers are barely better than always answering one class, so merging them can show little' : ''}.`);
    if (rm && sm && fi) {
      report.finding(`In domain (party, ${party.length} eras merged): RegMean ${fixed(rm.party)}, Fisher ${fixed(fi.party)}, Simple ${fixed(sm.party)}, Ensemble ${fixed(get('Ensemble')?.party)}, individual Avg ${fixed(get('Individual: Avg')?.party)} / Best ${fixed(get('Individual: Best')?.party)}, domain-specific ${fixed(get('Domain-specific')?.party)}${get('MTL') ? `, MTL ${fixed(get('MTL')?.party)}` : ''}. The paper: RegMean best among merging methods and above Avg, usually above Ensemble; MTL near domain-specific.`);
      report.finding(`Out of domain: party RegMean ${fixed(rm.partyOod)} vs Simple ${fixed(sm.partyOod)}, Fisher ${fixed(fi.partyOod)}; spam ${ood.domain} accuracy RegMean ${fixed(rm.spamOod)}, Simple ${fixed(sm.spamOod)}, Fisher ${fixed(fi.spamOod)}.`);
      report.finding(`Pairwise relative drop (party): Simple ${pm(meanSe(drops.simple.map((x) => 100 * x)), 1)}%, Fisher ${pm(meanSe(drops.fisher.map((x) => 100 * x)), 1)}%, RegMean ${pm(meanSe(drops.regmean.map((x) => 100 * x)), 1)}% (paper, RoBERTa Emotion: 55% simple → 12% RegMean).`);
    }
  },
});

export const run = experiment.run;
if (isMain(import.meta.url)) await cliMain(experiment);
