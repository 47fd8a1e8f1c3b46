/** zodOptions: plugin option schemas whose errors name the path, the value and what is allowed. */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { zodOptions } from '../src/index.js';

describe('zodOptions', () => {
  const schema = zodOptions(
    z.object({ residual: z.enum(['identity', 'first', 'all']).default('identity'), iterations: z.number().int().positive().default(3) }).strict(),
    { residual: 'residual strategy', iterations: 'passes' },
  );
  it('parses and defaults (undefined means {})', () => {
    expect(schema.parse(undefined)).toEqual({ residual: 'identity', iterations: 3 });
    expect(schema.parse({ residual: 'all' })).toEqual({ residual: 'all', iterations: 3 });
    expect(schema.describe).toEqual({ residual: 'residual strategy', iterations: 'passes' });
  });
  it('errors name the key, the value and the allowed values or keys', () => {
    expect(() => schema.parse({ residual: 'last' })).toThrow('residual = "last": Invalid option: expected one of "identity"|"first"|"all"');
    expect(() => schema.parse({ iterations: 0 })).toThrow(/iterations = 0: Too small/);
    expect(() => schema.parse({ iters: 2 })).toThrow(/Unrecognized key: "iters"; allowed keys: residual, iterations/);
  });
});
