/**
 * The correlation statistics collector (pairwise): runs the anchor and the model on the same batches
 * with activation taps and accumulates, per site, the cross moments of the anchor's features (rows)
 * and the model's features (columns) on every real token — padding excluded (the taps drop padding
 * rows), special tokens ([CLS], [SEP]) included. Memory is independent of the number of batches, and
 * bundles of disjoint shards combine exactly (`combine`).
 *
 * Runs on either backend: on the CPU the tapped features are copied during the tap call; on a device
 * backend they are copied on the device and read back (`await data()`) after the forward pass.
 * @see ALGORITHMS.md "Correlation matching".
 */
import { type EncoderBatch, type EncoderConfig, type HeadKind, parseTapSite, resolveHead } from '@symfuse/models';
import { type AccumulateRequest, type CollectRequest, type ModelBatch, type ModelWeights, type ProgressSink, type StatCollector, type StatsBundle, type TapAccumulator, type TapRole, type TapRowsInfo, collectWithAccumulator, runAccumulators } from '@symfuse/symmetry';
import { CrossMoments, keep, mulScalar, type Tensor } from '@symfuse/tensor';
import { CORRELATION_KIND, combineCorrelationBundles, correlationBundle } from './bundle.js';
import { defaultCorrelationSites } from './sites.js';

/** Inputs of {@link collectCorrelations}. */
export interface CorrelationCollectInput {
  /** Model A: its features are the rows of every correlation matrix. */
  readonly anchor: ModelWeights;
  /** Model B: its features are the columns. */
  readonly model: ModelWeights;
  readonly batches: AsyncIterable<ModelBatch | EncoderBatch> | Iterable<ModelBatch | EncoderBatch>;
  /** Tap sites to accumulate (see `@symfuse/models` taps). */
  readonly sites: readonly string[];
  /** Accumulate into these moments (site → moments), e.g. to continue a stream; default fresh ones. */
  readonly into?: Map<string, CrossMoments>;
  /**
   * Precision of each batch's cross product (batches always combine in f64): `f32` (default) runs
   * the f32 GEMM on centred rows, ≈ 10× faster on the CPU, relative error ≈ √rows·2⁻²⁴; `f64` is
   * exact up to f64 rounding (see `CrossMoments.updateArrays`).
   */
  readonly precision?: 'f32' | 'f64';
  readonly progress?: ProgressSink;
}

/** A tapped site's rows for one batch, as a host array or a device copy. */
interface Snapshot {
  readonly rows: number;
  readonly dim: number;
  readonly positions: Int32Array;
  host?: Float32Array | Float64Array;
  device?: Tensor;
}

/** The head to run: `none` when every wanted site lies in the encoder, else the model's head. */
function headToRun(model: ModelWeights, sites: ReadonlySet<string>): HeadKind {
  const config = model.config as EncoderConfig;
  const head = resolveHead(config, model.params.keys(), model.head as HeadKind | undefined);
  // The MLM vocabulary projection is the most expensive part of a forward pass and no encoder site
  // lies after it: run a head only when one of its own sites (pooled output…) is wanted.
  const inEncoder = (site: string) => {
    const p = parseTapSite(site);
    return p.kind !== 'linear-input' || p.layer !== undefined;
  };
  return [...sites].every(inEncoder) ? 'none' : head;
}

/** Copies a tapped site's rows (the tap tensor is transient): on the host, or as a kept device copy. */
function snapshot(site: string, features: Tensor, info: TapRowsInfo): Snapshot {
  const [rows, dim] = features.shape;
  const host = features.backend.readSync(features.storage);
  if (host) {
    if (!(host instanceof Float32Array || host instanceof Float64Array)) {
      throw new Error(`correlation collector: site '${site}' carries ${features.dtype} features; expected f32 or f64`);
    }
    return { rows, dim, positions: info.positions.slice(), host: host.slice() };
  }
  return { rows, dim, positions: info.positions.slice(), device: keep(mulScalar(features, 1)) };
}

async function hostRows(s: Snapshot): Promise<Float32Array | Float64Array> {
  if (s.host) return s.host;
  const t = s.device!;
  try {
    const data = await t.data();
    if (!(data instanceof Float32Array || data instanceof Float64Array)) throw new Error(`correlation collector: device features have dtype ${t.dtype}; expected f32 or f64`);
    return data;
  } finally {
    t.dispose();
  }
}

function sameRows(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Inputs of {@link correlationAccumulator}: {@link CorrelationCollectInput} without the data. */
export type CorrelationAccumulatorInput = Omit<CorrelationCollectInput, 'batches' | 'progress'>;

/**
 * The correlation statistics as a {@link TapAccumulator}: per batch it keeps the anchor's rows (role
 * `reference`) and the model's rows (role `model`) of every site, and at the end of the batch adds
 * their cross moments. `moments()` gives the running moments.
 */
export function correlationAccumulator(input: CorrelationAccumulatorInput): TapAccumulator & { moments(): Map<string, CrossMoments> } {
  const sites = new Set(input.sites);
  if (sites.size === 0) throw new Error('collectCorrelations: no sites requested');
  const head = headToRun(input.anchor, sites);
  const moments = input.into ?? new Map<string, CrossMoments>();
  const batch: Record<TapRole, Map<string, Snapshot>> = { reference: new Map(), model: new Map() };
  const dropBatch = () => {
    for (const s of [...batch.reference.values(), ...batch.model.values()]) s.device?.dispose();
    batch.reference.clear();
    batch.model.clear();
  };
  let batches = 0;
  return {
    head,
    wants: (_role, site) => sites.has(site),
    collect(role, site, features, info) {
      batch[role].set(site, snapshot(site, features, info));
    },
    async endBatch() {
      try {
        for (const site of sites) {
          const sa = batch.reference.get(site);
          const sb = batch.model.get(site);
          if (!sa || !sb) {
            throw new Error(`collectCorrelations: site '${site}' was not emitted by the ${sa ? 'model' : 'anchor'} (head '${head}'); known sites are those of @symfuse/models' tapSites()`);
          }
          if (sa.rows !== sb.rows || !sameRows(sa.positions, sb.positions)) {
            throw new Error(`collectCorrelations: site '${site}' has ${sa.rows} rows in the anchor but ${sb.rows} in the model (or at other positions); both must see the same tokens`);
          }
          const x = await hostRows(sa);
          const y = await hostRows(sb);
          sa.host = undefined;
          sb.host = undefined;
          let m = moments.get(site);
          if (!m) moments.set(site, (m = new CrossMoments(sa.dim, sb.dim)));
          m.updateArrays(x, y, sa.rows, input.precision ?? 'f32');
        }
      } finally {
        dropBatch();
      }
      batches++;
    },
    async finish() {
      return correlationBundle(moments, { anchor: input.anchor.id ?? 'anchor', model: input.model.id ?? 'model', batches, precision: input.precision ?? 'f32' });
    },
    moments: () => moments,
  };
}

/**
 * Streams `batches` through both models and accumulates the anchor × model cross moments of every
 * site in `sites`.
 * @returns site → moments (the `into` map when given).
 * @throws Error when a site never fires, or the two models emit different rows for a site.
 */
export async function collectCorrelations(input: CorrelationCollectInput): Promise<Map<string, CrossMoments>> {
  const { batches, progress, ...rest } = input;
  const acc = correlationAccumulator(rest);
  await runAccumulators([{ accumulator: acc, model: input.model, reference: input.anchor }], batches as Iterable<ModelBatch>, {
    ...(progress ? { progress: (e) => progress({ ...e, stage: 'correlation' }) } : {}),
  });
  return acc.moments();
}

/** Options read by the collector from `CollectRequest.options`. */
export interface CorrelationCollectorOptions {
  /** Sites to collect (default: every site the Verma–Elbayad aligner may read for the spec). */
  readonly sites?: readonly string[];
  /** Precision of each batch's cross product (see {@link CorrelationCollectInput.precision}); default `f32`. */
  readonly precision?: 'f32' | 'f64';
}

/**
 * The pairwise `correlation` collector (`id: 'correlation'`). `collect` needs `reference` (the
 * anchor); `options.sites` restricts the sites (default {@link defaultCorrelationSites}).
 */
export function correlationCollector(): StatCollector {
  const collector: StatCollector = {
    id: 'correlation',
    kind: CORRELATION_KIND,
    pairwise: true,
    layout: 'pairwise',
    accumulator(request: AccumulateRequest) {
      if (!request.reference) throw new Error("correlation collector: pairwise statistics need the anchor as 'reference'; none was given");
      const opts = (request.options ?? {}) as CorrelationCollectorOptions;
      if (opts.sites !== undefined && (!Array.isArray(opts.sites) || opts.sites.some((s) => typeof s !== 'string'))) {
        throw new Error(`correlation collector: option 'sites' = ${JSON.stringify(opts.sites)}; expected an array of tap site names`);
      }
      if (opts.precision !== undefined && opts.precision !== 'f32' && opts.precision !== 'f64') {
        throw new Error(`correlation collector: option 'precision' = ${JSON.stringify(opts.precision)}; expected 'f32' or 'f64'`);
      }
      return correlationAccumulator({ anchor: request.reference, model: request.model, sites: opts.sites ?? defaultCorrelationSites(request.spec), precision: opts.precision });
    },
    collect: (request: CollectRequest): Promise<StatsBundle> => collectWithAccumulator(collector, request),
    combine: combineCorrelationBundles,
  };
  return collector;
}
