/** Colours: a categorical palette for series and continuous scales for heatmaps. */

/** Okabe–Ito colours (distinguishable with common colour-vision deficiencies), then extra hues. */
export const SERIES_COLORS: readonly string[] = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442', '#8c564b', '#7f7f7f'];

/** The colour of series `i`. */
export function seriesColor(i: number): string {
  return SERIES_COLORS[i % SERIES_COLORS.length];
}

type Rgb = readonly [number, number, number];

function hex([r, g, b]: Rgb): string {
  const h = (v: number) => Math.round(Math.max(0, Math.min(255, v))).toString(16).padStart(2, '0');
  return `#${h(r)}${h(g)}${h(b)}`;
}

function ramp(stops: readonly Rgb[]): (t: number) => string {
  return (t) => {
    const x = Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0.5)) * (stops.length - 1);
    const i = Math.min(stops.length - 2, Math.floor(x));
    const f = x - i;
    const a = stops[i];
    const b = stops[i + 1];
    return hex([a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f]);
  };
}

/** Continuous colour scales on t ∈ [0, 1]. */
export const COLOR_SCALES = {
  /** Blue – white – red, for signed values such as correlations (0.5 = zero). */
  diverging: ramp([
    [33, 102, 172],
    [103, 169, 207],
    [209, 229, 240],
    [247, 247, 247],
    [253, 219, 199],
    [239, 138, 98],
    [178, 24, 43],
  ]),
  /** Viridis-like sequential scale. */
  sequential: ramp([
    [68, 1, 84],
    [59, 82, 139],
    [33, 145, 140],
    [94, 201, 98],
    [253, 231, 37],
  ]),
} as const;

/** Names of {@link COLOR_SCALES}. */
export type ColorScaleName = keyof typeof COLOR_SCALES;
