/** SVG charts rendered in Node without a browser: line charts, grouped bars, heatmaps; a validator. */
export { esc, fmt, el, text, svgDocument, CHART_FONT_FAMILY, type Attrs } from './svg-doc.js';
export { linearScale, niceStep, niceTicks, formatTick } from './scale.js';
export { SERIES_COLORS, seriesColor, COLOR_SCALES, type ColorScaleName } from './palette.js';
export { lineChart, type LineChartOptions, type LineSeries } from './line-chart.js';
export { barChart, type BarChartOptions, type BarSeries } from './bar-chart.js';
export { heatmap, type HeatmapOptions, type HeatmapPanel } from './heatmap.js';
export { parseSvg, findAll, seriesNames, type SvgNode } from './validate.js';
