/** Summaries over repeated runs (pairs of seeds, pairs of domains): mean and standard error. */

/** Mean, standard error of the mean and count. */
export interface MeanSe {
  readonly mean: number;
  /** Sample standard deviation / √n (0 for n = 1). */
  readonly se: number;
  readonly n: number;
}

/** Mean ± standard error of `xs` (NaN mean for an empty list). */
export function meanSe(xs: readonly number[]): MeanSe {
  const n = xs.length;
  if (n === 0) return { mean: Number.NaN, se: Number.NaN, n: 0 };
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  if (n === 1) return { mean, se: 0, n };
  const v = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  return { mean, se: Math.sqrt(v / n), n };
}

/** Per index mean ± SE of several equally long series. */
export function pointwise(series: readonly (readonly number[])[]): MeanSe[] {
  if (series.length === 0) return [];
  const len = series[0].length;
  for (const s of series) if (s.length !== len) throw new Error(`pointwise: series of lengths ${series.map((x) => x.length).join(', ')}; expected equal lengths`);
  return Array.from({ length: len }, (_, i) => meanSe(series.map((s) => s[i])));
}

/** A number with `digits` decimals (`–` for undefined / NaN). */
export function fixed(v: number | undefined, digits = 3): string {
  return v === undefined || Number.isNaN(v) ? '–' : v.toFixed(digits);
}

/** `mean ± se` with `digits` decimals. */
export function pm(m: MeanSe, digits = 3): string {
  return m.n === 0 ? '–' : m.n === 1 ? fixed(m.mean, digits) : `${fixed(m.mean, digits)} ± ${fixed(m.se, digits)}`;
}

/** All unordered pairs `[a, b]` with a < b of `items` (in order). */
export function pairs<T>(items: readonly T[]): [T, T][] {
  const out: [T, T][] = [];
  for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) out.push([items[i], items[j]]);
  return out;
}
