/**
 * Options of the `rotation` aligner, validated by zod through `zodOptions` (errors name the key, the
 * value seen and what is allowed).
 */
import { type OptionsSchema, zodOptions } from '@symfuse/symmetry';
import { z } from 'zod';

const LAYERS_HELP = 'expected an array of layer indices (integers ≥ 0), { first: k } or { last: k } with an integer k ≥ 1';

const layersSchema = z.union(
  [
    z.array(z.number().int().nonnegative()).min(1),
    z.object({ first: z.number().int().positive() }).strict(),
    z.object({ last: z.number().int().positive() }).strict(),
  ],
  { error: LAYERS_HELP },
);

/** Which layers to match (the paper's RQ4): explicit indices, or the first / last k layers. */
export type LayerSelection = readonly number[] | { readonly first: number } | { readonly last: number };

/** The zod schema of {@link RotationOptions}. */
export const rotationOptionsSchema = z
  .object({
    rescale: z.boolean().default(true),
    qk: z.boolean().default(true),
    vo: z.boolean().default(true),
    headPairing: z.boolean().default(false),
    layers: layersSchema.optional(),
  })
  .strict()
  .refine((o) => o.qk || o.vo || o.headPairing, {
    message: 'qk and vo are both false and headPairing is off: nothing to align (enable qk, vo or headPairing)',
    path: ['qk'],
  });

/** Parsed options of the `rotation` aligner. */
export interface RotationOptions {
  /** Rescale after rotating (Q ×a, K ÷a; V ×b, O ÷b). Default true. */
  readonly rescale: boolean;
  /** Rotate the QK spaces. Default true. */
  readonly qk: boolean;
  /** Rotate the VO spaces. Default true. */
  readonly vo: boolean;
  /** Pair heads by an h×h assignment first (models from different initialisations). Default false. */
  readonly headPairing: boolean;
  /** Match only these layers (default: every layer of the given spaces). */
  readonly layers?: LayerSelection;
}

/** Help text of every option, for `--help`. */
export const ROTATION_OPTION_HELP: Readonly<Record<keyof RotationOptions, string>> = {
  rescale: 'after rotating, rescale each head (Q×a, K÷a and V×b, O÷b) by the best positive root of the quartic (default true)',
  qk: 'rotate the query/key spaces by per-head Procrustes (default true)',
  vo: 'rotate the value/output spaces by per-head Procrustes (default true)',
  headPairing:
    'first pair heads by an h×h assignment on the per-pair Procrustes residual — for models from different initialisations; off for models fine-tuned from one pretrained model (default false)',
  layers: 'match only these layers: an array of indices, { first: k } or { last: k } (default: all)',
};

/** The options schema of the `rotation` aligner. */
export function rotationOptions(): OptionsSchema<RotationOptions> {
  return zodOptions(rotationOptionsSchema, ROTATION_OPTION_HELP) as OptionsSchema<RotationOptions>;
}

/**
 * The layer indices selected by `sel` among `numLayers` layers (ascending, unique).
 * @throws Error naming the option when an index or k is out of range.
 */
export function selectedLayers(sel: LayerSelection | undefined, numLayers: number): number[] {
  const all = Array.from({ length: numLayers }, (_, i) => i);
  if (sel === undefined) return all;
  if (Array.isArray(sel)) {
    const bad = (sel as readonly number[]).filter((i) => i >= numLayers);
    if (bad.length) throw new Error(`rotation: layers = ${JSON.stringify(sel)}: layer${bad.length > 1 ? 's' : ''} ${bad.join(', ')} out of range; the model has layers 0..${numLayers - 1}`);
    return [...new Set(sel as readonly number[])].sort((a, b) => a - b);
  }
  const k = 'first' in sel ? sel.first : (sel as { last: number }).last;
  if (k > numLayers) throw new Error(`rotation: layers = ${JSON.stringify(sel)}: k = ${k} exceeds the ${numLayers} layers of the model`);
  return 'first' in sel ? all.slice(0, k) : all.slice(numLayers - k);
}
