/** Shared chart furniture: plot area layout, axes with ticks and grid, titles and a legend. */
import { el, esc, text } from './svg-doc.js';

/** The plot area inside a chart. */
export interface PlotArea {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

/** Title (and subtitle) centred above the plot area. */
export function titles(width: number, title: string, subtitle?: string): string {
  return el('g', { class: 'titles' }, [
    text(width / 2, 22, title, { 'text-anchor': 'middle', 'font-size': 15, 'font-weight': 'bold' }),
    subtitle ? text(width / 2, 40, subtitle, { 'text-anchor': 'middle', 'font-size': 11, fill: '#555' }) : '',
  ]);
}

/** One axis tick: its position in chart coordinates and its label. */
export interface Tick {
  readonly at: number;
  readonly label: string;
}

/** Left (y) and bottom (x) axes with ticks, grid lines and axis labels. */
export function axes(area: PlotArea, x: { ticks: readonly Tick[]; label: string; grid?: boolean }, y: { ticks: readonly Tick[]; label: string; grid?: boolean }): string {
  const grid: string[] = [];
  if (y.grid !== false) for (const t of y.ticks) grid.push(el('line', { x1: area.left, x2: area.right, y1: t.at, y2: t.at }));
  if (x.grid) for (const t of x.ticks) grid.push(el('line', { x1: t.at, x2: t.at, y1: area.top, y2: area.bottom }));
  const xAxis = [
    el('line', { x1: area.left, x2: area.right, y1: area.bottom, y2: area.bottom }),
    ...x.ticks.map((t) => el('line', { x1: t.at, x2: t.at, y1: area.bottom, y2: area.bottom + 5 }) + text(t.at, area.bottom + 18, t.label, { 'text-anchor': 'middle', 'font-size': 11 })),
    text((area.left + area.right) / 2, area.bottom + 38, x.label, { 'text-anchor': 'middle', 'font-size': 12 }),
  ];
  const yMid = (area.top + area.bottom) / 2;
  const yAxis = [
    el('line', { x1: area.left, x2: area.left, y1: area.top, y2: area.bottom }),
    ...y.ticks.map((t) => el('line', { x1: area.left - 5, x2: area.left, y1: t.at, y2: t.at }) + text(area.left - 8, t.at + 4, t.label, { 'text-anchor': 'end', 'font-size': 11 })),
    text(16, yMid, y.label, { 'text-anchor': 'middle', 'font-size': 12, transform: `rotate(-90 16 ${Math.round(yMid)})` }),
  ];
  return el('g', { class: 'grid' }, grid) + el('g', { class: 'axis x-axis' }, xAxis) + el('g', { class: 'axis y-axis' }, yAxis);
}

/** A legend entry. */
export interface LegendEntry {
  readonly name: string;
  readonly color: string;
  readonly shape: 'line' | 'box';
  readonly dashed?: boolean;
}

/** A vertical legend starting at (x, y). */
export function legend(x: number, y: number, entries: readonly LegendEntry[]): string {
  return el(
    'g',
    { class: 'legend' },
    entries.map((e, i) => {
      const cy = y + i * 20;
      const mark =
        e.shape === 'line'
          ? el('line', { x1: x, x2: x + 22, y1: cy, y2: cy, stroke: e.color, 'stroke-width': 2.5, 'stroke-dasharray': e.dashed ? '6 4' : undefined })
          : el('rect', { x: x + 4, y: cy - 6, width: 14, height: 12, fill: e.color });
      return el('g', { class: 'legend-entry', 'data-series': e.name }, [mark, el('text', { x: x + 28, y: cy + 4, 'font-size': 12 }, esc(e.name))]);
    }),
  );
}

/** Approximate width of `s` in pixels at `size` (for layout without a font engine). */
export function textWidth(s: string, size = 12): number {
  return s.length * size * 0.58;
}
