/**
 * The standard plots of a report, as SVG documents keyed by file name (`plots/<name>.svg`):
 * - `loss-curves.svg`: loss over λ for every curve (Verma & Elbayad Fig. 3 / Fig. 7);
 * - `pppl-curves.svg` (MLM) or `accuracy-curves.svg` (classification);
 * - `correlation-per-layer.svg`: mean same-index correlation per layer, before / after (Fig. 4);
 * - `distance-per-layer.svg`: parameter distance per layer, vanilla / aligned (rotation paper Fig. 3);
 * - `correlation-<site>.svg`: correlation matrices before / after alignment (Fig. 5), when given.
 */
import type { CorrelationMatrixPair } from '../correlation.js';
import { barChart } from '../svg/bar-chart.js';
import { heatmap } from '../svg/heatmap.js';
import { lineChart } from '../svg/line-chart.js';
import { parseSvg } from '../svg/validate.js';
import type { RunReport } from './types.js';

const pretty = (name: string) => name.charAt(0).toUpperCase() + name.slice(1);

/** A file-name-safe form of a site name (`layer.0.ffn.activation` → `layer-0-ffn-activation`). */
export function plotFileName(s: string): string {
  return s.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/**
 * Renders the plots the report has data for; each document is checked to be well-formed XML.
 * @param matrices correlation matrix pairs to draw as heatmaps (not stored in the report).
 */
export function reportPlots(r: RunReport, matrices: readonly CorrelationMatrixPair[] = []): Map<string, string> {
  const out = new Map<string, string>();
  const e = r.evaluation;
  const curves = Object.entries(e?.curves ?? {});
  if (e && curves.length) {
    const sub = e.description;
    out.set(
      'loss-curves.svg',
      lineChart({
        title: `${e.kind === 'mlm' ? 'MLM loss' : 'Classification loss'} along θ(λ) = λ·θ_A + (1−λ)·θ_B`,
        subtitle: sub,
        xLabel: 'λ (0 = model B, 1 = anchor A)',
        yLabel: e.kind === 'mlm' ? 'mean NLL of masked tokens' : 'cross-entropy',
        series: curves.map(([name, c]) => ({ name: `${pretty(name)} (barrier ${c.barrier.toFixed(3)})`, x: c.lambdas, y: c.losses, dashed: name === 'vanilla' })),
      }),
    );
    if (e.kind === 'mlm' && curves.every(([, c]) => c.pppl)) {
      out.set('pppl-curves.svg', lineChart({ title: 'Pseudo-perplexity along the interpolation path', subtitle: sub, xLabel: 'λ (0 = model B, 1 = anchor A)', yLabel: 'pseudo-perplexity', series: curves.map(([name, c]) => ({ name: pretty(name), x: c.lambdas, y: c.pppl!, dashed: name === 'vanilla' })) }));
    }
    if (e.kind === 'classification' && curves.every(([, c]) => c.accuracy)) {
      out.set('accuracy-curves.svg', lineChart({ title: 'Accuracy along the interpolation path', subtitle: sub, xLabel: 'λ (0 = model B, 1 = anchor A)', yLabel: 'accuracy', series: curves.map(([name, c]) => ({ name: pretty(name), x: c.lambdas, y: c.accuracy!, dashed: name === 'vanilla' })) }));
    }
  }
  const perLayer = (r.alignment ?? []).filter((s) => s.model === 0).flatMap((s) => s.perLayer);
  if (perLayer.length) {
    const layers = [...new Set(perLayer.map((p) => p.layer))].sort((a, b) => a - b);
    const kinds = [...new Set(perLayer.map((p) => p.kind))];
    const series = kinds.flatMap((k) =>
      (['before', 'after'] as const).map((when) => ({
        name: `${k === 'attention' ? 'MHA' : k.toUpperCase()} ${when}`,
        values: layers.map((l) => {
          const p = perLayer.find((x) => x.kind === k && x.layer === l);
          return p ? (when === 'before' ? p.meanBefore : p.meanAfter) : Number.NaN;
        }),
      })),
    );
    out.set('correlation-per-layer.svg', barChart({ title: 'Mean correlation of same-index features, anchor × model', subtitle: 'before and after alignment (Verma & Elbayad Fig. 4)', xLabel: 'layer', yLabel: 'mean correlation', categories: layers.map(String), series }));
  }
  const d = r.distances;
  if (d) {
    const groups = d.vanilla.perLayer.map((g) => g.group);
    const series = [{ name: 'vanilla', values: d.vanilla.perLayer.map((g) => g.l2) }];
    if (d.aligned) series.push({ name: 'aligned', values: groups.map((g) => d.aligned!.perLayer.find((x) => x.group === g)?.l2 ?? Number.NaN) });
    out.set('distance-per-layer.svg', barChart({ title: 'Parameter distance ‖θ_A − θ_B‖₂ per layer', subtitle: `whole model: vanilla ${d.vanilla.total.l2.toFixed(2)}${d.aligned ? `, aligned ${d.aligned.total.l2.toFixed(2)}` : ''}`, xLabel: 'parameter group', yLabel: 'L2 distance', categories: groups, series }));
  }
  for (const m of matrices) {
    out.set(
      `correlation-${plotFileName(m.site)}.svg`,
      heatmap({
        title: `Correlation anchor × model at ${m.site}`,
        rows: m.rows,
        cols: m.cols,
        min: -1,
        max: 1,
        xLabel: 'model features',
        yLabel: 'anchor features',
        panels: [
          { title: 'before alignment', values: m.before },
          { title: 'after alignment', values: m.after },
        ],
      }),
    );
  }
  for (const [name, svg] of out) {
    try {
      parseSvg(svg);
    } catch (err) {
      throw new Error(`reportPlots: ${name} is not valid SVG: ${(err as Error).message}`);
    }
  }
  return out;
}
