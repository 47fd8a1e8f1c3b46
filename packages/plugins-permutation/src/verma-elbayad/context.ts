/**
 * Bookkeeping of one Verma–Elbayad run: the correlation matrices (computed once per site), the
 * trace, the solve records, the Fig. 4 / Fig. 5 diagnostics, timings and warnings.
 */
import type { AlignRequest, Solver, SymmetrySpec, TraceEvent } from '@symfuse/symmetry';
import { CORRELATION_KIND, type CorrelationMatrix, correlationMatrix } from '../correlation/bundle.js';
import { meanMatchedCorrelation, permuteColumns, type SiteCorrelation, type SiteCorrelationMatrices } from '../diagnostics.js';
import type { VermaElbayadOptions } from './options.js';

/** One assignment the aligner solved, for reports. */
export interface SolveRecord {
  /** Space id (`a+b` for the QK and VO spaces of a layer solved together). */
  readonly space: string;
  /** Site(s) the similarity came from (`a+b` when summed). */
  readonly site: string;
  /** `ffn`, `head`, `mha-head-perm`, `mha-monotonic`, `mha-ignore-heads`, `residual-<strategy>`. */
  readonly step: string;
  /** Features n of the `n×n` problem (head-perm: h² inner `d_k×d_k` problems and one `h×h`). */
  readonly size: number;
  /** Σ of the correlations matched by the identity / by the solution. */
  readonly objectiveBefore: number;
  readonly objectiveAfter: number;
  readonly ms: number;
}

/** State shared by the parts of one alignment. */
export class AlignContext {
  readonly trace: TraceEvent[] = [];
  readonly solves: SolveRecord[] = [];
  readonly sites: SiteCorrelation[] = [];
  readonly matrices: Record<string, SiteCorrelationMatrices> = {};
  readonly warnings: string[] = [];
  readonly perLayerMs: Record<string, number> = {};
  private readonly cache = new Map<string, CorrelationMatrix>();

  constructor(
    readonly request: AlignRequest<VermaElbayadOptions>,
    readonly options: VermaElbayadOptions,
  ) {}

  get spec(): SymmetrySpec {
    return this.request.spec;
  }

  get solver(): Solver {
    return this.request.solver;
  }

  /**
   * The `[size, size]` correlation matrix of `site`.
   * @throws Error when the statistics are absent, lack the site, or have another size than `what`.
   */
  correlation(site: string, size: number, what: string): CorrelationMatrix {
    let c = this.cache.get(site);
    if (!c) {
      const bundle = this.request.stats.get(CORRELATION_KIND);
      if (!bundle) {
        const have = [...this.request.stats.keys()];
        throw new Error(`verma-elbayad: needs pairwise '${CORRELATION_KIND}' statistics (anchor × model) but the request has ${have.length ? have.join(', ') : 'none'}`);
      }
      c = correlationMatrix(bundle, site);
      this.cache.set(site, c);
    }
    if (c.rows !== size || c.cols !== size) {
      throw new Error(`verma-elbayad: site '${site}' has ${c.rows}×${c.cols} correlations but ${what} has size ${size}; were the statistics collected for these models?`);
    }
    return c;
  }

  /** Records Fig. 4 numbers (and, when asked, Fig. 5 matrices) of a site aligned by `perm`. */
  report(c: CorrelationMatrix, spaceIds: readonly string[], perm: Int32Array, exact: boolean): void {
    this.sites.push({
      site: c.site,
      spaces: spaceIds,
      features: c.rows,
      count: c.count,
      meanDiagBefore: meanMatchedCorrelation(c.data, c.rows, c.cols),
      meanDiagAfter: meanMatchedCorrelation(c.data, c.rows, c.cols, perm),
      exact,
    });
    const want = this.options.correlationMatrices;
    if (want === true || (Array.isArray(want) && want.includes(c.site))) {
      this.matrices[c.site] = { rows: c.rows, cols: c.cols, before: c.data.slice(), after: permuteColumns(c.data, c.rows, c.cols, perm) };
    }
  }

  /** Records a solve in the trace, the solve list and the per-layer timings. */
  record(r: SolveRecord, layer: number | undefined, detail: Readonly<Record<string, unknown>> = {}): void {
    this.solves.push(r);
    this.trace.push({ space: r.space, step: r.step, objectiveBefore: r.objectiveBefore, objectiveAfter: r.objectiveAfter, ms: r.ms, detail: { site: r.site, size: r.size, ...detail } });
    const key = layer === undefined ? 'other' : String(layer);
    this.perLayerMs[key] = (this.perLayerMs[key] ?? 0) + r.ms;
  }
}
