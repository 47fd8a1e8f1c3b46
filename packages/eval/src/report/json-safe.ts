/**
 * Turns arbitrary diagnostics into JSON-safe data for `report.json`: Maps become objects, typed arrays
 * and arrays longer than a limit are summarised (`{length, min, max, mean}`), non-finite numbers
 * become strings, functions and cycles are dropped.
 */

function summary(xs: ArrayLike<number>): Record<string, number | string> {
  let mn = Infinity;
  let mx = -Infinity;
  let s = 0;
  for (let i = 0; i < xs.length; i++) {
    mn = Math.min(mn, xs[i]);
    mx = Math.max(mx, xs[i]);
    s += xs[i];
  }
  return xs.length ? { length: xs.length, min: mn, max: mx, mean: s / xs.length } : { length: 0 };
}

/** A JSON-safe copy of `value` (see the file comment). */
export function toJsonSafe(value: unknown, options: { maxArray?: number; maxDepth?: number } = {}): unknown {
  const maxArray = options.maxArray ?? 64;
  const maxDepth = options.maxDepth ?? 8;
  const seen = new WeakSet<object>();
  const go = (v: unknown, depth: number): unknown => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
    if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
    if (typeof v === 'bigint') return v.toString();
    if (typeof v !== 'object') return undefined;
    if (seen.has(v)) return undefined;
    if (depth > maxDepth) return '…';
    seen.add(v);
    try {
      if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
        const xs = v as unknown as ArrayLike<number>;
        return xs.length <= maxArray ? Array.from(xs, (x) => go(Number(x), depth + 1)) : summary(Array.from(xs, Number));
      }
      if (Array.isArray(v)) {
        if (v.length > maxArray && v.every((x) => typeof x === 'number')) return summary(v as number[]);
        const items = v.slice(0, maxArray).map((x) => go(x, depth + 1));
        return v.length > maxArray ? [...items, `… ${v.length - maxArray} more`] : items;
      }
      if (v instanceof Map) return go(Object.fromEntries([...v].map(([k, x]) => [String(k), x])), depth);
      if (v instanceof Set) return go([...v], depth);
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        const y = go(x, depth + 1);
        if (y !== undefined) out[k] = y;
      }
      return out;
    } finally {
      seen.delete(v);
    }
  };
  return go(value, 0);
}
