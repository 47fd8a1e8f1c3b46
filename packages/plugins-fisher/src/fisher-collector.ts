/**
 * The diagonal Fisher collector (kind `fisher`):
 * `F = E_x E_{y∼p_θ(y|x)} [(∇_θ log p_θ(y|x))²]`, one entry per parameter under its name, from
 * per-example gradients (one `valueAndGrad` per example and label — never the square of a batch
 * gradient), accumulated in f64.
 *
 * - Classification (`labels: 'model'`, default): the expectation over y is exact,
 *   `Σ_c p(c|x) (∇ log p(c|x))²` (one backward pass per class).
 * - MLM (`labels: 'model'`): an example is one sequence; positions are chosen with probability
 *   `maskRate` among real, non-special tokens (at least one; seeded per example) and replaced by
 *   `maskTokenId`; labels y_j are sampled from the model's prediction at each masked position and the
 *   gradient is that of `Σ_j log p(y_j|x)`. Its square is an unbiased estimate of the sum of the
 *   per-position Fishers (the cross terms vanish in expectation since `E_y ∇ log p(y) = 0`);
 *   `samples` draws per sequence are averaged.
 * - `labels: 'empirical'`: the gold labels (`batch.labels`; the original tokens for MLM) instead of
 *   the model's — the "empirical Fisher".
 *
 * Sampling depends only on `seed` and the example's index in the whole stream, so shards collect
 * exactly what one pass would. Runs on the parameters' backend (CPU, or a device such as WebGPU: the
 * gradients are read back once per example and accumulated on the host in f64). Entries are means
 * over examples by default (`normalize: 'examples'`), with the example count kept in the meta so
 * shards combine exactly.
 * @see Matena & Raffel 2022, "Merging Models with Fisher-Weighted Averaging"; ALGORITHMS.md "Merging".
 */
import { type EncoderBatch, type EncoderConfig, forward, forwardMlmAt, type HeadKind, resolveHead } from '@symfuse/models';
import {
  type CollectRequest,
  combineMeta,
  inShard,
  type ModelBatch,
  paramsFingerprint,
  parseShard,
  shardLabel,
  shardOptionSchema,
  type StatCollector,
  type StatEntry,
  type StatsBundle,
  zodOptions,
} from '@symfuse/symmetry';
import { logSoftmax, mul, oneHot, Rng, sum, type Tensor, tensor, tidy, valueAndGrad } from '@symfuse/tensor';
import { z } from 'zod';
import { choosePositions, type Example, sampleFromLogits, softmaxRow, splitExamples } from './examples.js';

/** The zod schema of the Fisher collector's options. */
export const fisherCollectOptionsSchema = z
  .object({
    /** `model` (default): y from the model (exact over classes; sampled for MLM); `empirical`: gold labels. */
    labels: z.enum(['model', 'empirical']).default('model'),
    /** `examples` (default): mean over examples; `none`: the sum. */
    normalize: z.enum(['examples', 'none']).default('examples'),
    /** MLM: label draws per sequence (averaged). */
    samples: z.number().int().min(1).default(1),
    /** MLM: probability that an eligible position is masked. */
    maskRate: z.number().gt(0).max(1).default(0.15),
    /** MLM: the [MASK] token id (required for an MLM head). */
    maskTokenId: z.number().int().min(0).optional(),
    /** MLM: token ids never masked ([CLS], [SEP], [PAD]…). */
    specialTokenIds: z.array(z.number().int().min(0)).default([]),
    seed: z.number().int().default(0),
    /** `'i/n'` (1-based): only batches j with j mod n = i − 1. */
    shard: shardOptionSchema.optional(),
    /** A description of the data, recorded in the meta. */
    data: z.string().default(''),
  })
  .strict();

/** Options of the Fisher collector (see {@link fisherCollectOptionsSchema}). */
export type FisherCollectOptions = z.output<typeof fisherCollectOptionsSchema>;

const parseOptions = zodOptions(fisherCollectOptionsSchema, {
  labels: "'model' (default): exact expectation over classes, sampled labels for MLM; 'empirical': gold labels",
  normalize: "'examples' (default): mean over examples; 'none': the sum",
  samples: 'MLM: label draws per sequence (default 1)',
  maskRate: 'MLM: probability that a real, non-special position is masked (default 0.15)',
  maskTokenId: 'MLM: the [MASK] token id (required for MLM models)',
  specialTokenIds: 'MLM: token ids that are never masked',
  seed: 'seed of the masking and label sampling (default 0)',
  shard: "'i/n' (1-based): collect only every n-th batch; combine the shards afterwards",
  data: 'a description of the data, recorded in the statistics meta',
});

/** `Σ_j log p(labels_j | row j)` of `[m, C]` logits: differentiable, a scalar. */
export function sumLogLikelihood(logits: Tensor, labels: Int32Array): Tensor {
  const [, c] = logits.shape;
  const idx = tensor(labels, [labels.length], { dtype: 'i32', backend: logits.backend });
  return sum(mul(logSoftmax(logits), oneHot(idx, c, logits.dtype)));
}

interface Model {
  readonly config: EncoderConfig;
  readonly params: Map<string, Tensor>;
  readonly head: HeadKind;
}

/** Running f64 sums of squared per-example gradients, per parameter. */
class FisherSums {
  readonly sums = new Map<string, Float64Array>();
  constructor(params: ReadonlyMap<string, Tensor>) {
    for (const [k, t] of params) this.sums.set(k, new Float64Array(t.size));
  }
  /**
   * Adds `w · g²` for every gradient. Host gradients are read in place; device gradients are
   * downloaded together (one wait for the whole example, not one per parameter).
   */
  async add(grads: ReadonlyMap<string, Tensor>, w: number): Promise<void> {
    const names = [...grads.keys()];
    const data = await Promise.all(names.map((k) => readNow(grads.get(k)!)));
    names.forEach((k, n) => {
      const acc = this.sums.get(k)!;
      const d = data[n];
      for (let i = 0; i < acc.length; i++) acc[i] += w * d[i] * d[i];
    });
  }
}

/** The host array of `t` without a copy when its backend is a host one, else a pending download. */
function readNow(t: Tensor): ArrayLike<number> | Promise<ArrayLike<number>> {
  return t.backend.readSync(t.storage) ?? t.data();
}

/**
 * True when the parameters can be read synchronously (the CPU). Then the labels that depend on the
 * model's own prediction are read inside the gradient pass, from its logits. A device backend
 * (WebGPU) cannot be read inside the (synchronous) gradient closure, so those logits come from an
 * extra forward pass without gradients, read back once per example before the gradient pass.
 */
function paramsOnHost(model: Model): boolean {
  const t = model.params.values().next().value as Tensor | undefined;
  return t === undefined || t.backend.readSync(t.storage) !== undefined;
}

/** Runs `logits` (inside `tidy`) and reads the result back (device path of {@link paramsOnHost}). */
async function logitsOnce(logits: () => Tensor): Promise<ArrayLike<number>> {
  const t = tidy(logits);
  try {
    return await t.data();
  } finally {
    t.dispose();
  }
}

/** `valueAndGrad` of `loss` w.r.t. every parameter, inside `tidy` so intermediates are freed. */
function gradients(model: Model, loss: () => Tensor): Map<string, Tensor> {
  return tidy(() => valueAndGrad(loss, model.params).grads);
}

function disposeAll(grads: Map<string, Tensor>): void {
  for (const g of grads.values()) g.dispose();
}

/** Classification: exact `Σ_c p_c g_c²`, or the gold label's `g²`. */
async function classifierExample(model: Model, ex: Example, labels: 'model' | 'empirical', acc: FisherSums, where: string): Promise<void> {
  const run = (c: number, capture?: (logits: ArrayLike<number>, classes: number) => void) => () => {
    const logits = forward(model, ex.batch, { head: 'classifier' }).logits!;
    capture?.(logits.dataSync(), logits.shape[1]);
    return sumLogLikelihood(logits, Int32Array.of(c));
  };
  if (labels === 'empirical') {
    if (ex.label === undefined) throw new Error(`${where}: empirical Fisher needs gold labels, but the batch of example ${ex.index} has none (batch.labels)`);
    const g = gradients(model, run(ex.label));
    await acc.add(g, 1);
    disposeAll(g);
    return;
  }
  let probs: Float64Array | undefined;
  const host = paramsOnHost(model);
  if (!host) {
    const l = await logitsOnce(() => forward(model, ex.batch, { head: 'classifier' }).logits!);
    probs = softmaxRow(l, 0, l.length);
  }
  const g0 = gradients(model, run(0, host ? (l, c) => (probs = softmaxRow(l, 0, c)) : undefined));
  await acc.add(g0, probs![0]);
  disposeAll(g0);
  for (let c = 1; c < probs!.length; c++) {
    if (probs![c] === 0) continue;
    const g = gradients(model, run(c));
    await acc.add(g, probs![c]);
    disposeAll(g);
  }
}

/** MLM: sampled (or gold) labels at seeded masked positions; returns the number of masked positions. */
async function mlmExample(model: Model, ex: Example, o: FisherCollectOptions, acc: FisherSums, rng: Rng): Promise<number> {
  const positions = choosePositions(ex, o.maskRate, new Set(o.specialTokenIds), rng);
  if (positions.length === 0) return 0;
  const ids = ex.batch.ids.slice();
  const gold = Int32Array.from(positions, (t) => ids[t]);
  for (const t of positions) ids[t] = o.maskTokenId!;
  const masked: EncoderBatch = { ...ex.batch, ids };
  const rows = Int32Array.from(positions);
  const draws = o.labels === 'empirical' ? 1 : o.samples;
  const sample = (l: ArrayLike<number>, v: number) => Int32Array.from(positions, (_, j) => sampleFromLogits(l, j, v, rng));
  // Device: the prediction the labels are drawn from, once (the same for every draw); the draws
  // consume the RNG in the same order as on the host, so both sample the same labels.
  const predicted = o.labels === 'model' && !paramsOnHost(model) ? await logitsOnce(() => forwardMlmAt(model, masked, rows).logits!) : undefined;
  for (let s = 0; s < draws; s++) {
    const drawn = predicted ? sample(predicted, predicted.length / rows.length) : undefined;
    const g = gradients(model, () => {
      const logits = forwardMlmAt(model, masked, rows).logits!;
      let y = drawn ?? gold;
      if (o.labels === 'model' && !drawn) y = sample(logits.dataSync(), logits.shape[1]);
      return sumLogLikelihood(logits, y);
    });
    await acc.add(g, 1 / draws);
    disposeAll(g);
  }
  return positions.length;
}

/**
 * Collects the diagonal Fisher of `request.model` (classifier or MLM head) over `request.batches`.
 * @throws Error for invalid options, a model without a task head, an MLM model without
 *   `maskTokenId`, empirical labels missing, or a shard without batches.
 */
export async function collectFisher(request: CollectRequest): Promise<StatsBundle> {
  const where = 'fisher collector';
  let o: FisherCollectOptions;
  try {
    o = parseOptions.parse(request.options);
  } catch (e) {
    throw new Error(`${where} options: ${(e as Error).message}`);
  }
  const shard = parseShard(o.shard);
  const config = request.model.config as EncoderConfig;
  const params = request.model.params instanceof Map ? (request.model.params as Map<string, Tensor>) : new Map(request.model.params);
  const head = resolveHead(config, params.keys(), request.model.head as HeadKind | undefined);
  if (head !== 'classifier' && head !== 'mlm') throw new Error(`${where}: the model's head is '${head}'; the Fisher of log p(y|x) needs a 'classifier' or 'mlm' head`);
  if (head === 'mlm' && o.maskTokenId === undefined) throw new Error(`${where}: an MLM model needs options.maskTokenId (the [MASK] id) to choose the positions whose predictions define the Fisher`);
  const model: Model = { config, params, head };
  const acc = new FisherSums(params);
  const root = new Rng(o.seed);
  let j = 0;
  let next = 0;
  let batches = 0;
  let examples = 0;
  let masked = 0;
  for await (const batch of request.batches as AsyncIterable<ModelBatch> | Iterable<ModelBatch>) {
    const first = next;
    next += batch.batch;
    if (inShard(j, shard)) {
      for (const ex of splitExamples(batch, first, `${where}: batch ${j}`)) {
        if (head === 'classifier') await classifierExample(model, ex, o.labels, acc, `${where}: batch ${j}`);
        else {
          const m = await mlmExample(model, ex, o, acc, root.fork(`example.${ex.index}`));
          if (m === 0) continue;
          masked += m;
        }
        examples++;
      }
      batches++;
      request.progress?.({ stage: 'fisher', done: batches, total: 0, detail: `batch ${j}, ${examples} examples` });
    }
    j++;
  }
  if (batches === 0) throw new Error(`${where}: no batch${shard ? ` in shard ${shardLabel(shard)}` : ''} (${j} batches in the stream)`);
  if (examples === 0) throw new Error(`${where}: no usable example in ${batches} batches (every sequence empty${head === 'mlm' ? ' or without a maskable token' : ''})`);
  const meta: Record<string, string | number> = {
    architecture: request.spec.architecture,
    ...(request.model.id !== undefined ? { model: request.model.id } : {}),
    fingerprint: await paramsFingerprint(params),
    data: o.data,
    normalization: o.normalize,
    labels: o.labels,
    method: o.labels === 'empirical' ? 'empirical' : head === 'classifier' ? 'exact' : 'sampled',
    examples,
    batches,
  };
  if (head === 'mlm') Object.assign(meta, { seed: o.seed, samples: o.samples, maskRate: o.maskRate, maskTokenId: o.maskTokenId!, maskedTokens: masked });
  if (shard) meta.shard = shardLabel(shard);
  const entries = new Map<string, StatEntry>();
  for (const [k, s] of acc.sums) {
    entries.set(k, { shape: [...params.get(k)!.shape], data: o.normalize === 'examples' ? s.map((v) => v / examples) : s });
  }
  return { kind: 'fisher', meta, entries };
}

/**
 * Exactly combines Fisher bundles of disjoint shards of one collection: sums, or example-weighted
 * means (`Σ n_k F_k / Σ n_k`).
 * @throws Error naming the entry or meta key that differs between parts.
 */
export function combineFisher(parts: readonly StatsBundle[]): StatsBundle {
  const meta = combineMeta(parts, ['examples', 'batches', 'maskedTokens']);
  if (parts[0].kind !== 'fisher') throw new Error(`combineFisher: parts hold '${parts[0].kind}' statistics; expected 'fisher'`);
  const normalized = meta.normalization !== 'none';
  const names = [...parts[0].entries.keys()];
  parts.forEach((p, k) => {
    const extra = [...p.entries.keys()].find((n) => !parts[0].entries.has(n));
    const missing = names.find((n) => !p.entries.has(n));
    if (extra || missing) throw new Error(`combineFisher: part ${k} has entries ${missing ? `without '${missing}'` : `with an extra '${extra}'`} compared with part 0`);
    if (normalized && !(Number(p.meta.examples) > 0)) throw new Error(`combineFisher: part ${k} has no example count (meta 'examples') for its normalised Fisher`);
  });
  const total = normalized ? parts.reduce((a, p) => a + Number(p.meta.examples), 0) : 1;
  const entries = new Map<string, StatEntry>();
  for (const name of names) {
    const e0 = parts[0].entries.get(name)!;
    const out = new Float64Array(e0.data.length);
    parts.forEach((p, k) => {
      const e = p.entries.get(name)!;
      if (e.shape.join() !== e0.shape.join()) throw new Error(`combineFisher: entry '${name}' of part ${k} has shape [${e.shape.join(', ')}]; part 0 has [${e0.shape.join(', ')}]`);
      const w = normalized ? Number(p.meta.examples) / total : 1;
      for (let i = 0; i < out.length; i++) out[i] += w * e.data[i];
    });
    entries.set(name, { shape: [...e0.shape], data: out });
  }
  return { kind: 'fisher', meta, entries };
}

/** The diagonal Fisher collector of the registry (id and kind `fisher`, entries per parameter). */
export function fisherCollector(): StatCollector {
  return {
    id: 'fisher',
    kind: 'fisher',
    pairwise: false,
    layout: 'per-param',
    collect: collectFisher,
    combine: combineFisher,
  };
}
