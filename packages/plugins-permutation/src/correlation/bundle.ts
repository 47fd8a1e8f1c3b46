/**
 * The `correlation` statistics bundle: per tap site, the mergeable sufficient statistics of the
 * anchor's features X `[n, p]` and the model's features Y `[n, q]` on the same tokens (a
 * `CrossMoments` of `@symfuse/tensor`), stored as named f64 entries so a bundle can be saved, shipped
 * and combined with bundles of other shards.
 *
 * Entry names are `<site>/<field>` with the fields of {@link CORRELATION_FIELDS}:
 * - `count` `[1]`: number of tokens n;
 * - `anchor-mean` `[p]`, `model-mean` `[q]`: feature means;
 * - `cross-moment` `[p, q]`: `Σ (x − μx)(y − μy)ᵀ` (row = anchor feature, column = model feature);
 * - `anchor-m2` `[p]`, `model-m2` `[q]`: `Σ (x − μx)²` per feature.
 *
 * @see ALGORITHMS.md "Correlation matching".
 */
import { CrossMoments } from '@symfuse/tensor';
import type { StatEntry, StatsBundle } from '@symfuse/symmetry';

/** The statistics kind (what aligners declare in `needs`). */
export const CORRELATION_KIND = 'correlation';

/** Field names of one site's entries (`<site>/<field>`). */
export const CORRELATION_FIELDS = {
  count: 'count',
  anchorMean: 'anchor-mean',
  modelMean: 'model-mean',
  crossMoment: 'cross-moment',
  anchorM2: 'anchor-m2',
  modelM2: 'model-m2',
} as const;

const FIELD_NAMES: readonly string[] = Object.values(CORRELATION_FIELDS);

/** The entry name of `field` of `site`. */
export function correlationEntryName(site: string, field: (typeof CORRELATION_FIELDS)[keyof typeof CORRELATION_FIELDS]): string {
  return `${site}/${field}`;
}

/**
 * A bundle holding `moments` (site → anchor × model cross moments). The arrays are copied, so later
 * updates of `moments` do not change the bundle.
 */
export function correlationBundle(moments: ReadonlyMap<string, CrossMoments>, meta: Readonly<Record<string, string | number>> = {}): StatsBundle {
  const entries = new Map<string, StatEntry>();
  let tokens = 0;
  for (const [site, m] of moments) {
    const f = CORRELATION_FIELDS;
    entries.set(correlationEntryName(site, f.count), { shape: [1], data: Float64Array.of(m.count) });
    entries.set(correlationEntryName(site, f.anchorMean), { shape: [m.p], data: m.meanX.slice() });
    entries.set(correlationEntryName(site, f.modelMean), { shape: [m.q], data: m.meanY.slice() });
    entries.set(correlationEntryName(site, f.crossMoment), { shape: [m.p, m.q], data: m.cross.slice() });
    entries.set(correlationEntryName(site, f.anchorM2), { shape: [m.p], data: m.m2X.slice() });
    entries.set(correlationEntryName(site, f.modelM2), { shape: [m.q], data: m.m2Y.slice() });
    tokens = Math.max(tokens, m.count);
  }
  // `tokens`: rows of the token-level sites (head sites see one row per sequence).
  return { kind: CORRELATION_KIND, meta: { ...meta, tokens }, entries };
}

/** The sites a correlation bundle holds, in entry order. */
export function correlationSites(bundle: StatsBundle): string[] {
  const sites: string[] = [];
  const seen = new Set<string>();
  for (const name of bundle.entries.keys()) {
    const cut = name.lastIndexOf('/');
    const site = cut < 0 ? name : name.slice(0, cut);
    if (!seen.has(site)) {
      seen.add(site);
      sites.push(site);
    }
  }
  return sites;
}

function entry(bundle: StatsBundle, site: string, field: string, length: number | undefined): StatEntry {
  const e = bundle.entries.get(`${site}/${field}`);
  if (!e) {
    const sites = correlationSites(bundle);
    throw new Error(
      `correlation statistics: entry '${site}/${field}' is missing; the bundle has sites ${sites.length ? sites.join(', ') : '(none)'} — collect the site with the correlation collector (option 'sites')`,
    );
  }
  if (length !== undefined && e.data.length !== length) {
    throw new Error(`correlation statistics: entry '${site}/${field}' has ${e.data.length} values (shape [${e.shape.join(', ')}]); expected ${length}`);
  }
  return e;
}

/** Rebuilds the `CrossMoments` of `site` from a bundle (a fresh object, safe to merge into). */
export function momentsOfSite(bundle: StatsBundle, site: string): CrossMoments {
  if (bundle.kind !== CORRELATION_KIND) throw new Error(`correlation statistics: bundle has kind '${bundle.kind}'; expected '${CORRELATION_KIND}'`);
  const f = CORRELATION_FIELDS;
  const mx = entry(bundle, site, f.anchorMean, undefined);
  const my = entry(bundle, site, f.modelMean, undefined);
  const p = mx.data.length;
  const q = my.data.length;
  const m = new CrossMoments(p, q);
  m.count = entry(bundle, site, f.count, 1).data[0];
  m.meanX.set(mx.data);
  m.meanY.set(my.data);
  m.cross.set(entry(bundle, site, f.crossMoment, p * q).data);
  m.m2X.set(entry(bundle, site, f.anchorM2, p).data);
  m.m2Y.set(entry(bundle, site, f.modelM2, q).data);
  return m;
}

/** Every site's `CrossMoments`. */
export function momentsFromBundle(bundle: StatsBundle): Map<string, CrossMoments> {
  for (const name of bundle.entries.keys()) {
    const cut = name.lastIndexOf('/');
    if (cut < 0 || !FIELD_NAMES.includes(name.slice(cut + 1))) {
      throw new Error(`correlation statistics: entry '${name}' is not '<site>/<field>' with a field among ${FIELD_NAMES.join(', ')}`);
    }
  }
  return new Map(correlationSites(bundle).map((s) => [s, momentsOfSite(bundle, s)]));
}

/** A dense anchor × model correlation matrix of one site. */
export interface CorrelationMatrix {
  readonly site: string;
  /** Anchor features p. */
  readonly rows: number;
  /** Model features q. */
  readonly cols: number;
  /** `[p, q]` row-major Pearson correlations; 0 for a feature with zero variance (never NaN). */
  readonly data: Float64Array;
  /** Tokens the statistics were computed on. */
  readonly count: number;
}

/** The correlation matrix `C_ij = corr(x_A,i, x_B,j)` of `site`. */
export function correlationMatrix(bundle: StatsBundle, site: string): CorrelationMatrix {
  const m = momentsOfSite(bundle, site);
  return { site, rows: m.p, cols: m.q, data: m.correlation(), count: m.count };
}

/**
 * Exactly combines bundles of disjoint shards of data (Chan et al.'s parallel update per site).
 * Every part must hold the same sites with the same feature counts; `meta.tokens` and `meta.batches`
 * are summed, `meta.shards` counts the parts, other meta comes from the first part.
 */
export function combineCorrelationBundles(parts: readonly StatsBundle[]): StatsBundle {
  if (parts.length === 0) throw new Error('correlation statistics: combine needs at least one bundle; got none');
  const first = momentsFromBundle(parts[0]);
  const sites = [...first.keys()];
  for (let k = 1; k < parts.length; k++) {
    const other = momentsFromBundle(parts[k]);
    const a = sites.join(', ');
    const b = [...other.keys()].join(', ');
    if (other.size !== first.size || sites.some((s) => !other.has(s))) {
      throw new Error(`correlation statistics: cannot combine shard ${k} (sites ${b || 'none'}) with shard 0 (sites ${a || 'none'}); every shard must hold the same sites`);
    }
    for (const s of sites) {
      const m = first.get(s)!;
      const o = other.get(s)!;
      if (m.p !== o.p || m.q !== o.q) {
        throw new Error(`correlation statistics: site '${s}' has ${o.p}×${o.q} features in shard ${k} but ${m.p}×${m.q} in shard 0`);
      }
      m.merge(o);
    }
  }
  const sum = (key: string) => parts.reduce((acc, p) => acc + (typeof p.meta[key] === 'number' ? (p.meta[key] as number) : 0), 0);
  const meta: Record<string, string | number> = { ...parts[0].meta, shards: parts.reduce((a, p) => a + (typeof p.meta.shards === 'number' ? p.meta.shards : 1), 0) };
  if (parts.every((p) => typeof p.meta.batches === 'number')) meta.batches = sum('batches');
  return correlationBundle(first, meta);
}
