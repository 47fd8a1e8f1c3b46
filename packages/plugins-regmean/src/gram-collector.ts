/**
 * The Gram statistics collector (kind `gram`): `G = XᵀX` over the input `X` `[n, in]` of every linear
 * layer (Q, K and V share one input and one Gram, stored under the query weight's name), real tokens
 * only (the taps drop padding rows), accumulated in f64 over a stream of batches.
 *
 * Entries are normalised by their row count by default (`G/n`, so models trained on different
 * amounts of data weigh alike); the counts are kept in the meta (`count.<weight name>`), so
 * unnormalised merging (`gramScale: 'sum'`) and exact combination of shards remain possible.
 * @see Jin et al. 2023, "Dataless Knowledge Fusion by Merging Weights of Language Models" (RegMean).
 */
import { type EncoderConfig, type EncoderModelType, type HeadKind, mlmHeadNames, resolveHead, TapSites } from '@symfuse/models';
import type { AccumulateRequest, CollectRequest, StatCollector, StatEntry, StatsBundle, TapAccumulator } from '@symfuse/symmetry';
import { collectWithAccumulator, combineMeta, inShard, paramsFingerprint, parseShard, shardLabel, shardOptionSchema, zodOptions } from '@symfuse/symmetry';
import { cast, keep, matmul, type Tensor } from '@symfuse/tensor';
import { gramF32 } from '@symfuse/tensor/gemm';
import { z } from 'zod';
import { gramSites } from './gram-sites.js';

/** The zod schema of the Gram collector's options. */
export const gramCollectOptionsSchema = z
  .object({
    /** `tokens`: each Gram divided by its row count (default); `none`: raw sums XᵀX. */
    normalize: z.enum(['tokens', 'none']).default('tokens'),
    /** `'i/n'` (1-based): only batches j with j mod n = i − 1. */
    shard: shardOptionSchema.optional(),
    /** A description of the data, recorded in the meta (e.g. `party:1853-1900 train`). */
    data: z.string().default(''),
    /**
     * Precision of each batch's product `XᵀX` on the CPU (batches are always summed in f64).
     * `f32` (default) runs the SIMD GEMM, ≈ 8× faster than f64 products, with a relative error of
     * about √rows·2⁻²⁴ per batch (≈ 2e-6 at 1024 rows): far below what a merge can notice.
     * `f64` gives sums exact up to f64 rounding, for reference work.
     */
    precision: z.enum(['f32', 'f64']).default('f32'),
  })
  .strict();

/** Options of the Gram collector (see {@link gramCollectOptionsSchema}). */
export type GramCollectOptions = z.output<typeof gramCollectOptionsSchema>;

const parseOptions = zodOptions(gramCollectOptionsSchema, {
  normalize: "'tokens' (default): Grams divided by their row count; 'none': raw sums XᵀX",
  shard: "'i/n' (1-based): collect only every n-th batch, starting with batch i − 1; combine the shards' files afterwards",
  data: 'a description of the data, recorded in the statistics meta',
  precision: "'f32' (default): each batch's XᵀX by the f32 GEMM, summed in f64; 'f64': f64 products (slower, exact up to f64 rounding)",
});

/** Running f64 sums `Σ XᵀX` and row counts per site. */
export class GramAccumulator {
  readonly sums = new Map<string, Float64Array>();
  readonly counts = new Map<string, number>();

  /** @param dims input size per site (the Gram of site s is `[dims(s), dims(s)]`). */
  constructor(readonly dims: ReadonlyMap<string, number>) {
    for (const [site, n] of dims) {
      this.sums.set(site, new Float64Array(n * n));
      this.counts.set(site, 0);
    }
  }

  /** Adds a batch's `XᵀX` (`[in, in]` row-major) computed over `rows` rows. */
  add(site: string, gram: ArrayLike<number>, rows: number): void {
    const s = this.sums.get(site);
    if (!s) throw new Error(`GramAccumulator: unknown site '${site}'`);
    if (gram.length !== s.length) throw new Error(`GramAccumulator: site '${site}' got ${gram.length} values; expected ${s.length}`);
    // Symmetrised while summing: a blocked f32 (or device) GEMM may round g[i,j] and g[j,i] apart,
    // and the merge's Cholesky wants an exactly symmetric matrix.
    // In 64×64 tiles, so that reading g[j, i] next to g[i, j] stays in cache (a row-by-row loop walks
    // a column of a 3072-wide matrix per row: 43 ms against 30 ms per site and batch, measured).
    const n = this.dims.get(site)!;
    const T = 64;
    for (let i0 = 0; i0 < n; i0 += T) {
      const i1 = Math.min(n, i0 + T);
      for (let j0 = 0; j0 <= i0; j0 += T) {
        for (let i = i0; i < i1; i++) {
          const j1 = Math.min(j0 + T, i);
          for (let j = j0; j < j1; j++) {
            const v = 0.5 * (gram[i * n + j] + gram[j * n + i]);
            s[i * n + j] += v;
            s[j * n + i] += v;
          }
        }
      }
    }
    for (let i = 0; i < n; i++) s[i * n + i] += gram[i * n + i];
    this.counts.set(site, this.counts.get(site)! + rows);
  }

  /** The entries: `Σ XᵀX / n` (`normalize`) or `Σ XᵀX`. */
  entries(normalize: boolean): Map<string, StatEntry> {
    const out = new Map<string, StatEntry>();
    for (const [site, s] of this.sums) {
      const n = this.dims.get(site)!;
      const c = this.counts.get(site)!;
      const data = normalize && c > 0 ? s.map((v) => v / c) : s.slice();
      out.set(site, { shape: [n, n], data });
    }
    return out;
  }
}

/**
 * One tapped input's `XᵀX`: on the host at once (CPU tensors), or as a kept device product to be
 * downloaded after the pass. With precision `f64`, f64 products on the CPU (exact sums of f32 inputs
 * up to f64 rounding); otherwise the product runs in the features' own precision — the symmetric f32
 * GEMM on the CPU (`gramF32`, half the flops of a full product), the device's matmul elsewhere — and
 * the batches are summed in f64 on the host. The streaming merge uses it too, so both sum the same numbers.
 */
export function gramOfTap(features: Tensor, precision: 'f32' | 'f64'): { host: Float32Array | Float64Array; device?: undefined } | { host?: undefined; device: Tensor } {
  const host = precision === 'f32' && features.dtype === 'f32' ? features.backend.readSync(features.storage) : undefined;
  if (host instanceof Float32Array && features.rank === 2 && host.length === features.size) {
    const [rows, cols] = features.shape;
    return { host: gramF32(rows, cols, host) };
  }
  const x = precision === 'f64' && features.backend.name === 'cpu' && features.dtype !== 'f64' ? cast(features, 'f64') : features;
  const g = keep(matmul(x, x, { transA: true }));
  if (x !== features) x.dispose();
  const onHost = g.backend.readSync(g.storage);
  if (onHost instanceof Float32Array || onHost instanceof Float64Array) {
    const copy = onHost.slice();
    g.dispose();
    return { host: copy };
  }
  return { device: g };
}

/**
 * The Gram statistics of `request.model` as a {@link TapAccumulator} (options as for the collector).
 * For an MLM model the input of the head's transform is the encoder output at every position, so the
 * encoder runs without the head (`encoder.output` stands for that site) and the vocabulary projection,
 * the costliest part of a small model's forward, is skipped.
 * @throws Error when the options are invalid or a linear weight is missing.
 */
export function gramAccumulator(request: AccumulateRequest): TapAccumulator {
  let options: GramCollectOptions;
  try {
    options = parseOptions.parse(request.options);
  } catch (e) {
    throw new Error(`gram collector options: ${(e as Error).message}`);
  }
  const shard = parseShard(options.shard);
  const config = request.model.config as EncoderConfig;
  const params = request.model.params instanceof Map ? (request.model.params as Map<string, Tensor>) : new Map(request.model.params);
  const head = resolveHead(config, params.keys(), request.model.head as HeadKind | undefined);
  const dims = new Map<string, number>();
  for (const site of gramSites(config, head)) {
    const w = params.get(site);
    if (!w || w.rank !== 2) throw new Error(`gram collector: linear weight '${site}' is ${w ? `of shape [${w.shape.join(', ')}]` : 'missing'}; expected [out, in]`);
    dims.set(site, w.shape[1]);
  }
  const acc = new GramAccumulator(dims);
  const mlmDense = head === 'mlm' ? mlmHeadNames(config.modelType as EncoderModelType).dense.weight : undefined;
  const siteOf = (site: string) => (mlmDense !== undefined && site === TapSites.encoderOutput ? mlmDense : site);
  let pending: { site: string; g: Tensor; rows: number }[] = [];
  let streamLength = 0;
  let batches = 0;
  let tokens = 0;
  return {
    head: mlmDense !== undefined ? 'none' : head,
    accepts(index) {
      streamLength = Math.max(streamLength, index + 1);
      return inShard(index, shard);
    },
    wants: (role, site) => role === 'model' && acc.dims.has(siteOf(site)),
    collect(_role, site, features, info) {
      const g = gramOfTap(features, options.precision);
      if (g.host) acc.add(siteOf(site), g.host, info.rows);
      else pending.push({ site: siteOf(site), g: g.device, rows: info.rows });
    },
    async endBatch(_index, batch) {
      // One wait per batch: device Grams (WebGPU) are downloaded together.
      const grams = await Promise.all(pending.map(({ g }) => g.data()));
      pending.forEach(({ site, g, rows }, k) => {
        acc.add(site, grams[k], rows);
        g.dispose();
      });
      pending = [];
      if (batch.mask) for (let i = 0; i < batch.mask.length; i++) tokens += batch.mask[i] !== 0 ? 1 : 0;
      else tokens += batch.batch * batch.seqLen;
      batches++;
    },
    async finish() {
      if (batches === 0) throw new Error(`gram collector: no batch${shard ? ` in shard ${shardLabel(shard)}` : ''} (${streamLength} batches in the stream)`);
      const meta: Record<string, string | number> = {
        architecture: request.spec.architecture,
        ...(request.model.id !== undefined ? { model: request.model.id } : {}),
        fingerprint: await paramsFingerprint(params),
        data: options.data,
        normalization: options.normalize,
        precision: options.precision,
        tokens,
        batches,
      };
      for (const [site, c] of acc.counts) meta[`count.${site}`] = c;
      if (shard) meta.shard = shardLabel(shard);
      return { kind: 'gram', meta, entries: acc.entries(options.normalize === 'tokens') };
    },
  };
}

/**
 * Collects the Grams of `request.model` over `request.batches` (streamed: memory independent of the
 * number of batches).
 * @throws Error when the options are invalid or the shard holds no batch.
 */
export function collectGrams(request: CollectRequest): Promise<StatsBundle> {
  return collectWithAccumulator(gramCollector(), request);
}

/**
 * Exactly combines Gram bundles of disjoint shards of one collection: sums, or count-weighted means
 * of normalised Grams (`Σ n_k G_k / Σ n_k`).
 * @throws Error naming the entry or meta key that differs between parts.
 */
export function combineGrams(parts: readonly StatsBundle[]): StatsBundle {
  const meta = combineMeta(parts, ['tokens', 'batches']);
  if (parts[0].kind !== 'gram') throw new Error(`combineGrams: parts hold '${parts[0].kind}' statistics; expected 'gram'`);
  const normalized = meta.normalization !== 'none';
  const names = [...parts[0].entries.keys()];
  const entries = new Map<string, StatEntry>();
  parts.forEach((p, k) => {
    const extra = [...p.entries.keys()].filter((n) => !parts[0].entries.has(n));
    const missing = names.filter((n) => !p.entries.has(n));
    if (extra.length || missing.length) throw new Error(`combineGrams: part ${k} has entries ${missing.length ? `without '${missing[0]}'` : `with an extra '${extra[0]}'`} compared with part 0`);
  });
  for (const name of names) {
    const shape = parts[0].entries.get(name)!.shape;
    const out = new Float64Array(parts[0].entries.get(name)!.data.length);
    let total = 0;
    parts.forEach((p, k) => {
      const e = p.entries.get(name)!;
      if (e.data.length !== out.length || e.shape.join() !== shape.join()) throw new Error(`combineGrams: entry '${name}' of part ${k} has shape [${e.shape.join(', ')}]; part 0 has [${shape.join(', ')}]`);
      const c = Number(p.meta[`count.${name}`] ?? NaN);
      if (normalized && !(c >= 0)) throw new Error(`combineGrams: part ${k} has no row count 'count.${name}' for its normalised Gram`);
      const w = normalized ? c : 1;
      total += c;
      for (let i = 0; i < out.length; i++) out[i] += w * e.data[i];
    });
    if (normalized && total > 0) for (let i = 0; i < out.length; i++) out[i] /= total;
    entries.set(name, { shape: [...shape], data: out });
  }
  return { kind: 'gram', meta, entries };
}

/** The Gram collector of the registry (id and kind `gram`, entries under linear weight names). */
export function gramCollector(): StatCollector {
  return {
    id: 'gram',
    kind: 'gram',
    pairwise: false,
    layout: 'linear-input-gram',
    accumulator: gramAccumulator,
    collect: collectGrams,
    combine: combineGrams,
  };
}
