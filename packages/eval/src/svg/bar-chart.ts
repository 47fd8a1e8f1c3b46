/**
 * Grouped bar charts over categories (e.g. per layer: mean correlation before / after alignment,
 * Verma & Elbayad Fig. 4; parameter distance vanilla / aligned, rotation paper Fig. 3).
 */
import { axes, legend, type PlotArea, textWidth, titles } from './axes.js';
import { seriesColor } from './palette.js';
import { formatTick, linearScale, niceTicks } from './scale.js';
import { el, esc, fmt, svgDocument } from './svg-doc.js';

/** One series: a value per category (non-finite values draw no bar). */
export interface BarSeries {
  readonly name: string;
  readonly values: readonly number[];
  readonly color?: string;
}

/** Options of {@link barChart}. */
export interface BarChartOptions {
  readonly title: string;
  readonly subtitle?: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly categories: readonly string[];
  readonly series: readonly BarSeries[];
  readonly width?: number;
  readonly height?: number;
}

/**
 * Renders a grouped bar chart; each series is a `<g class="series" data-series="name">` of `<rect>`s.
 * The y axis always includes 0.
 * @throws RangeError when a series does not have one value per category.
 */
export function barChart(o: BarChartOptions): string {
  const width = o.width ?? Math.max(520, 160 + o.categories.length * (24 + 18 * o.series.length));
  const height = o.height ?? 400;
  for (const s of o.series) {
    if (s.values.length !== o.categories.length) throw new RangeError(`barChart: series '${s.name}' has ${s.values.length} values for ${o.categories.length} categories`);
  }
  const legendWidth = Math.min(260, 40 + Math.max(0, ...o.series.map((s) => textWidth(s.name))));
  const area: PlotArea = { left: 70, top: o.subtitle ? 56 : 44, right: width - legendWidth - 16, bottom: height - 52 };
  const vals = o.series.flatMap((s) => s.values.filter(Number.isFinite));
  const yt = niceTicks(Math.min(0, ...vals), Math.max(0, ...vals), 6);
  const sy = linearScale([yt.min, yt.max], [area.bottom, area.top]);
  const band = (area.right - area.left) / Math.max(1, o.categories.length);
  const inner = band * 0.8;
  const barW = inner / Math.max(1, o.series.length);
  const series = o.series.map((s, i) => {
    const color = s.color ?? seriesColor(i);
    return el(
      'g',
      { class: 'series', 'data-series': s.name, fill: color },
      s.values.map((v, c) => {
        if (!Number.isFinite(v)) return '';
        const x = area.left + c * band + (band - inner) / 2 + i * barW;
        const y0 = sy(0);
        const y1 = sy(v);
        return el('rect', { x, y: Math.min(y0, y1), width: Math.max(1, barW - 1), height: Math.max(0.5, Math.abs(y1 - y0)) }, el('title', {}, esc(`${s.name} · ${o.categories[c]}: ${v.toPrecision(4)}`)));
      }),
    );
  });
  const body = [
    titles(width, o.title, o.subtitle),
    axes(
      area,
      { ticks: o.categories.map((c, k) => ({ at: area.left + (k + 0.5) * band, label: c })), label: o.xLabel },
      { ticks: yt.ticks.map((v) => ({ at: sy(v), label: formatTick(v, yt.step) })), label: o.yLabel },
    ),
    el('line', { x1: area.left, x2: area.right, y1: fmt(sy(0)), y2: fmt(sy(0)), stroke: '#555' }),
    el('g', { class: 'plot' }, series),
    legend(area.right + 16, area.top + 8, o.series.map((s, i) => ({ name: s.name, color: s.color ?? seriesColor(i), shape: 'box' as const }))),
  ];
  return svgDocument({ width, height, title: o.title, desc: o.subtitle, body });
}
