/**
 * Heatmaps with a colour scale, one or several panels side by side sharing the scale — e.g. the
 * anchor × model correlation matrix before and after alignment (Verma & Elbayad 2024 Fig. 5).
 */
import { titles } from './axes.js';
import { COLOR_SCALES, type ColorScaleName } from './palette.js';
import { formatTick, linearScale, niceStep } from './scale.js';
import { el, svgDocument, text } from './svg-doc.js';

/** One panel: a row-major `[rows, cols]` matrix. */
export interface HeatmapPanel {
  readonly title: string;
  readonly values: ArrayLike<number>;
}

/** Options of {@link heatmap}. */
export interface HeatmapOptions {
  readonly title: string;
  readonly subtitle?: string;
  readonly rows: number;
  readonly cols: number;
  readonly panels: readonly HeatmapPanel[];
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** Value range of the colour scale (default: the data's; `diverging` centres it on 0). */
  readonly min?: number;
  readonly max?: number;
  readonly scale?: ColorScaleName;
  /**
   * Largest number of rows / columns drawn; a larger matrix shows its leading block (the subtitle
   * says so). Default 64, which keeps a file around 200 kB per panel.
   */
  readonly maxCells?: number;
  /** Side of a panel in pixels (default 300). */
  readonly panelSize?: number;
}

/**
 * Renders the panels as an SVG document. Each panel is a `<g class="panel" data-panel="title">` of
 * cell `<rect>`s; the colour bar is a `<g class="colorbar">`.
 * @throws RangeError when a panel's values do not fill `[rows, cols]`.
 */
export function heatmap(o: HeatmapOptions): string {
  const { rows, cols } = o;
  for (const p of o.panels) if (p.values.length !== rows * cols) throw new RangeError(`heatmap: panel '${p.title}' has ${p.values.length} values for [${rows}, ${cols}]`);
  const maxCells = o.maxCells ?? 64;
  const shownR = Math.min(rows, maxCells);
  const shownC = Math.min(cols, maxCells);
  const scaleName = o.scale ?? 'diverging';
  const color = COLOR_SCALES[scaleName];
  let lo = o.min;
  let hi = o.max;
  if (lo === undefined || hi === undefined) {
    let mn = Infinity;
    let mx = -Infinity;
    for (const p of o.panels) {
      for (let i = 0; i < shownR; i++) {
        for (let j = 0; j < shownC; j++) {
          const v = p.values[i * cols + j];
          if (Number.isFinite(v)) {
            mn = Math.min(mn, v);
            mx = Math.max(mx, v);
          }
        }
      }
    }
    if (!Number.isFinite(mn)) [mn, mx] = [0, 1];
    if (scaleName === 'diverging') {
      const m = Math.max(Math.abs(mn), Math.abs(mx)) || 1;
      [mn, mx] = [-m, m];
    }
    lo ??= mn;
    hi ??= mx;
  }
  const t = linearScale([lo, hi], [0, 1]);
  const size = o.panelSize ?? 300;
  const cell = size / Math.max(shownR, shownC);
  const top = o.subtitle || shownR < rows || shownC < cols ? 70 : 54;
  const left = 56;
  const gap = 40;
  const barX = left + o.panels.length * (shownC * cell + gap);
  const width = barX + 90;
  const height = top + shownR * cell + 56;
  const cropNote = shownR < rows || shownC < cols ? `leading ${shownR}×${shownC} block of ${rows}×${cols}` : undefined;
  const subtitle = [o.subtitle, cropNote].filter(Boolean).join(' · ') || undefined;
  const panels = o.panels.map((p, k) => {
    const x0 = left + k * (shownC * cell + gap);
    const cells: string[] = [];
    for (let i = 0; i < shownR; i++) {
      for (let j = 0; j < shownC; j++) {
        const v = p.values[i * cols + j];
        cells.push(el('rect', { x: x0 + j * cell, y: top + i * cell, width: cell, height: cell, fill: Number.isFinite(v) ? color(t(v)) : '#bbbbbb' }));
      }
    }
    return el('g', { class: 'panel', 'data-panel': p.title }, [
      text(x0 + (shownC * cell) / 2, top - 8, p.title, { 'text-anchor': 'middle', 'font-size': 12, 'font-weight': 'bold' }),
      el('g', { class: 'cells', 'shape-rendering': 'crispEdges' }, cells),
      el('rect', { x: x0, y: top, width: shownC * cell, height: shownR * cell, fill: 'none', stroke: '#555' }),
      o.xLabel ? text(x0 + (shownC * cell) / 2, top + shownR * cell + 20, o.xLabel, { 'text-anchor': 'middle', 'font-size': 11 }) : '',
      o.yLabel && k === 0 ? text(left - 14, top + (shownR * cell) / 2, o.yLabel, { 'text-anchor': 'middle', 'font-size': 11, transform: `rotate(-90 ${left - 14} ${Math.round(top + (shownR * cell) / 2)})` }) : '',
    ]);
  });
  // Colour bar: a vertical gradient from hi (top) to lo (bottom) with a few labelled ticks.
  const barH = shownR * cell;
  const stops = Array.from({ length: 11 }, (_, i) => el('stop', { offset: `${i * 10}%`, 'stop-color': color(1 - i / 10) }));
  const step = niceStep(hi - lo, 4);
  const ticks: string[] = [];
  const ty = linearScale([lo, hi], [top + barH, top]);
  for (let v = Math.ceil(lo / step) * step, n = 0; v <= hi + step * 1e-9 && n < 20; v += step, n++) {
    ticks.push(el('line', { x1: barX + 16, x2: barX + 20, y1: ty(v), y2: ty(v), stroke: '#555' }) + text(barX + 23, ty(v) + 4, formatTick(Math.abs(v) < step * 1e-9 ? 0 : v, step), { 'font-size': 10 }));
  }
  const bar = el('g', { class: 'colorbar' }, [
    el('defs', {}, el('linearGradient', { id: 'colorbar-gradient', x1: 0, x2: 0, y1: 0, y2: 1 }, stops)),
    el('rect', { x: barX, y: top, width: 16, height: barH, fill: 'url(#colorbar-gradient)', stroke: '#555' }),
    ...ticks,
  ]);
  return svgDocument({ width, height, title: o.title, desc: subtitle, body: [titles(width, o.title, subtitle), ...panels, bar] });
}
