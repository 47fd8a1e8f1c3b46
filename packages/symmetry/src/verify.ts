/**
 * The invariance checker: is model `b` a functional re-parameterisation of model `a`? Both run on the
 * same seeded random probe batches (with padding); their logits (and, optionally, hidden states
 * mapped through the residual transform) are compared. `verify` reads outputs synchronously (CPU);
 * `verifyAsync` runs on any backend (the forward passes on the parameters' backend, e.g. WebGPU).
 */
import { type EncoderBatch, type EncoderConfig, type EncoderModel, forward, type HeadKind, resolveHead } from '@symfuse/models';
import { Rng, type Tensor } from '@symfuse/tensor';
import { applyTransform } from './apply.js';
import { actOnArray, type HostArray } from './group/act.js';
import type { ModelWeights } from './interfaces.js';
import type { SpaceElement, Transform } from './transform.js';
import type { SymmetrySpec } from './spec.js';

/** Options of {@link makeProbes}. */
export interface ProbeOptions {
  readonly seed: number;
  /** Sequences per batch (default 3). */
  readonly batch?: number;
  /** Tokens per sequence (default 8, capped by the position table). */
  readonly seqLen?: number;
  /** Number of batches (default 1). */
  readonly count?: number;
}

/**
 * Seeded random probe batches for `config`: ids avoid the pad token at real positions; every sequence
 * but the first is padded at the end by a random amount (pad ids, mask 0); random token types.
 */
export function makeProbes(config: EncoderConfig, options: ProbeOptions): EncoderBatch[] {
  const rng = new Rng(options.seed);
  const batch = options.batch ?? 3;
  const room = config.modelType === 'roberta' ? config.maxPositionEmbeddings - config.padTokenId - 1 : config.maxPositionEmbeddings;
  const seqLen = Math.max(1, Math.min(options.seqLen ?? 8, room));
  const out: EncoderBatch[] = [];
  for (let c = 0; c < (options.count ?? 1); c++) {
    const n = batch * seqLen;
    const ids = new Int32Array(n);
    const mask = new Int32Array(n);
    const typeIds = new Int32Array(n);
    for (let b = 0; b < batch; b++) {
      const len = b === 0 ? seqLen : 1 + Math.floor(rng.uniform() * seqLen);
      for (let t = 0; t < seqLen; t++) {
        const i = b * seqLen + t;
        if (t < len) {
          let id = Math.floor(rng.uniform() * config.vocabSize);
          if (id === config.padTokenId && config.vocabSize > 1) id = (id + 1) % config.vocabSize;
          ids[i] = id;
          mask[i] = 1;
          typeIds[i] = Math.floor(rng.uniform() * config.typeVocabSize);
        } else ids[i] = config.padTokenId;
      }
    }
    out.push({ ids, mask, typeIds, batch, seqLen });
  }
  return out;
}

/** What a forward pass returns for comparison. */
export interface ProbeOutputs {
  readonly logits?: Tensor;
  readonly hidden: Tensor;
}

/** Options of {@link verify}. */
export interface VerifyOptions {
  /** Probe batches (default: `makeProbes(a.config, {seed})`). */
  readonly probes?: readonly EncoderBatch[];
  readonly seed?: number;
  /**
   * Largest allowed |a − b| relative to max(1, max|a|) over each compared output. Default 1e-4 for
   * f32 parameters, 1e-9 for f64.
   */
  readonly tolerance?: number;
  /** Which outputs to compare: default `logits` when the model has a head, else `hidden`. */
  readonly compare?: 'logits' | 'hidden' | 'both';
  /**
   * The residual-stream element relating the hidden states (`hidden_b = T · hidden_a`), when hidden
   * states are compared after a transform that permutes the residual stream.
   */
  readonly hiddenTransform?: SpaceElement;
  /** The head to run (default: the model's). */
  readonly head?: HeadKind;
  /** Another forward pass (for architectures outside the BERT family). */
  readonly forward?: (model: ModelWeights, batch: EncoderBatch) => ProbeOutputs;
}

/** Per-output comparison. */
export interface OutputDiff {
  readonly output: 'logits' | 'hidden';
  readonly maxAbsDiff: number;
  /** max |a| over the output, the scale the tolerance is relative to. */
  readonly maxAbs: number;
}

/** Result of {@link verify}. */
export interface VerifyResult {
  readonly equivalent: boolean;
  /** Largest |a − b| over every compared output and probe. */
  readonly maxAbsDiff: number;
  readonly tolerance: number;
  readonly outputs: readonly OutputDiff[];
}

function defaultForward(head: HeadKind | undefined) {
  return (m: ModelWeights, batch: EncoderBatch): ProbeOutputs => {
    const model: EncoderModel = { config: m.config as EncoderConfig, params: new Map(m.params), head: (head ?? m.head) as HeadKind | undefined };
    const r = forward(model, batch, head ? { head } : {});
    return { logits: r.logits, hidden: r.hidden };
  };
}

/** Resolved settings of one verification and its running maxima per output. */
interface Comparison {
  readonly probes: readonly EncoderBatch[];
  readonly head: HeadKind;
  readonly run: (model: ModelWeights, batch: EncoderBatch) => ProbeOutputs;
  readonly compare: 'logits' | 'hidden' | 'both';
  readonly tolerance: number;
  readonly hiddenTransform?: SpaceElement;
  readonly acc: Map<'logits' | 'hidden', { diff: number; abs: number }>;
}

function startComparison(a: ModelWeights, options: VerifyOptions): Comparison {
  const config = a.config as EncoderConfig;
  const probes = options.probes ?? makeProbes(config, { seed: options.seed ?? 0 });
  const head = (options.head ?? a.head ?? resolveHead(config, a.params.keys())) as HeadKind;
  const run = options.forward ?? defaultForward(head);
  const compare = options.compare ?? (head === 'none' ? 'hidden' : 'logits');
  const firstParam = a.params.values().next().value as Tensor | undefined;
  const tolerance = options.tolerance ?? (firstParam?.dtype === 'f64' ? 1e-9 : 1e-4);
  return { probes, head, run, compare, tolerance, hiddenTransform: options.hiddenTransform, acc: new Map() };
}

/** The tensors of one probe's outputs that the comparison reads, in a fixed order. */
function compared(c: Comparison, ra: ProbeOutputs, rb: ProbeOutputs): Tensor[] {
  const out: Tensor[] = [];
  if (c.compare !== 'hidden') {
    if (!ra.logits || !rb.logits) throw new Error(`verify: no logits to compare (head '${c.head}'); use compare: 'hidden'`);
    out.push(ra.logits, rb.logits);
  }
  if (c.compare !== 'logits') out.push(ra.hidden, rb.hidden);
  return out;
}

function note(c: Comparison, name: 'logits' | 'hidden', x: HostArray, y: HostArray): void {
  const cur = c.acc.get(name) ?? { diff: 0, abs: 0 };
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs(x[i] - y[i]);
    // NaN compares false: treat it as an infinite difference.
    cur.diff = d > cur.diff || Number.isNaN(d) ? (Number.isNaN(d) ? Infinity : d) : cur.diff;
    cur.abs = Math.max(cur.abs, Math.abs(x[i]));
  }
  c.acc.set(name, cur);
}

/** Folds one probe's host outputs (`[logits a, logits b]`, then `[hidden a, hidden b]`, as {@link compared}). */
function notePair(c: Comparison, hiddenShape: readonly number[], data: readonly HostArray[]): void {
  let k = 0;
  if (c.compare !== 'hidden') {
    note(c, 'logits', data[k], data[k + 1]);
    k += 2;
  }
  if (c.compare !== 'logits') {
    let ha = data[k];
    if (c.hiddenTransform) ha = actOnArray(c.hiddenTransform, ha, { shape: hiddenShape, axis: hiddenShape.length - 1, role: 'out', what: 'hidden states' });
    note(c, 'hidden', ha, data[k + 1]);
  }
}

function finishComparison(c: Comparison): VerifyResult {
  const outputs: OutputDiff[] = [...c.acc].map(([output, v]) => ({ output, maxAbsDiff: v.diff, maxAbs: v.abs }));
  const equivalent = outputs.every((o) => o.maxAbsDiff <= c.tolerance * Math.max(1, o.maxAbs));
  return { equivalent, maxAbsDiff: Math.max(0, ...outputs.map((o) => o.maxAbsDiff)), tolerance: c.tolerance, outputs };
}

function disposeOutputs(...rs: ProbeOutputs[]): void {
  for (const r of rs) for (const t of [r.logits, r.hidden]) t?.dispose();
}

/**
 * Runs `a` and `b` on the probes and compares their outputs. Synchronous: the parameters must live
 * on a host backend (the CPU); {@link verifyAsync} does the same on any backend.
 * @returns `equivalent` when every compared output agrees within `tolerance · max(1, max|a|)`.
 */
export function verify(a: ModelWeights, b: ModelWeights, options: VerifyOptions = {}): VerifyResult {
  const c = startComparison(a, options);
  for (const batch of c.probes) {
    const ra = c.run(a, batch);
    const rb = c.run(b, batch);
    try {
      notePair(c, ra.hidden.shape, compared(c, ra, rb).map((t) => t.dataSync() as HostArray));
    } finally {
      disposeOutputs(ra, rb);
    }
  }
  return finishComparison(c);
}

/**
 * {@link verify} on any backend: the outputs of each probe batch are read back with one `await`
 * (reads of a device such as WebGPU are started together), then compared on the host in f64.
 * @returns `equivalent` when every compared output agrees within `tolerance · max(1, max|a|)`.
 */
export async function verifyAsync(a: ModelWeights, b: ModelWeights, options: VerifyOptions = {}): Promise<VerifyResult> {
  const c = startComparison(a, options);
  for (const batch of c.probes) {
    const ra = c.run(a, batch);
    const rb = c.run(b, batch);
    try {
      const data = await Promise.all(compared(c, ra, rb).map(async (t) => (t.backend.readSync(t.storage) ?? (await t.data())) as HostArray));
      notePair(c, ra.hidden.shape, data);
    } finally {
      disposeOutputs(ra, rb);
    }
  }
  return finishComparison(c);
}

/**
 * Applies `transform` to `model` and verifies the result against the original, comparing logits and
 * (when the model has no head, or `compare` asks for them) hidden states mapped through the residual
 * element. Non-symmetries (`preservesFunction: false`) are applied too: the result shows the change.
 */
export function checkInvariance(spec: SymmetrySpec, transform: Transform, model: ModelWeights, options: VerifyOptions = {}): VerifyResult & { transformed: ModelWeights } {
  const transformed: ModelWeights = { ...model, params: applyTransform(spec, transform, model.params) };
  const residualId = spec.spaces.find((s) => s.component === 'residual')?.id;
  const residual = residualId === undefined ? undefined : transform.elements.get(residualId);
  const result = verify(model, transformed, { ...(residual ? { hiddenTransform: residual } : {}), ...options });
  return { ...result, transformed };
}
