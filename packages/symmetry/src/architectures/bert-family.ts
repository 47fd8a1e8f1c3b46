/**
 * The SymmetrySpec of the BERT/RoBERTa encoder family (post-LN and pre-LN; heads none, MLM with the
 * decoder tied to the word embeddings, sequence classification), following ALGORITHMS.md
 * "Symmetries" 1–4. Parameter names come from `@symfuse/models` so they cannot drift.
 *
 * Spaces (ids):
 * - `residual` (d): ONE permutation for the whole network — embeddings' columns, every LayerNorm on
 *   the stream, the in-axis of W_Q/W_K/W_V/W_1, the out-axis and bias of W_O/W_2, the in-axis of the
 *   head's first dense; with the tied MLM decoder also W_t's out-axis, b_t and LN_h.
 * - `layer.{i}.ffn` (d_ff): permutation; plus positive scaling when the activation is ReLU.
 * - `layer.{i}.attention.qk`, `layer.{i}.attention.vo` (d, h heads of d_k, headGroup
 *   `layer.{i}.attention`): head permutation + per-head permutation / orthogonal / scale / invertible.
 * - `head.pooler` (BERT) / `head.classifier.dense` (RoBERTa) (d): permutation (tanh is elementwise).
 */
import {
  classifierHeadNames,
  type EncoderConfig,
  type EncoderModelType,
  embeddingParamNames,
  expectedParams,
  finalLayerNormNames,
  type HeadKind,
  layerParamNames,
  mlmHeadNames,
  resolveHead,
  SUPPORTED_MODEL_TYPES,
  validateConfig,
} from '@symfuse/models';
import type { ArchitectureProvider, BuildSpecOptions } from '../interfaces.js';
import type { AxisBinding, GroupKind, SpaceSpec, SymmetrySpec } from '../spec.js';

/** Group kinds of the attention spaces (QK and VO admit any invertible per-head block). */
export const ATTENTION_KINDS: readonly GroupKind[] = ['head-permutation', 'permutation', 'head-orthogonal', 'head-scale', 'head-invertible'];

/** Space ids of the BERT family (stable: aligners and saved transforms refer to them). */
export const bertSpaceIds = {
  residual: 'residual',
  ffn: (layer: number) => `layer.${layer}.ffn`,
  qk: (layer: number) => `layer.${layer}.attention.qk`,
  vo: (layer: number) => `layer.${layer}.attention.vo`,
  headGroup: (layer: number) => `layer.${layer}.attention`,
  classifierHead: (modelType: EncoderModelType) => (modelType === 'bert' ? 'head.pooler' : 'head.classifier.dense'),
} as const;

type WB = { readonly weight: string; readonly bias: string };

/**
 * The spec of one configuration and head.
 * @throws UnsupportedConfigError (from `@symfuse/models`) when the config is not of the family.
 */
export function buildBertFamilySpec(cfg: EncoderConfig, head: HeadKind): SymmetrySpec {
  const config = validateConfig(cfg, head);
  const t = config.modelType;
  const d = config.hiddenSize;
  const h = config.numHeads;
  const spaces: SpaceSpec[] = [];
  const bindings: AxisBinding[] = [];
  const invariant: string[] = [];
  const R = bertSpaceIds.residual;
  const bind = (param: string, axis: number, space: string, role: 'out' | 'in') => bindings.push({ param, axis, space, role });
  /** γ and β of a LayerNorm on the residual stream. */
  const ln = (n: WB) => {
    bind(n.weight, 0, R, 'out');
    bind(n.bias, 0, R, 'out');
  };
  /** A linear layer from space `inSpace` to space `outSpace` (either may be undefined: unbound). */
  const linear = (n: WB, outSpace: string | undefined, inSpace: string | undefined, outRole: 'out' | 'in' = 'out') => {
    if (outSpace) {
      bind(n.weight, 0, outSpace, outRole);
      bind(n.bias, 0, outSpace, outRole);
    }
    if (inSpace) bind(n.weight, 1, inSpace, 'in');
  };

  spaces.push({ id: R, size: d, component: 'residual', kinds: ['permutation'] });
  const e = embeddingParamNames(t);
  for (const name of [e.word, e.position, e.tokenType]) bind(name, 1, R, 'out');
  ln(e.ln);

  const ffnKinds: GroupKind[] = config.hiddenAct === 'relu' ? ['permutation', 'scale'] : ['permutation'];
  for (let i = 0; i < config.numLayers; i++) {
    const n = layerParamNames(t, i);
    const qk = bertSpaceIds.qk(i);
    const vo = bertSpaceIds.vo(i);
    const ffn = bertSpaceIds.ffn(i);
    const heads = { count: h, dim: d / h };
    const headGroup = bertSpaceIds.headGroup(i);
    spaces.push({ id: qk, size: d, component: 'attention-qk', layer: i, kinds: ATTENTION_KINDS, heads, headGroup });
    spaces.push({ id: vo, size: d, component: 'attention-vo', layer: i, kinds: ATTENTION_KINDS, heads, headGroup });
    spaces.push({ id: ffn, size: config.intermediateSize, component: 'ffn', layer: i, kinds: ffnKinds });
    linear(n.query, qk, R);
    // K's rows meet Q's rows in qᵀk: they receive M⁻ᵀ (role 'in' on the out-axis).
    linear(n.key, qk, R, 'in');
    linear(n.value, vo, R);
    linear(n.attnOut, R, vo);
    ln(n.ln1);
    linear(n.ffnIn, ffn, R);
    linear(n.ffnOut, R, ffn);
    ln(n.ln2);
  }
  if (config.layerNormPlacement === 'pre') ln(finalLayerNormNames(t));

  if (head === 'mlm') {
    const m = mlmHeadNames(t);
    // The decoder is tied to E_word, so the transform's output t = LN_h(act(W_t x + b_t)) is in the
    // residual basis: W_t's out-axis, b_t and LN_h take the residual permutation.
    linear(m.dense, R, R);
    ln(m.ln);
    invariant.push(m.bias);
  } else if (head === 'classifier') {
    const c = classifierHeadNames(t);
    const hs = bertSpaceIds.classifierHead(t);
    spaces.push({ id: hs, size: d, component: 'head', kinds: ['permutation'] });
    linear(c.first, hs, R);
    bind(c.out.weight, 1, hs, 'in');
    invariant.push(c.out.bias);
  }

  const params: Record<string, readonly number[]> = {};
  for (const [name, shape] of expectedParams(config, head)) params[name] = shape;
  return {
    architecture: `${t}-${head}-${config.layerNormPlacement}-ln`,
    spaces,
    bindings,
    invariant,
    params,
  };
}

/** Reads the head from options, the config's `architectures`, then the parameter names. */
function headOf(config: EncoderConfig, options: BuildSpecOptions | undefined): HeadKind {
  return resolveHead(config, options?.params?.keys(), options?.head as HeadKind | undefined);
}

/** The architecture provider of the BERT/RoBERTa encoder family. */
export function bertFamilyArchitecture(): ArchitectureProvider<EncoderConfig> {
  return {
    id: 'bert-family',
    prettyName: 'BERT / RoBERTa encoders (post-LN and pre-LN; MLM and classification heads)',
    matches(config: EncoderConfig): boolean {
      return (
        typeof config === 'object' &&
        config !== null &&
        (SUPPORTED_MODEL_TYPES as readonly string[]).includes((config as { modelType?: unknown }).modelType as string)
      );
    },
    buildSpec(config: EncoderConfig, options?: BuildSpecOptions): SymmetrySpec {
      return buildBertFamilySpec(config, headOf(config, options));
    },
  };
}
