/**
 * The streaming path of the BERT merge (post-LN BERT, Verma–Elbayad FFN + head-perm attention with the
 * residual stream left as it is, RegMean), layer by layer: the hidden states of both models over the
 * statistics tokens are kept (`[tokens, d]` each); for each layer its weights are read from the two
 * checkpoints tensor by tensor, the layer runs on both hidden states while its correlation moments and
 * Grams accumulate in place, its permutations are solved, applied to model B's layer, the layer is
 * merged (RegMean for linear weights, the mean otherwise), written to its place in the output file and
 * freed. Peak memory is then one layer's weights and statistics plus the hidden states — independent of
 * the layer count — instead of two whole models plus all their statistics.
 *
 * It calls the same plugin code as `runPipeline` (the Verma–Elbayad aligner on one layer's spaces,
 * `applyTransform`, `transformStatsBundle`, `regmeanLinear`, `weightedMean`), so its result equals the
 * pipeline's (checked at small size by `bench/e2e/bert-base.ts --smoke --streaming-merge`). What it
 * needs from the packages, and does not have as public API, is listed in the bench README.
 */
import { type EncoderModelType, embeddingParamNames, layerParamNames, mlmHeadNames, openCheckpoint, type ModelConfig } from '@symfuse/models';
import { correlationBundle } from '@symfuse/plugins-permutation';
import { alphaFor, gramNameFor, regmeanLinear, regmeanParams, weightedMean } from '@symfuse/plugins-regmean';
import { type ModelBatch, type ModelWeights, type StatEntry, type SymmetryRegistry, type SymmetrySpec, applyTransform, hostF64, tensorLike, transformStatsBundle } from '@symfuse/symmetry';
import { CrossMoments, Rng, type Tensor, add, cast, fromHost, gather, layerNorm, matmul, tensor } from '@symfuse/tensor';
import { Releaser, activate, layerNormNamed, linear, param, selfAttentionContext } from '../../packages/models/src/model/layers.js';
import { StreamingSafetensorsWriter } from './safetensors-stream.js';

/** Inputs of {@link streamingMerge}. */
export interface StreamingMergeInput {
  readonly dirA: string;
  readonly dirB: string;
  /** The merged `model.safetensors` to write. */
  readonly outFile: string;
  readonly config: ModelConfig;
  readonly spec: SymmetrySpec;
  readonly registry: SymmetryRegistry;
  readonly batches: readonly ModelBatch[];
  readonly alpha: number;
  /** Called after each layer (memory probes, progress). */
  readonly onLayer?: (layer: number) => void;
}

/** Times of the streaming merge's parts, ms (summed over layers). */
export interface StreamingTimes {
  read: number;
  forwardAndStats: number;
  solves: number;
  assignment: number;
  apply: number;
  merge: number;
  write: number;
}

type Params = Map<string, Tensor>;

function readParams(reader: ReturnType<typeof openCheckpoint>, names: readonly string[]): Params {
  const out: Params = new Map();
  for (const n of names) {
    const t = reader.read(n);
    if (!(t.data instanceof Float32Array)) throw new Error(`streaming merge: '${n}' is ${t.dtype}; expected F32`);
    out.set(n, fromHost(t.data, t.shape));
  }
  return out;
}

function dispose(...maps: (Params | ReadonlyMap<string, Tensor>)[]): void {
  const seen = new Set<Tensor>();
  for (const m of maps) for (const t of m.values()) if (!seen.has(t)) {
    seen.add(t);
    t.dispose();
  }
}

/** `XᵀX` accumulated in f64 (the Gram collector's arithmetic: an f64 product per batch, summed). */
class Gram {
  readonly sum: Float64Array;
  count = 0;
  constructor(readonly n: number) {
    this.sum = new Float64Array(n * n);
  }
  add(x: Tensor): void {
    const x64 = cast(x, 'f64');
    const g = matmul(x64, x64, { transA: true });
    const d = g.dataSync();
    for (let i = 0; i < d.length; i++) this.sum[i] += d[i];
    g.dispose();
    x64.dispose();
    this.count += x.shape[0];
  }
  entry(): StatEntry {
    return { shape: [this.n, this.n], data: this.sum.map((v) => v / this.count) };
  }
}

function hostRows(t: Tensor): Float32Array {
  return (t.dataSync() as Float32Array).slice();
}

/** Post-LN BERT layer `l` on `x` `[rows, d]`, handing the tapped inputs to `tap`. Returns the layer output. */
function postLnLayer(config: ModelConfig, params: Params, l: number, x: Tensor, batch: ModelBatch, tap: (site: 'q' | 'ctx' | 'ffnIn' | 'act', t: Tensor) => void): Tensor {
  const r = new Releaser(false);
  const n = layerParamNames(config.modelType as EncoderModelType, l);
  const dims = { batch: batch.batch, seqLen: batch.seqLen, heads: config.numHeads, headDim: config.hiddenSize / config.numHeads };
  tap('q', x);
  const c = selfAttentionContext(x, params, n, undefined, dims, r);
  tap('ctx', c);
  const o = linear(c, param(params, n.attnOut.weight), param(params, n.attnOut.bias), r);
  c.dispose();
  const s = add(o, x);
  o.dispose();
  const xa = layerNormNamed(s, params, n.ln1, config.layerNormEps);
  s.dispose();
  tap('ffnIn', xa);
  const h = linear(xa, param(params, n.ffnIn.weight), param(params, n.ffnIn.bias), r);
  const a = activate(h, config.hiddenAct as Parameters<typeof activate>[1]);
  h.dispose();
  tap('act', a);
  const f = linear(a, param(params, n.ffnOut.weight), param(params, n.ffnOut.bias), r);
  a.dispose();
  const s2 = add(f, xa);
  f.dispose();
  xa.dispose();
  const out = layerNormNamed(s2, params, n.ln2, config.layerNormEps);
  s2.dispose();
  return out;
}

/** `LN(E_word[ids] + E_type[0] + E_pos[t])` for one batch → `[B·T, d]` (BERT positions from 0). */
function embed(config: ModelConfig, params: Params, batch: ModelBatch): Tensor {
  const e = embeddingParamNames(config.modelType as EncoderModelType);
  const rows = batch.batch * batch.seqLen;
  const pos = new Int32Array(rows);
  for (let i = 0; i < rows; i++) pos[i] = (i % batch.seqLen) + config.positionOffset;
  const idx = [tensor(Int32Array.from(batch.ids), [rows]), tensor(new Int32Array(rows), [rows]), tensor(pos, [rows])];
  const w = gather(params.get(e.word)!, idx[0], 0);
  const ty = gather(params.get(e.tokenType)!, idx[1], 0);
  const p = gather(params.get(e.position)!, idx[2], 0);
  const s1 = add(w, ty);
  const s2 = add(s1, p);
  const out = layerNorm(s2, params.get(e.ln.weight)!, params.get(e.ln.bias)!, config.layerNormEps);
  for (const t of [...idx, w, ty, p, s1, s2]) t.dispose();
  return out;
}

/**
 * Merges the two model directories layer by layer into `outFile` (see the module comment).
 * @returns the time of each part and the aligner's number of spaces.
 */
export async function streamingMerge(input: StreamingMergeInput): Promise<{ times: StreamingTimes; spaces: number }> {
  const { config, spec, registry, batches } = input;
  const t = config.modelType as EncoderModelType;
  const times: StreamingTimes = { read: 0, forwardAndStats: 0, solves: 0, assignment: 0, apply: 0, merge: 0, write: 0 };
  const clock = <T>(k: keyof StreamingTimes, fn: () => T): T => {
    const t0 = performance.now();
    const r = fn();
    times[k] += performance.now() - t0;
    return r;
  };
  const aligner = registry.aligner('verma-elbayad');
  const options = aligner.options.parse({ ffn: true, mha: 'head-perm', residual: 'identity' });
  const solver = registry.solver();
  const params = regmeanParams.parse({ alpha: input.alpha });
  const rA = openCheckpoint(input.dirA);
  const rB = openCheckpoint(input.dirB);
  const names = rA.keys();
  const writer = new StreamingSafetensorsWriter(input.outFile, names.map((name) => ({ name, shape: rA.info(name).shape })));
  const wrap = (p: Params): ModelWeights => ({ config, params: p, head: 'mlm' });
  const mean = async (pa: Params, pb: Params, name: string) => weightedMean([wrap(pa), wrap(pb)], name, [0, 1], [1, 1], 'streaming merge');
  const regmean = async (pa: Params, pb: Params, name: string, ga: StatEntry, gb: StatEntry): Promise<Tensor> => {
    const like = pa.get(name)!;
    const [out, n] = like.shape;
    const r = regmeanLinear({ weights: [await hostF64(like), await hostF64(pb.get(name)!)], grams: [ga.data, gb.data], alphas: [alphaFor(params, name, 0), alphaFor(params, name, 1)], out, in: n }, name);
    return tensorLike(r.weight, like);
  };
  const emit = (m: Params) => clock('write', () => {
    for (const [name, w] of m) writer.write(name, w.dataSync() as Float32Array);
  });
  let hA: Tensor[] = [];
  let hB: Tensor[] = [];
  let spaces = 0;
  try {
    // Embeddings: the residual stream is not permuted (residual 'identity'), so the mean.
    {
      const e = embeddingParamNames(t);
      const en = [e.word, e.position, e.tokenType, e.ln.weight, e.ln.bias];
      const pa = clock('read', () => readParams(rA, en));
      const pb = clock('read', () => readParams(rB, en));
      clock('forwardAndStats', () => {
        hA = batches.map((b) => embed(config, pa, b));
        hB = batches.map((b) => embed(config, pb, b));
      });
      const t0 = performance.now();
      const merged: Params = new Map();
      for (const name of en) merged.set(name, await mean(pa, pb, name));
      times.merge += performance.now() - t0;
      emit(merged);
      dispose(pa, pb, merged);
    }
    for (let l = 0; l < config.numLayers; l++) {
      const n = layerParamNames(t, l);
      const ln = [n.query, n.key, n.value, n.attnOut, n.ln1, n.ffnIn, n.ffnOut, n.ln2].flatMap((x) => [x.weight, x.bias]);
      const pa = clock('read', () => readParams(rA, ln));
      const pb = clock('read', () => readParams(rB, ln));
      const d = config.hiddenSize;
      const f = config.intermediateSize;
      const ctxM = new CrossMoments(d, d);
      const actM = new CrossMoments(f, f);
      const gA = { q: new Gram(d), ctx: new Gram(d), ffnIn: new Gram(d), act: new Gram(f) };
      const gB = { q: new Gram(d), ctx: new Gram(d), ffnIn: new Gram(d), act: new Gram(f) };
      clock('forwardAndStats', () => {
        for (let b = 0; b < batches.length; b++) {
          const kept: { ctx?: Float32Array; act?: Float32Array } = {};
          const outA = postLnLayer(config, pa, l, hA[b], batches[b], (site, x) => {
            gA[site].add(x);
            if (site === 'ctx' || site === 'act') kept[site] = hostRows(x);
          });
          const outB = postLnLayer(config, pb, l, hB[b], batches[b], (site, x) => {
            gB[site].add(x);
            if (site === 'ctx') ctxM.updateArrays(kept.ctx!, hostRows(x), x.shape[0]);
            if (site === 'act') actM.updateArrays(kept.act!, hostRows(x), x.shape[0]);
          });
          hA[b].dispose();
          hB[b].dispose();
          hA[b] = outA;
          hB[b] = outB;
        }
      });
      const ctxSite = `layer.${l}.attention.context`;
      const actSite = `layer.${l}.ffn.activation`;
      const layerSpaces = spec.spaces.filter((s) => s.layer === l && (s.component === 'ffn' || s.component === 'attention-qk' || s.component === 'attention-vo'));
      spaces += layerSpaces.length;
      const t0 = performance.now();
      const aligned = await aligner.align({
        spec,
        anchor: wrap(pa),
        model: wrap(pb),
        spaces: layerSpaces,
        options,
        stats: new Map([['correlation', correlationBundle(new Map([[ctxSite, ctxM], [actSite, actM]]))]]),
        solver,
        seed: new Rng(0).fork('model.0/align.0').seed,
      });
      times.solves += performance.now() - t0;
      times.assignment += aligned.trace.reduce((s, e) => s + (e.ms ?? 0), 0);
      const pb2 = clock('apply', () => applyTransform(spec, aligned.transform, pb));
      const gramsA = new Map<string, StatEntry>([[n.query.weight, gA.q.entry()], [n.attnOut.weight, gA.ctx.entry()], [n.ffnIn.weight, gA.ffnIn.entry()], [n.ffnOut.weight, gA.act.entry()]]);
      const gramsB = clock('apply', () => transformStatsBundle(spec, aligned.transform, { kind: 'gram', meta: {}, entries: new Map([[n.query.weight, gB.q.entry()], [n.attnOut.weight, gB.ctx.entry()], [n.ffnIn.weight, gB.ffnIn.entry()], [n.ffnOut.weight, gB.act.entry()]]) }, 'linear-input-gram').entries);
      const t1 = performance.now();
      const merged: Params = new Map();
      for (const name of ln) {
        const g = gramNameFor(name);
        merged.set(name, pa.get(name)!.rank === 2 && gramsA.has(g) ? await regmean(pa, pb2, name, gramsA.get(g)!, gramsB.get(g)!) : await mean(pa, pb2, name));
      }
      times.merge += performance.now() - t1;
      emit(merged);
      dispose(pa, pb, pb2, merged);
      input.onLayer?.(l);
    }
    // The MLM head: its dense layer reads the encoder output (RegMean with the final hidden states' Grams).
    {
      const h = mlmHeadNames(t);
      const hn = [h.dense.weight, h.dense.bias, h.ln.weight, h.ln.bias, h.bias].filter((x) => names.includes(x));
      const pa = clock('read', () => readParams(rA, hn));
      const pb = clock('read', () => readParams(rB, hn));
      const ga = new Gram(config.hiddenSize);
      const gb = new Gram(config.hiddenSize);
      clock('forwardAndStats', () => {
        for (const x of hA) ga.add(x);
        for (const x of hB) gb.add(x);
      });
      const t1 = performance.now();
      const merged: Params = new Map();
      for (const name of hn) merged.set(name, name === h.dense.weight ? await regmean(pa, pb, name, ga.entry(), gb.entry()) : await mean(pa, pb, name));
      times.merge += performance.now() - t1;
      emit(merged);
      dispose(pa, pb, merged);
    }
    clock('write', () => writer.close());
  } catch (e) {
    writer.abort();
    throw e;
  } finally {
    for (const x of [...hA, ...hB]) x.dispose();
    rA.close();
    rB.close();
  }
  return { times, spaces };
}
