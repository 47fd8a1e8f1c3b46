/**
 * Turns zod issues into messages that name the path, the value found and what is allowed, e.g.
 * `spaces[2].kinds[0] = "rotation": Invalid option: expected one of "permutation"|"scale"|…`.
 */
import type { z } from 'zod';

/** `a.b[0].c` from a zod path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out || '(root)';
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/** A short JSON rendering of a value for messages. */
export function showValue(v: unknown): string {
  if (v === undefined) return 'missing';
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** The keys an object schema allows at `path` (walking objects, arrays, optionals), if known. */
function allowedKeysAt(schema: z.ZodType | undefined, path: readonly PropertyKey[]): string[] | undefined {
  let s = schema as unknown as Record<string, unknown> | undefined;
  const unwrap = () => {
    while (s && typeof s.unwrap === 'function' && !('shape' in s)) s = (s.unwrap as () => Record<string, unknown>)();
  };
  for (const p of path) {
    unwrap();
    if (!s) return undefined;
    if (typeof p === 'number' && 'element' in s) s = s.element as Record<string, unknown>;
    else if ('shape' in s) s = (s.shape as Record<PropertyKey, Record<string, unknown>>)[p];
    else return undefined;
  }
  unwrap();
  return s && 'shape' in s ? Object.keys(s.shape as object) : undefined;
}

/**
 * One line per issue: path, value found, zod's description of what is allowed (and, for unknown
 * keys, the keys that are allowed there when `schema` is given).
 */
export function formatZodIssues(issues: readonly z.core.$ZodIssue[], input: unknown, schema?: z.ZodType): string[] {
  return issues.map((i) => {
    const v = valueAt(input, i.path);
    let extra = '';
    if (i.code === 'unrecognized_keys') {
      const keys = allowedKeysAt(schema, i.path);
      if (keys) extra = `; allowed keys: ${keys.join(', ')}`;
    }
    return `${formatPath(i.path)} = ${showValue(v)}: ${i.message}${extra}`;
  });
}
