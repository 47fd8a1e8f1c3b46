/**
 * Activation taps: named intermediate tensors of the forward pass handed to a collector, one row per
 * real token (padding rows are removed before the collector sees them).
 *
 * Site names ({@link TapSite}):
 * - `embeddings.output` — `LN_emb(E_word + E_pos + E_type)`, `[n, d]`.
 * - `layer.L.attention.context` — concatenated head contexts `concat_j(c_j)` (the input of W_O), `[n, d]`.
 * - `layer.L.attention.residual` — x_a, the residual stream after the attention sublayer, `[n, d]`.
 * - `layer.L.ffn.activation` — `act(W_1 u + b_1)` (the input of W_2), `[n, d_ff]`.
 * - `layer.L.output` — x_f, the layer output, `[n, d]`.
 * - `encoder.output` — the final hidden states (after the final LayerNorm for pre-LN), `[n, d]`.
 * - a linear weight's parameter name, e.g. `bert.encoder.layer.0.intermediate.dense.weight` — the
 *   input of that linear layer, `[n, in]`. Q, K and V share one input, collected ONCE under the
 *   query weight's name (`….attention.self.query.weight`); the key and value names never fire.
 *   In pre-LN models the inputs of Q/K/V and of W_1 are the LayerNorm outputs LN₁(x) and LN₂(x_a).
 *   Head linears: MLM `cls.predictions.transform.dense.weight` / `lm_head.dense.weight` (the rows
 *   the logits are computed at) and the tied decoder `cls.predictions.decoder.weight` /
 *   `lm_head.decoder.weight` (input: the transform's LayerNorm output); classifier
 *   `bert.pooler.dense.weight` / `classifier.dense.weight` (first-token rows, one per sequence) and
 *   `classifier.weight` / `classifier.out_proj.weight` (the tanh output).
 *
 * Lifetime: the `features` tensor is valid only during `collect`; collectors copy or reduce what they
 * need and must neither keep nor dispose it. Sites whose `wants` is false are never materialised.
 */
import { type Tensor, gather, tensor } from '@symfuse/tensor';
import { classifierHeadNames, layerParamNames, mlmHeadNames } from './names.js';
import type { EncoderModelType, HeadKind } from './types.js';

/** A tap site name (see the module comment for the scheme). */
export type TapSite = string;

/** What kind of tensor a site carries. */
export type TapKind =
  | 'embeddings-output'
  | 'attention-context'
  | 'attention-residual'
  | 'ffn-activation'
  | 'layer-output'
  | 'encoder-output'
  | 'linear-input';

/** Builders of site names. */
export const TapSites = {
  embeddingsOutput: 'embeddings.output' as TapSite,
  encoderOutput: 'encoder.output' as TapSite,
  attentionContext: (layer: number): TapSite => `layer.${layer}.attention.context`,
  attentionResidual: (layer: number): TapSite => `layer.${layer}.attention.residual`,
  ffnActivation: (layer: number): TapSite => `layer.${layer}.ffn.activation`,
  layerOutput: (layer: number): TapSite => `layer.${layer}.output`,
  /** The input of the linear layer whose weight is `weightName` (`[out, in]`). */
  linearInput: (weightName: string): TapSite => weightName,
} as const;

/** Facts about the rows handed to a collector. */
export interface TapInfo {
  readonly site: TapSite;
  readonly kind: TapKind;
  /** Layer index for per-layer sites. */
  readonly layer?: number;
  /** Number of rows n of `features`. */
  readonly rows: number;
  /** For each row of `features`, its flat position `b·seqLen + t` in the batch. */
  readonly positions: Int32Array;
  readonly batch: number;
  readonly seqLen: number;
}

/**
 * Receives tapped activations. `wants` is asked before a site is materialised; `collect` gets
 * `features` `[n, dim]` (real tokens only) valid for the duration of the call.
 */
export interface TapCollector {
  wants(site: TapSite): boolean;
  collect(site: TapSite, features: Tensor, info: TapInfo): void;
}

/** Parses a per-layer or global site name; linear-input sites are returned as such. */
export function parseTapSite(site: TapSite): { kind: TapKind; layer?: number } {
  if (site === TapSites.embeddingsOutput) return { kind: 'embeddings-output' };
  if (site === TapSites.encoderOutput) return { kind: 'encoder-output' };
  const m = /^layer\.(\d+)\.(attention\.context|attention\.residual|ffn\.activation|output)$/.exec(site);
  if (m) {
    const kinds: Record<string, TapKind> = {
      'attention.context': 'attention-context',
      'attention.residual': 'attention-residual',
      'ffn.activation': 'ffn-activation',
      output: 'layer-output',
    };
    return { kind: kinds[m[2]], layer: Number(m[1]) };
  }
  const layer = /\.encoder\.layer\.(\d+)\./.exec(site);
  return layer ? { kind: 'linear-input', layer: Number(layer[1]) } : { kind: 'linear-input' };
}

/**
 * Every site a forward pass of a model with `numLayers` layers and `head` can emit, in emission order.
 * The key/value weight names are absent (their input is the query's).
 */
export function tapSites(modelType: EncoderModelType, numLayers: number, head: HeadKind): TapSite[] {
  const out: TapSite[] = [TapSites.embeddingsOutput];
  for (let l = 0; l < numLayers; l++) {
    const n = layerParamNames(modelType, l);
    out.push(
      TapSites.linearInput(n.query.weight),
      TapSites.attentionContext(l),
      TapSites.linearInput(n.attnOut.weight),
      TapSites.attentionResidual(l),
      TapSites.linearInput(n.ffnIn.weight),
      TapSites.ffnActivation(l),
      TapSites.linearInput(n.ffnOut.weight),
      TapSites.layerOutput(l),
    );
  }
  out.push(TapSites.encoderOutput);
  if (head === 'mlm') {
    const h = mlmHeadNames(modelType);
    out.push(h.dense.weight, h.decoderWeight);
  } else if (head === 'classifier') {
    const h = classifierHeadNames(modelType);
    out.push(h.first.weight, h.out.weight);
  }
  return out;
}

/**
 * Per-forward tap dispatcher: knows which flat positions are real tokens and hands collectors
 * only those rows, gathering once per tensor for all the sites that share it.
 */
export class TapEmitter {
  /** Flat positions 0..B·T-1 of the encoder's rows (identity). */
  readonly allPositions: Int32Array;
  private readonly cache = new Map<Int32Array, { positions: Int32Array; index?: Tensor }>();

  constructor(
    private readonly collector: TapCollector | undefined,
    /** Host mask (1 real, 0 padding), length B·T, or undefined when every token is real. */
    private readonly mask: Int32Array | undefined,
    private readonly batch: number,
    private readonly seqLen: number,
  ) {
    this.allPositions = new Int32Array(batch * seqLen);
    for (let i = 0; i < this.allPositions.length; i++) this.allPositions[i] = i;
  }

  /**
   * Which rows of a tensor laid out at `positions` are real tokens: their flat positions and, when
   * some rows are padding, an index tensor selecting them (cached per positions array).
   */
  private realRows(positions: Int32Array, like: Tensor): { positions: Int32Array; index?: Tensor } {
    const cached = this.cache.get(positions);
    if (cached) return cached;
    let entry: { positions: Int32Array; index?: Tensor } = { positions };
    if (this.mask) {
      const mask = this.mask;
      const keep: number[] = [];
      for (let i = 0; i < positions.length; i++) if (mask[positions[i]] !== 0) keep.push(i);
      if (keep.length < positions.length) {
        entry = {
          positions: Int32Array.from(keep, (i) => positions[i]),
          index: tensor(Int32Array.from(keep), [keep.length], { backend: like.backend }),
        };
      }
    }
    this.cache.set(positions, entry);
    return entry;
  }

  /** Releases the cached index tensors; call once the forward pass is over. */
  dispose(): void {
    for (const e of this.cache.values()) e.index?.dispose();
    this.cache.clear();
  }

  /** True when some site among `sites` is wanted (so callers can skip work that only feeds taps). */
  wantsAny(sites: readonly TapSite[]): boolean {
    const c = this.collector;
    return c !== undefined && sites.some((s) => c.wants(s));
  }

  /**
   * Hands `x` `[rows, dim]` — whose row i sits at flat position `positions[i]` — to every wanted site
   * in `sites`, keeping only real-token rows.
   */
  emit(sites: readonly TapSite[], x: Tensor, positions: Int32Array = this.allPositions): void {
    const c = this.collector;
    if (!c) return;
    const wanted = sites.filter((s) => c.wants(s));
    if (wanted.length === 0) return;
    const sel = this.realRows(positions, x);
    const features = sel.index ? gather(x, sel.index, 0) : x;
    const realPositions = sel.positions;
    try {
      for (const site of wanted) {
        const { kind, layer } = parseTapSite(site);
        c.collect(site, features, {
          site, kind, layer, rows: realPositions.length, positions: realPositions, batch: this.batch, seqLen: this.seqLen,
        });
      }
    } finally {
      if (features !== x) features.dispose();
    }
  }
}
