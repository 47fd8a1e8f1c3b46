/**
 * Moving statistics into another basis: when a model is transformed, statistics that live in its
 * spaces transform with it, so they need not be collected again (RegMean Grams, Fisher diagonals).
 */
import { elementFor } from './apply.js';
import { TransformError } from './errors.js';
import { actOnArray } from './group/act.js';
import { headBlock } from './group/element-ops.js';
import type { StatEntry, StatLayout, StatsBundle } from './interfaces.js';
import { indexSpec, type SymmetrySpec } from './spec.js';
import type { PermutationElement, SpaceElement, Transform } from './transform.js';
import { assertTransformFits } from './transform-validate.js';

function knownParam(spec: SymmetrySpec, name: string, op: string): readonly number[] {
  const shape = spec.params[name];
  if (!shape) {
    const names = Object.keys(spec.params);
    throw new TransformError(`${op}: '${name}' is not a parameter of spec '${spec.architecture}' (${names.length} parameters, e.g. ${names.slice(0, 4).join(', ')})`);
  }
  return shape;
}

/**
 * The Gram matrix of the input of linear weight `weightName` (`[out, in]`) after `transform`: the
 * input lives in the space bound to the weight's in-axis; inputs `x → T x` turn `G = Σ x xᵀ` into
 * `T G Tᵀ` (for an in-axis bound with role `in`, the usual case; role `out` gives `T⁻ᵀ G T⁻¹`).
 * An unbound or untransformed in-axis leaves G unchanged (the same entry is returned).
 * Checks sizes but does not validate the transform against the spec (call `validateTransform` once,
 * or use `transformStatsBundle`, which does).
 * @param gram `[in, in]` (row-major f64).
 * @throws TransformError when the weight is unknown or G's shape does not match its in-axis.
 */
export function transformGram(spec: SymmetrySpec, transform: Transform, weightName: string, gram: StatEntry): StatEntry {
  const op = 'transformGram';
  const shape = knownParam(spec, weightName, op);
  if (shape.length !== 2) throw new TransformError(`${op}: '${weightName}' has shape [${shape.join(', ')}]; expected a linear weight [out, in]`);
  const n = shape[1];
  if (gram.shape.length !== 2 || gram.shape[0] !== n || gram.shape[1] !== n || gram.data.length !== n * n) {
    throw new TransformError(`${op}: the Gram of '${weightName}' has shape [${gram.shape.join(', ')}]; expected [${n}, ${n}] (the weight's in-axis)`);
  }
  let data = gram.data;
  for (const b of indexSpec(spec).bindingsByParam.get(weightName) ?? []) {
    if (b.axis !== 1) continue;
    const e = elementFor(transform, b);
    if (!e) continue;
    // x' = A x with A = T (binding role 'in') or T⁻ᵀ (role 'out'): act with the opposite role.
    const role = b.role === 'in' ? 'out' : 'in';
    const what = `Gram of '${weightName}' (space '${b.space}')`;
    data = actOnArray(e, data, { shape: [n, n], axis: 0, role, range: b.range, what });
    data = actOnArray(e, data, { shape: [n, n], axis: 1, role, range: b.range, what });
  }
  return data === gram.data ? gram : { shape: gram.shape, data };
}

/** The permutation an element denotes, or undefined when it is not a pure permutation. */
export function asPermutation(e: SpaceElement): PermutationElement | undefined {
  if (e.kind === 'permutation') return e;
  if (e.kind === 'monomial') return e.scale.every((s) => s === 1) ? { kind: 'permutation', perm: e.perm } : undefined;
  if (e.kind === 'head' && (e.blockKind === 'identity' || e.blockKind === 'permutation')) {
    const dk = e.headDim;
    const perm = new Int32Array(e.headPerm.length * dk);
    for (let j = 0; j < e.headPerm.length; j++) {
      const b = headBlock(e, j);
      for (let r = 0; r < dk; r++) {
        let c = 0;
        while (c < dk && b[r * dk + c] !== 1) c++;
        perm[j * dk + r] = e.headPerm[j] * dk + c;
      }
    }
    return { kind: 'permutation', perm };
  }
  return undefined;
}

/**
 * Per-parameter statistics (entries named and shaped like parameters, e.g. diagonal Fisher) after
 * `transform`: permuted along every bound axis exactly like the parameters. Only permutations move
 * such statistics exactly; any other element is an error.
 * @throws TransformError naming the entry, the space and the element kind.
 */
export function transformParamStats(spec: SymmetrySpec, transform: Transform, entries: ReadonlyMap<string, StatEntry>): Map<string, StatEntry> {
  const op = 'transformParamStats';
  assertTransformFits(spec, transform, op);
  const index = indexSpec(spec);
  const out = new Map<string, StatEntry>();
  for (const [name, entry] of entries) {
    const shape = knownParam(spec, name, op);
    if (entry.shape.length !== shape.length || entry.shape.some((d, i) => d !== shape[i])) {
      throw new TransformError(`${op}: entry '${name}' has shape [${entry.shape.join(', ')}] but the parameter has shape [${shape.join(', ')}]`);
    }
    let data = entry.data;
    for (const b of index.bindingsByParam.get(name) ?? []) {
      const e = elementFor(transform, b);
      if (!e) continue;
      const p = asPermutation(e);
      if (!p) {
        throw new TransformError(
          `${op}: space '${b.space}' carries a ${e.kind}${e.kind === 'head' ? ` (${e.blockKind} blocks)` : ''} element; per-parameter statistics such as diagonal Fisher move exactly only under permutations (entry '${name}')`,
        );
      }
      data = actOnArray(p, data, { shape, axis: b.axis, role: b.role, range: b.range, what: `statistics of '${name}'` });
    }
    out.set(name, data === entry.data ? entry : { shape: entry.shape, data });
  }
  return out;
}

/**
 * A whole bundle moved into the transformed basis according to its layout (see `StatLayout`).
 * @throws TransformError for `pairwise` statistics (anchor × model): collect them again instead.
 */
export function transformStatsBundle(spec: SymmetrySpec, transform: Transform, bundle: StatsBundle, layout: StatLayout): StatsBundle {
  switch (layout) {
    case 'linear-input-gram': {
      assertTransformFits(spec, transform, 'transformStatsBundle');
      const entries = new Map<string, StatEntry>();
      for (const [name, g] of bundle.entries) entries.set(name, transformGram(spec, transform, name, g));
      return { kind: bundle.kind, meta: bundle.meta, entries };
    }
    case 'per-param':
      return { kind: bundle.kind, meta: bundle.meta, entries: transformParamStats(spec, transform, bundle.entries) };
    case 'pairwise':
      throw new TransformError(`transformStatsBundle: '${bundle.kind}' statistics are pairwise (anchor × model) and cannot be moved by a transform; collect them again on the transformed model`);
  }
}
