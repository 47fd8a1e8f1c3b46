/**
 * Options of the Verma–Elbayad aligner. The components it aligns are the intersection of the spaces
 * the pipeline passes (`spaces: ['ffn', 'attention']`, …) and these switches, so the paper's
 * ablations (FFN only, MHA only, both, with or without the residual stream) are one option each.
 */
import { zodOptions } from '@symfuse/symmetry';
import { z } from 'zod';

/** MHA strategies (paper §3.2): `head-perm` is the paper's; `ignore-heads` is not a symmetry. */
export const MHA_STRATEGIES = ['head-perm', 'monotonic', 'ignore-heads', 'none'] as const;
/** Residual strategies (paper §3.3): `separate` is not a symmetry. */
export const RESIDUAL_STRATEGIES = ['identity', 'first', 'last', 'all', 'separate'] as const;

export type MhaStrategy = (typeof MHA_STRATEGIES)[number];
export type ResidualStrategy = (typeof RESIDUAL_STRATEGIES)[number];

const schema = z
  .object({
    ffn: z.boolean().default(true),
    mha: z.enum(MHA_STRATEGIES).default('head-perm'),
    residual: z.enum(RESIDUAL_STRATEGIES).default('identity'),
    classifierHead: z.boolean().default(false),
    correlationMatrices: z.union([z.boolean(), z.array(z.string().min(1))]).default(false),
  })
  .strict();

/** Parsed options of the Verma–Elbayad aligner. */
export type VermaElbayadOptions = z.output<typeof schema>;

const parser = zodOptions(schema, {
  ffn: 'Align the FFN neurons of every given FFN space, one permutation per layer from the post-activation features (default true).',
  mha: `Attention strategy: ${MHA_STRATEGIES.join(' | ')} (default head-perm; ignore-heads is not function-preserving; none leaves attention as it is).`,
  residual: `Residual-stream strategy: ${RESIDUAL_STRATEGIES.join(' | ')} (default identity; separate is not function-preserving).`,
  classifierHead: 'Also permute the classifier head space (pooler ↔ classifier) from the pooled features (default false, as in the paper).',
  correlationMatrices: 'Return the correlation matrices before and after alignment (paper Fig. 5): true for every aligned site, or a list of site names (default false).',
});

/**
 * The options schema (zod-backed; errors name the key, the value and what is allowed). `heads` is
 * accepted as an alias of `mha` (the spelling of the merge-config examples: `heads: head-perm`).
 */
export const vermaElbayadOptions: typeof parser = {
  ...parser,
  parse(input: unknown) {
    if (input && typeof input === 'object' && !Array.isArray(input) && 'heads' in input) {
      const { heads, ...rest } = input as Record<string, unknown>;
      if ('mha' in rest) return parser.parse(input); // both given: let the schema name 'heads' as unknown
      return parser.parse({ ...rest, mha: heads });
    }
    return parser.parse(input);
  },
};
