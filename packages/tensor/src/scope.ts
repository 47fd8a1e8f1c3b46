/**
 * Scoped lifetime management (like tfjs' `tidy`): tensors created inside `tidy(fn)` are disposed
 * when it returns, except those it returns or marks with `keep`. On the CPU the garbage collector
 * frees memory anyway; on WebGPU this is what keeps GPU memory bounded in long loops.
 */

/** Anything with a dispose method that a scope can track. */
export interface Disposable {
  dispose(): void;
  readonly isDisposed: boolean;
}

const scopes: Set<Disposable>[] = [];

/** Called by the Tensor constructor: registers a new tensor in the innermost scope. */
export function trackInScope(t: Disposable): void {
  const top = scopes[scopes.length - 1];
  if (top) top.add(t);
}

/** Removes `t` from every open scope so that it survives them. Returns `t`. */
export function keep<T extends Disposable>(t: T): T {
  for (const s of scopes) s.delete(t);
  return t;
}

function collect(value: unknown, out: Set<Disposable>, depth = 0): void {
  if (depth > 4 || value === null || typeof value !== 'object') return;
  if ('dispose' in value && 'isDisposed' in value) {
    out.add(value as Disposable);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collect(v, out, depth + 1);
  else if (value instanceof Map) for (const v of value.values()) collect(v, out, depth + 1);
  else if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) collect(v, out, depth + 1);
}

/**
 * Runs `fn`, then disposes every tensor created during it that is not part of its result
 * (tensors inside returned arrays, Maps and plain objects are kept, up to 4 levels deep).
 */
export function tidy<T>(fn: () => T): T {
  const scope = new Set<Disposable>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope) if (!t.isDisposed) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) {
    throw new TypeError('tidy: the function returned a Promise; tidy only manages synchronous work (await outside it)');
  }
  const kept = new Set<Disposable>();
  collect(result, kept);
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (kept.has(t)) parent?.add(t);
    else if (!t.isDisposed) t.dispose();
  }
  return result;
}
