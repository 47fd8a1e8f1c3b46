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
import { type EncoderBatch, type EncoderConfig, type EncoderModel, forward, type HeadKind, parseTapSite, resolveHead, type TapCollector, type TapInfo } from '@symfuse/models';
import type { CollectRequest, ModelBatch, ModelWeights, ProgressSink, StatCollector, StatsBundle } from '@symfuse/symmetry';
import { CrossMoments, keep, mulScalar, type Tensor, tidy } from '@symfuse/tensor';
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

/** Runs one forward pass and returns the wanted sites' rows (copied: the tap tensors are transient). */
function tapBatch(model: EncoderModel, batch: EncoderBatch, sites: ReadonlySet<string>, head: HeadKind): Map<string, Snapshot> {
  const out = new Map<string, Snapshot>();
  const taps: TapCollector = {
    wants: (site) => sites.has(site),
    collect(site: string, features: Tensor, info: TapInfo) {
      const [rows, dim] = features.shape;
      const host = features.backend.readSync(features.storage);
      if (host) {
        if (!(host instanceof Float32Array || host instanceof Float64Array)) {
          throw new Error(`correlation collector: site '${site}' carries ${features.dtype} features; expected f32 or f64`);
        }
        out.set(site, { rows, dim, positions: info.positions.slice(), host: host.slice() });
      } else {
        out.set(site, { rows, dim, positions: info.positions.slice(), device: keep(mulScalar(features, 1)) });
      }
    },
  };
  tidy(() => {
    forward(model, batch, { taps, head });
  });
  return out;
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

function toEncoderModel(m: ModelWeights, head: HeadKind): EncoderModel {
  return { config: m.config as EncoderConfig, params: new Map(m.params), head };
}

/**
 * Streams `batches` through both models and accumulates the anchor × model cross moments of every
 * site in `sites`.
 * @returns site → moments (the `into` map when given).
 * @throws Error when a site never fires, or the two models emit different rows for a site.
 */
export async function collectCorrelations(input: CorrelationCollectInput): Promise<Map<string, CrossMoments>> {
  const sites = new Set(input.sites);
  if (sites.size === 0) throw new Error('collectCorrelations: no sites requested');
  const head = headToRun(input.anchor, sites);
  const anchor = toEncoderModel(input.anchor, head);
  const model = toEncoderModel(input.model, head);
  const moments = input.into ?? new Map<string, CrossMoments>();
  const total = Array.isArray(input.batches) ? input.batches.length : 0;
  let done = 0;
  for await (const batch of input.batches as AsyncIterable<ModelBatch | EncoderBatch>) {
    const a = tapBatch(anchor, batch, sites, head);
    const b = tapBatch(model, batch, sites, head);
    try {
      for (const site of sites) {
        const sa = a.get(site);
        const sb = b.get(site);
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
      for (const s of [...a.values(), ...b.values()]) s.device?.dispose();
    }
    done++;
    input.progress?.({ stage: 'correlation', done, total: Math.max(total, done) });
  }
  return moments;
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
  return {
    id: 'correlation',
    kind: CORRELATION_KIND,
    pairwise: true,
    layout: 'pairwise',
    async collect(request: CollectRequest): Promise<StatsBundle> {
      if (!request.reference) throw new Error("correlation collector: pairwise statistics need the anchor as 'reference'; none was given");
      const opts = (request.options ?? {}) as CorrelationCollectorOptions;
      if (opts.sites !== undefined && (!Array.isArray(opts.sites) || opts.sites.some((s) => typeof s !== 'string'))) {
        throw new Error(`correlation collector: option 'sites' = ${JSON.stringify(opts.sites)}; expected an array of tap site names`);
      }
      if (opts.precision !== undefined && opts.precision !== 'f32' && opts.precision !== 'f64') {
        throw new Error(`correlation collector: option 'precision' = ${JSON.stringify(opts.precision)}; expected 'f32' or 'f64'`);
      }
      const sites = opts.sites ?? defaultCorrelationSites(request.spec);
      let batches = 0;
      // Arrays pass through (progress then knows the total); other iterables are counted on the way.
      const input = Array.isArray(request.batches) ? ((batches = request.batches.length), request.batches) : countBatches(request.batches, () => batches++);
      const moments = await collectCorrelations({ anchor: request.reference, model: request.model, batches: input, sites, precision: opts.precision, progress: request.progress });
      return correlationBundle(moments, { anchor: request.reference.id ?? 'anchor', model: request.model.id ?? 'model', batches, precision: opts.precision ?? 'f32' });
    },
    combine: combineCorrelationBundles,
  };
}

async function* countBatches<T>(batches: AsyncIterable<T> | Iterable<T>, tick: () => void): AsyncIterable<T> {
  for await (const b of batches) {
    tick();
    yield b;
  }
}
