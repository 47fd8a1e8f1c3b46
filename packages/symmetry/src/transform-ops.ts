/**
 * Whole-model transform algebra: composition, inverse, restriction to spaces, identity tests.
 * `composeTransforms(a, b)` applies `b` first, then `a` (per space: the matrix product `a·b`).
 */
import { composeElements, identityDefect, invertElement } from './group/element-ops.js';
import type { SpaceElement, Transform } from './transform.js';

function composeMaps(a: ReadonlyMap<string, SpaceElement>, b: ReadonlyMap<string, SpaceElement>): Map<string, SpaceElement> {
  const out = new Map<string, SpaceElement>();
  for (const id of new Set([...b.keys(), ...a.keys()])) {
    const ea = a.get(id);
    const eb = b.get(id);
    out.set(id, ea && eb ? composeElements(ea, eb) : (ea ?? eb)!);
  }
  return out;
}

/**
 * `a ∘ b`: the transform that applies `b`, then `a`. Per-parameter overrides compose with the
 * effective element of the other transform (its override for that parameter, else its space element).
 */
export function composeTransforms(a: Transform, b: Transform): Transform {
  const elements = composeMaps(a.elements, b.elements);
  let paramOverrides: Map<string, Map<string, SpaceElement>> | undefined;
  if (a.paramOverrides || b.paramOverrides) {
    paramOverrides = new Map();
    const params = new Set([...(b.paramOverrides?.keys() ?? []), ...(a.paramOverrides?.keys() ?? [])]);
    for (const p of params) {
      const oa = a.paramOverrides?.get(p);
      const ob = b.paramOverrides?.get(p);
      const spaces = new Set([...(ob?.keys() ?? []), ...(oa?.keys() ?? [])]);
      const m = new Map<string, SpaceElement>();
      for (const s of spaces) {
        const ea = oa?.get(s) ?? a.elements.get(s);
        const eb = ob?.get(s) ?? b.elements.get(s);
        m.set(s, ea && eb ? composeElements(ea, eb) : (ea ?? eb)!);
      }
      paramOverrides.set(p, m);
    }
  }
  const provenance = a.provenance || b.provenance ? { composed: [b.provenance ?? {}, a.provenance ?? {}] } : undefined;
  return {
    elements,
    preservesFunction: a.preservesFunction && b.preservesFunction,
    ...(paramOverrides ? { paramOverrides } : {}),
    ...(provenance ? { provenance } : {}),
  };
}

/** Composes a sequence applied in order: `composeAll([t1, t2, t3]) = t3 ∘ t2 ∘ t1`. */
export function composeAll(transforms: readonly Transform[]): Transform {
  let acc: Transform = { elements: new Map(), preservesFunction: true };
  for (const t of transforms) acc = composeTransforms(t, acc);
  return acc;
}

/** `t⁻¹` (every element and override inverted). */
export function invertTransform(t: Transform): Transform {
  const inv = (m: ReadonlyMap<string, SpaceElement>) => new Map([...m].map(([k, e]) => [k, invertElement(e)] as const));
  return {
    elements: inv(t.elements),
    preservesFunction: t.preservesFunction,
    ...(t.paramOverrides ? { paramOverrides: new Map([...t.paramOverrides].map(([p, m]) => [p, inv(m)] as const)) } : {}),
    ...(t.provenance ? { provenance: { inverseOf: t.provenance } } : {}),
  };
}

/** `t` with only the elements of `spaceIds` (overrides restricted the same way). */
export function restrictTransform(t: Transform, spaceIds: Iterable<string>): Transform {
  const keep = new Set(spaceIds);
  const filter = (m: ReadonlyMap<string, SpaceElement>) => new Map([...m].filter(([k]) => keep.has(k)));
  return {
    elements: filter(t.elements),
    preservesFunction: t.preservesFunction,
    ...(t.paramOverrides ? { paramOverrides: new Map([...t.paramOverrides].map(([p, m]) => [p, filter(m)] as const)) } : {}),
    ...(t.provenance ? { provenance: t.provenance } : {}),
  };
}

/**
 * The largest deviation from the identity over the elements of `t` (restricted to `spaceIds` when
 * given): 0 for the identity, Infinity when some space's coordinates are permuted.
 */
export function transformIdentityDefect(t: Transform, spaceIds?: Iterable<string>): number {
  const keep = spaceIds ? new Set(spaceIds) : undefined;
  let d = 0;
  for (const [id, e] of t.elements) if (!keep || keep.has(id)) d = Math.max(d, identityDefect(e));
  for (const m of t.paramOverrides?.values() ?? []) for (const [id, e] of m) if (!keep || keep.has(id)) d = Math.max(d, identityDefect(e));
  return d;
}
