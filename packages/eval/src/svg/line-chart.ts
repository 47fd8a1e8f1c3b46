/**
 * Line charts with several series, a legend and numeric axes, e.g. loss or perplexity over λ for
 * several methods on one chart (Verma & Elbayad 2024 Fig. 3 and Fig. 7).
 */
import { axes, legend, type PlotArea, textWidth, titles } from './axes.js';
import { seriesColor } from './palette.js';
import { formatTick, linearScale, niceTicks } from './scale.js';
import { el, fmt, svgDocument } from './svg-doc.js';

/** One series: points (x[i], y[i]); non-finite y values break the line. */
export interface LineSeries {
  readonly name: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly color?: string;
  readonly dashed?: boolean;
}

/** Options of {@link lineChart}. */
export interface LineChartOptions {
  readonly title: string;
  readonly subtitle?: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly LineSeries[];
  readonly width?: number;
  readonly height?: number;
  /** Fixed y range (default: the data's, padded to nice ticks). */
  readonly yMin?: number;
  readonly yMax?: number;
  /** Draw a marker at each point (default true). */
  readonly markers?: boolean;
}

/**
 * Renders a line chart as an SVG document. Each series is a `<g class="series" data-series="name">`
 * holding its `<path>` (and markers), so tools and tests can find it by name.
 * @throws RangeError when a series has x and y of different lengths.
 */
export function lineChart(o: LineChartOptions): string {
  const width = o.width ?? 720;
  const height = o.height ?? 420;
  for (const s of o.series) if (s.x.length !== s.y.length) throw new RangeError(`lineChart: series '${s.name}' has ${s.x.length} x values and ${s.y.length} y values`);
  const legendWidth = Math.min(260, 40 + Math.max(0, ...o.series.map((s) => textWidth(s.name))));
  const area: PlotArea = { left: 70, top: o.subtitle ? 56 : 44, right: width - legendWidth - 16, bottom: height - 52 };
  const xs = o.series.flatMap((s) => s.x.filter(Number.isFinite));
  const ys = o.series.flatMap((s) => s.y.filter(Number.isFinite));
  const xt = niceTicks(xs.length ? Math.min(...xs) : 0, xs.length ? Math.max(...xs) : 1, 6);
  const yt = niceTicks(o.yMin ?? (ys.length ? Math.min(...ys) : 0), o.yMax ?? (ys.length ? Math.max(...ys) : 1), 6);
  const sx = linearScale([xt.min, xt.max], [area.left, area.right]);
  const sy = linearScale([yt.min, yt.max], [area.bottom, area.top]);
  const series = o.series.map((s, i) => {
    const color = s.color ?? seriesColor(i);
    let d = '';
    let pen = false;
    const marks: string[] = [];
    for (let k = 0; k < s.x.length; k++) {
      if (!Number.isFinite(s.x[k]) || !Number.isFinite(s.y[k])) {
        pen = false;
        continue;
      }
      const px = sx(s.x[k]);
      const py = sy(s.y[k]);
      d += `${pen ? 'L' : 'M'}${fmt(px)} ${fmt(py)}`;
      pen = true;
      if (o.markers !== false) marks.push(el('circle', { cx: px, cy: py, r: 2.8, fill: color }));
    }
    return el('g', { class: 'series', 'data-series': s.name }, [
      d ? el('path', { d, fill: 'none', stroke: color, 'stroke-width': 2, 'stroke-linejoin': 'round', 'stroke-dasharray': s.dashed ? '6 4' : undefined }) : '',
      ...marks,
    ]);
  });
  const body = [
    titles(width, o.title, o.subtitle),
    axes(
      area,
      { ticks: xt.ticks.map((v) => ({ at: sx(v), label: formatTick(v, xt.step) })), label: o.xLabel },
      { ticks: yt.ticks.map((v) => ({ at: sy(v), label: formatTick(v, yt.step) })), label: o.yLabel },
    ),
    el('g', { class: 'plot' }, series),
    legend(area.right + 16, area.top + 8, o.series.map((s, i) => ({ name: s.name, color: s.color ?? seriesColor(i), shape: 'line' as const, dashed: s.dashed }))),
  ];
  return svgDocument({ width, height, title: o.title, desc: o.subtitle, body });
}
