/**
 * The statistics of one unit, gathered while the unit runs on one batch, with the arithmetic of the
 * packages' collectors so a streaming merge equals the in-memory pipeline:
 * - Grams (RegMean): each tapped input's `XᵀX` by the `gram` collector's `gramOfTap` (the symmetric f32 GEMM), added at once into the unit's f64
 *   `GramAccumulator` (the `gram` collector's default precision; the sum is in place, nothing is kept
 *   per batch);
 * - correlation rows (Verma–Elbayad): the real-token rows of the correlation sites are copied, to be
 *   paired with the anchor's rows of the same batch in `CrossMoments.updateArrays(…, 'f32')`, as the
 *   `correlation` collector does.
 */
import { type TapCollector, type TapInfo, TapSites } from '@symfuse/models';
import { type GramAccumulator, gramOfTap } from '@symfuse/plugins-regmean';
import { CrossMoments, type Tensor } from '@symfuse/tensor';

/** A site's rows of one batch (host copy). */
export interface SiteRows {
  readonly data: Float32Array | Float64Array;
  readonly rows: number;
  readonly dim: number;
  readonly positions: Int32Array;
}

/** A tap collector for one model, one unit and one batch. */
export class UnitTaps implements TapCollector {
  /** Correlation sites' rows, by site. */
  readonly rows = new Map<string, SiteRows>();

  /**
   * @param grams the model's accumulator of this unit (undefined: no Grams).
   * @param corrSites sites whose rows are kept for correlations.
   * @param mlmDense the MLM transform's weight name when its input (the encoder output) is a Gram site.
   */
  constructor(
    private readonly grams: GramAccumulator | undefined,
    private readonly corrSites: ReadonlySet<string>,
    private readonly mlmDense?: string,
  ) {}

  /** The Gram entry a tap site feeds (the `gram` collector's mapping: encoder output → MLM transform). */
  private gramSite(site: string): string | undefined {
    const s = this.mlmDense !== undefined && site === TapSites.encoderOutput ? this.mlmDense : site;
    return this.grams?.dims.has(s) ? s : undefined;
  }

  wants(site: string): boolean {
    return this.gramSite(site) !== undefined || this.corrSites.has(site);
  }

  collect(site: string, features: Tensor, info: TapInfo): void {
    const g = this.gramSite(site);
    if (g !== undefined) {
      // The gram collector's own product (CPU: the symmetric f32 GEMM), so the sums are identical.
      const product = gramOfTap(features, 'f32');
      if (!product.host) {
        product.device.dispose();
        throw new Error(`streaming merge: site '${site}' lives on the ${features.backend.name} backend; the streaming merge runs on the CPU`);
      }
      this.grams!.add(g, product.host, info.rows);
    }
    if (this.corrSites.has(site)) {
      const host = features.dataSync();
      if (!(host instanceof Float32Array || host instanceof Float64Array)) throw new Error(`streaming merge: site '${site}' carries ${features.dtype} features; expected f32 or f64`);
      this.rows.set(site, { data: host.slice(), rows: info.rows, dim: features.shape[1], positions: info.positions.slice() });
    }
  }
}

/**
 * Adds one batch's anchor × model rows of `site` to `moments` (created on first use).
 * @throws Error when a model did not emit the site or the two saw different tokens.
 */
export function addCorrelation(moments: Map<string, CrossMoments>, site: string, anchor: SiteRows | undefined, model: SiteRows | undefined): void {
  if (!anchor || !model) throw new Error(`streaming merge: correlation site '${site}' was not emitted by the ${anchor ? 'model' : 'anchor'}`);
  if (anchor.rows !== model.rows || anchor.positions.some((p, i) => p !== model.positions[i])) {
    throw new Error(`streaming merge: site '${site}' has ${anchor.rows} rows in the anchor but ${model.rows} in the model (or at other positions); both must see the same tokens`);
  }
  let m = moments.get(site);
  if (!m) moments.set(site, (m = new CrossMoments(anchor.dim, model.dim)));
  m.updateArrays(anchor.data, model.data, anchor.rows, 'f32');
}
