/**
 * Checks that statistics belong to the model they are used with: kind, architecture, entry names and
 * shapes, and (when the collector recorded it) the fingerprint of the parameters they were computed
 * on. Errors name the entry and what differs, so statistics of another model or architecture are
 * refused before anything is merged or written.
 */
import { fmtShape, shapesEqual, type Tensor } from '@symfuse/tensor';
import { hostF64 } from '../host-f64.js';
import type { ModelWeights, StatLayout, StatsBundle } from '../interfaces.js';

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

function hashString(s: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return mix32(h);
}

/**
 * A 64-bit fingerprint (16 hex digits) of a model's parameters: names, shapes and the f32 bit
 * patterns of every value. Within a parameter the values are hashed as a sum of mixed bit patterns,
 * so the fingerprint is unchanged by permutations of a parameter's entries (e.g. a permutation
 * alignment) but changes with any value.
 */
export async function paramsFingerprint(params: ReadonlyMap<string, Tensor>): Promise<string> {
  let a = 0x9e3779b9;
  let b = 0x85ebca6b;
  for (const name of [...params.keys()].sort()) {
    const t = params.get(name)!;
    const f32 = Float32Array.from(await hostF64(t));
    const bits = new Uint32Array(f32.buffer);
    let sa = 0;
    let sb = 0;
    for (let i = 0; i < bits.length; i++) {
      sa = (sa + mix32(bits[i] ^ 0x5bd1e995)) >>> 0;
      sb = (sb + mix32(bits[i] + 0x27d4eb2f)) >>> 0;
    }
    const key = `${name}[${t.shape.join(',')}]`;
    a = mix32(a ^ hashString(key, sa));
    b = mix32(b ^ hashString(key, sb ^ 0xa5a5a5a5));
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}

/** What {@link assertStatsFit} checks against. */
export interface StatsFitExpectation {
  /** Expected `bundle.kind`. */
  readonly kind: string;
  /** How entries relate to parameters: per-parameter shape, or `[in, in]` of a linear weight. */
  readonly layout: Exclude<StatLayout, 'pairwise'>;
  /** The model the statistics are used with: entries must name its parameters, with matching shapes. */
  readonly model: ModelWeights;
  /** Expected `meta.architecture` (when the bundle records one). */
  readonly architecture?: string;
  /** Compare `meta.fingerprint` (when recorded) with the model's parameters: only for unaligned models. */
  readonly checkFingerprint?: boolean;
  /** Prefix of error messages (the merger, the file, …). */
  readonly who: string;
}

/**
 * Throws when `bundle` does not fit `expect.model`.
 * @throws Error naming the entry (or meta key) and what differs.
 */
export async function assertStatsFit(bundle: StatsBundle, expect: StatsFitExpectation): Promise<void> {
  const { who, model } = expect;
  const what = `'${bundle.kind}' statistics${bundle.meta.model !== undefined ? ` of model ${JSON.stringify(bundle.meta.model)}` : ''}`;
  if (bundle.kind !== expect.kind) throw new Error(`${who}: got ${what}; expected '${expect.kind}' statistics`);
  const arch = bundle.meta.architecture;
  if (expect.architecture !== undefined && arch !== undefined && arch !== expect.architecture) {
    throw new Error(`${who}: ${what} were computed on architecture '${arch}' but the model is '${expect.architecture}'`);
  }
  for (const [name, e] of bundle.entries) {
    const p = model.params.get(name);
    if (!p) {
      throw new Error(`${who}: ${what} have an entry '${name}' that names no parameter of the model${model.id ? ` '${model.id}'` : ''} (statistics of another architecture?)`);
    }
    const expected = expect.layout === 'per-param' ? p.shape : p.shape.length === 2 ? [p.shape[1], p.shape[1]] : undefined;
    if (!expected) throw new Error(`${who}: ${what} have a Gram entry '${name}' but that parameter has shape ${fmtShape(p.shape)}; Grams describe linear weights [out, in]`);
    if (!shapesEqual(e.shape, expected)) {
      throw new Error(`${who}: ${what} entry '${name}' has shape ${fmtShape(e.shape)} but the model's parameter ${fmtShape(p.shape)} needs ${fmtShape(expected)} (statistics of another model size?)`);
    }
    const size = expected.reduce((x, y) => x * y, 1);
    if (e.data.length !== size) throw new Error(`${who}: ${what} entry '${name}' holds ${e.data.length} values for shape ${fmtShape(e.shape)}`);
  }
  if (expect.checkFingerprint && bundle.meta.fingerprint !== undefined) {
    const fp = await paramsFingerprint(model.params);
    if (fp !== bundle.meta.fingerprint) {
      throw new Error(`${who}: ${what} were computed on other parameters (fingerprint ${bundle.meta.fingerprint}) than the model${model.id ? ` '${model.id}'` : ''} (fingerprint ${fp})`);
    }
  }
}
