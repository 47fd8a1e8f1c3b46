/**
 * Options schemas for plugins: wrap a zod schema so that `parse` errors name the path, the value
 * found and what is allowed (and, for unknown keys, the allowed keys).
 */
import type { z } from 'zod';
import type { OptionsSchema } from './interfaces.js';
import { formatZodIssues } from './internal/zod-format.js';

/**
 * An {@link OptionsSchema} from a zod schema: `parse(undefined)` parses `{}` (so defaults apply).
 * @param describe help text per option, for `--help`.
 */
export function zodOptions<S extends z.ZodType>(schema: S, describe?: Readonly<Record<string, string>>): OptionsSchema<z.output<S>> {
  return {
    parse(input: unknown): z.output<S> {
      const value = input ?? {};
      const r = schema.safeParse(value);
      if (!r.success) throw new Error(formatZodIssues(r.error.issues, value, schema).join('; '));
      return r.data;
    },
    ...(describe ? { describe } : {}),
  };
}

export { formatZodIssues } from './internal/zod-format.js';
