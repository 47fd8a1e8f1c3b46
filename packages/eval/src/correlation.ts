/**
 * Correlation diagnostics (Verma & Elbayad 2024, Fig. 4 and Fig. 5): the mean correlation between
 * anchor and model features of the same index, per site, before and after alignment, and the
 * correlation matrices themselves. Read from an aligner's `diagnostics` by shape (`sites`,
 * `correlationMatrices`), so any aligner that reports them in that form is supported.
 */
import { layerOfParamName } from './distance.js';

/** What a site measures. */
export type SiteKind = 'ffn' | 'attention' | 'residual' | 'head';

/** Fig. 4 numbers of one site. */
export interface SiteCorrelationSummary {
  /** Tap site, e.g. `layer.3.ffn.activation`. */
  readonly site: string;
  readonly kind: SiteKind;
  readonly layer?: number;
  readonly features: number;
  /** `mean_i C[i, i]` before alignment. */
  readonly meanBefore: number;
  /** `mean_i C[i, π(i)]` after alignment. */
  readonly meanAfter: number;
  /** False when the alignment was not a symmetry (the "after" value is a pure reordering then). */
  readonly exact: boolean;
}

/** Fig. 5 matrices of one site, `[rows, cols]` row-major (anchor features × model features). */
export interface CorrelationMatrixPair {
  readonly site: string;
  readonly rows: number;
  readonly cols: number;
  readonly before: Float64Array;
  readonly after: Float64Array;
}

/** The kind of a tap site from its name. */
export function siteKind(site: string): SiteKind {
  if (/\.ffn\./.test(site)) return 'ffn';
  if (/\.attention\.context$/.test(site)) return 'attention';
  if (/^embeddings\.|\.attention\.residual$|\.output$/.test(site)) return 'residual';
  return 'head';
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Fig. 4 rows from an aligner's diagnostics (empty when it reports none). */
export function correlationSites(diagnostics: unknown): SiteCorrelationSummary[] {
  if (!isObj(diagnostics) || !Array.isArray(diagnostics.sites)) return [];
  const out: SiteCorrelationSummary[] = [];
  for (const s of diagnostics.sites) {
    if (!isObj(s) || typeof s.site !== 'string' || typeof s.meanDiagBefore !== 'number' || typeof s.meanDiagAfter !== 'number') continue;
    const layer = layerOfParamName(`${s.site}.`);
    out.push({
      site: s.site,
      kind: siteKind(s.site),
      ...(layer !== undefined ? { layer } : {}),
      features: typeof s.features === 'number' ? s.features : 0,
      meanBefore: s.meanDiagBefore,
      meanAfter: s.meanDiagAfter,
      exact: s.exact !== false,
    });
  }
  return out;
}

/** Fig. 5 matrices from an aligner's diagnostics (empty when it returned none). */
export function correlationMatrixPairs(diagnostics: unknown): CorrelationMatrixPair[] {
  if (!isObj(diagnostics) || !isObj(diagnostics.correlationMatrices)) return [];
  const out: CorrelationMatrixPair[] = [];
  for (const [site, m] of Object.entries(diagnostics.correlationMatrices)) {
    if (!isObj(m) || !(m.before instanceof Float64Array) || !(m.after instanceof Float64Array)) continue;
    const rows = Number(m.rows);
    const cols = Number(m.cols);
    if (m.before.length !== rows * cols || m.after.length !== rows * cols) continue;
    out.push({ site, rows, cols, before: m.before, after: m.after });
  }
  return out;
}

/** `mean_i C[i, i]` over the leading `min(rows, cols)` rows of a row-major `[rows, cols]` matrix. */
export function meanDiagonal(c: ArrayLike<number>, rows: number, cols: number): number {
  const n = Math.min(rows, cols);
  if (n === 0) return 0;
  let s = 0;
  for (let i = 0; i < n; i++) s += c[i * cols + i];
  return s / n;
}

/** One row of the per-layer table: mean over the layer's sites of a kind. */
export interface LayerCorrelation {
  readonly layer: number;
  readonly kind: SiteKind;
  readonly meanBefore: number;
  readonly meanAfter: number;
}

/** Fig. 4: mean correlation per layer and site kind (sites without a layer are left out). */
export function correlationPerLayer(sites: readonly SiteCorrelationSummary[]): LayerCorrelation[] {
  const acc = new Map<string, { layer: number; kind: SiteKind; b: number; a: number; n: number }>();
  for (const s of sites) {
    if (s.layer === undefined) continue;
    const key = `${s.kind}/${s.layer}`;
    const cur = acc.get(key) ?? { layer: s.layer, kind: s.kind, b: 0, a: 0, n: 0 };
    cur.b += s.meanBefore;
    cur.a += s.meanAfter;
    cur.n++;
    acc.set(key, cur);
  }
  return [...acc.values()]
    .sort((p, q) => (p.kind === q.kind ? p.layer - q.layer : p.kind < q.kind ? -1 : 1))
    .map((v) => ({ layer: v.layer, kind: v.kind, meanBefore: v.b / v.n, meanAfter: v.a / v.n }));
}
