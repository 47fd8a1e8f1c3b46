/**
 * The invariance checker: is model `b` a functional re-parameterisation of model `a`? Both run on the
 * same seeded random probe batches (with padding); their logits (and, optionally, hidden states
 * mapped through the residual transform) are compared.
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

/**
 * Runs `a` and `b` on the probes and compares their outputs.
 * @returns `equivalent` when every compared output agrees within `tolerance · max(1, max|a|)`.
 */
export function verify(a: ModelWeights, b: ModelWeights, options: VerifyOptions = {}): VerifyResult {
  const config = a.config as EncoderConfig;
  const probes = options.probes ?? makeProbes(config, { seed: options.seed ?? 0 });
  const head = (options.head ?? a.head ?? resolveHead(config, a.params.keys())) as HeadKind;
  const run = options.forward ?? defaultForward(head);
  const compare = options.compare ?? (head === 'none' ? 'hidden' : 'logits');
  const firstParam = a.params.values().next().value as Tensor | undefined;
  const tolerance = options.tolerance ?? (firstParam?.dtype === 'f64' ? 1e-9 : 1e-4);
  const acc = new Map<'logits' | 'hidden', { diff: number; abs: number }>();
  const note = (name: 'logits' | 'hidden', x: HostArray, y: HostArray) => {
    const cur = acc.get(name) ?? { diff: 0, abs: 0 };
    for (let i = 0; i < x.length; i++) {
      const d = Math.abs(x[i] - y[i]);
      // NaN compares false: treat it as an infinite difference.
      cur.diff = d > cur.diff || Number.isNaN(d) ? (Number.isNaN(d) ? Infinity : d) : cur.diff;
      cur.abs = Math.max(cur.abs, Math.abs(x[i]));
    }
    acc.set(name, cur);
  };
  for (const batch of probes) {
    const ra = run(a, batch);
    const rb = run(b, batch);
    try {
      if (compare !== 'hidden') {
        if (!ra.logits || !rb.logits) throw new Error(`verify: no logits to compare (head '${head}'); use compare: 'hidden'`);
        note('logits', ra.logits.dataSync() as HostArray, rb.logits.dataSync() as HostArray);
      }
      if (compare !== 'logits') {
        let ha = ra.hidden.dataSync() as HostArray;
        if (options.hiddenTransform) ha = actOnArray(options.hiddenTransform, ha, { shape: ra.hidden.shape, axis: ra.hidden.shape.length - 1, role: 'out', what: 'hidden states' });
        note('hidden', ha, rb.hidden.dataSync() as HostArray);
      }
    } finally {
      for (const t of [ra.logits, ra.hidden, rb.logits, rb.hidden]) t?.dispose();
    }
  }
  const outputs: OutputDiff[] = [...acc].map(([output, v]) => ({ output, maxAbsDiff: v.diff, maxAbs: v.abs }));
  const equivalent = outputs.every((o) => o.maxAbsDiff <= tolerance * Math.max(1, o.maxAbs));
  return { equivalent, maxAbsDiff: Math.max(0, ...outputs.map((o) => o.maxAbsDiff)), tolerance, outputs };
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
