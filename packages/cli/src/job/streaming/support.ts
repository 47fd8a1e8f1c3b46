/**
 * What a streaming merge can do, checked before any work: the merge is layer-local only when no
 * transform couples layers and the merger works parameter by parameter. Supported:
 * - BERT-family encoders (BERT, RoBERTa; post-LN, and pre-LN too) with heads none, MLM or classifier,
 *   every model with the anchor's parameter names and shapes (one task);
 * - no alignment, or one `verma-elbayad` step with `residual: identity` (the residual stream is left
 *   as it is, so each layer's FFN and attention permutations depend on that layer's statistics only)
 *   and without `classifierHead` on a selected head space;
 * - the `regmean` and `simple` mergers (one task: no per-task heads).
 */
import type { EncoderConfig, HeadKind } from '@symfuse/models';
import { type AlignStepConfig, selectSpaces, type SymmetryRegistry } from '@symfuse/symmetry';

/** Mergers a streaming merge runs. */
export const STREAMING_MERGERS: readonly string[] = ['regmean', 'simple'];
/** The aligner a streaming merge runs. */
export const STREAMING_ALIGNER = 'verma-elbayad';

/** What {@link streamingProblems} looks at. */
export interface StreamingSupportInput {
  readonly registry: SymmetryRegistry;
  /** The pipeline configuration (`align`, `merge`). */
  readonly config: { readonly align?: readonly AlignStepConfig[]; readonly merge?: { readonly method: string } & Readonly<Record<string, unknown>> };
  /** The models, anchor first (when known: names and shapes are compared). */
  readonly models?: readonly { readonly id: string; readonly config: EncoderConfig; readonly head: HeadKind; readonly shapes: ReadonlyMap<string, readonly number[]> }[];
}

const fmt = (s: readonly number[] | undefined) => (s ? `[${s.join(', ')}]` : 'missing');

/**
 * Why a streaming merge cannot run this configuration: one line per problem, each naming the
 * configuration key or model at fault and what streaming supports. Empty when it can run.
 */
export function streamingProblems(input: StreamingSupportInput): string[] {
  const out: string[] = [];
  const align = input.config.align ?? [];
  const merge = input.config.merge;
  if (!merge) out.push(`no 'merge' step (streaming writes a merged model; it supports merge.method ${STREAMING_MERGERS.map((m) => `'${m}'`).join(' or ')})`);
  else if (!STREAMING_MERGERS.includes(merge.method)) out.push(`merge.method '${merge.method}' (streaming supports ${STREAMING_MERGERS.map((m) => `'${m}'`).join(' and ')}: parameter-by-parameter mergers with at most per-layer statistics)`);
  else if (Array.isArray(merge.tasks) && new Set(merge.tasks).size > 1) out.push(`merge.tasks lists ${new Set(merge.tasks).size} tasks (streaming merges models of one task; per-task heads need the in-memory merge)`);
  if (align.length > 1) out.push(`align has ${align.length} steps (streaming runs at most one, a '${STREAMING_ALIGNER}' step)`);
  const step = align[0];
  let options: { residual?: string; classifierHead?: boolean } | undefined;
  if (step && step.aligner !== STREAMING_ALIGNER) out.push(`align[0].aligner '${step.aligner}' (streaming supports only '${STREAMING_ALIGNER}' with residual: identity)`);
  else if (step) {
    try {
      options = input.registry.aligner(step.aligner).options.parse(step.options ?? {}) as typeof options;
    } catch {
      // Invalid options are reported by the configuration check, with the schema's message.
    }
    if (options && options.residual !== 'identity') {
      out.push(`align[0].options.residual '${options.residual}' (streaming needs 'identity': a residual permutation is shared by every layer, so no layer could be merged before all were measured)`);
    }
  }
  const models = input.models ?? [];
  const anchor = models[0];
  if (anchor) {
    if (anchor.config.modelType !== 'bert' && anchor.config.modelType !== 'roberta') out.push(`${anchor.id}: model type '${anchor.config.modelType}' (streaming supports the BERT family: 'bert', 'roberta')`);
    models.slice(1).forEach((m, i) => {
      if (m.head !== anchor.head) {
        out.push(`models: ${m.id} has head '${m.head}' but the anchor ${anchor.id} has '${anchor.head}' (streaming merges models of one task)`);
        return;
      }
      const names = new Set([...anchor.shapes.keys(), ...m.shapes.keys()]);
      const diff = [...names].find((n) => fmt(anchor.shapes.get(n)) !== fmt(m.shapes.get(n)));
      if (diff) out.push(`models: ${m.id} (model ${i + 1}) parameter '${diff}' is ${fmt(m.shapes.get(diff))} but the anchor's is ${fmt(anchor.shapes.get(diff))} (streaming merges models of one architecture and task)`);
    });
    if (step && step.aligner === STREAMING_ALIGNER && options?.classifierHead && anchor.head === 'classifier') {
      try {
        const spec = input.registry.architectureFor(anchor.config).buildSpec(anchor.config, { head: anchor.head });
        const aligner = input.registry.aligner(step.aligner);
        const selected = selectSpaces(spec, step.spaces ?? aligner.components).spaces;
        if (selected.some((s) => s.component === 'head')) out.push("align[0].options.classifierHead: true with the head space selected (streaming does not align the classifier head; select spaces [ffn, attention] or set classifierHead: false)");
      } catch (e) {
        out.push(`align[0].spaces: ${(e as Error).message}`);
      }
    }
  }
  return out;
}
