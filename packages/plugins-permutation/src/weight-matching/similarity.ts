/**
 * The weight-matching similarity of one permutation space p (Ainsworth et al. 2023, ALGORITHMS.md
 * "Weight matching"): `S = Σ_W W_A^{(p-axis)} · (W_B'^{(p-axis)})ᵀ` over every parameter axis bound to
 * p, where `W_B'` is W_B with every OTHER bound axis already transformed by the current permutations,
 * and `X^{(p-axis)}` is X unfolded with p's axis as rows. `S[i, j]` rewards sending the model's
 * coordinate j to the anchor's coordinate i.
 */
import { actOnArray, type AxisBinding, indexSpec, type SymmetrySpec } from '@symfuse/symmetry';

/** Host f64 copies of the parameters of both models. */
export interface HostParams {
  readonly anchor: ReadonlyMap<string, Float64Array>;
  readonly model: ReadonlyMap<string, Float64Array>;
}

/**
 * `S += Σ_{o, r} A[o, start+i, r] · B[o, start+j, r]` for an array of `shape` unfolded at `axis`
 * (only coordinates `[start, start+n)` of the axis).
 */
export function accumulateAxisProduct(s: Float64Array, n: number, a: Float64Array, b: Float64Array, shape: readonly number[], axis: number, start: number): void {
  let outer = 1;
  for (let k = 0; k < axis; k++) outer *= shape[k];
  const len = shape[axis];
  let inner = 1;
  for (let k = axis + 1; k < shape.length; k++) inner *= shape[k];
  if (inner === 1) {
    // Rank-1 updates, contiguous in j: vectors, and the last axis of matrices (columns of W).
    for (let o = 0; o < outer; o++) {
      const base = o * len + start;
      for (let i = 0; i < n; i++) {
        const ai = a[base + i];
        if (ai === 0) continue;
        const row = i * n;
        for (let j = 0; j < n; j++) s[row + j] += ai * b[base + j];
      }
    }
    return;
  }
  // Dot products of contiguous fibres: rows of W.
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < n; i++) {
      const ai = ((o * len) + start + i) * inner;
      const row = i * n;
      for (let j = 0; j < n; j++) {
        const bj = ((o * len) + start + j) * inner;
        let dot = 0;
        for (let r = 0; r < inner; r++) dot += a[ai + r] * b[bj + r];
        s[row + j] += dot;
      }
    }
  }
}

/**
 * The similarity `[n, n]` of space `spaceId` given the current permutations of the other spaces
 * (`current`: space id → flat permutation; absent = identity).
 */
export function spaceSimilarity(spec: SymmetrySpec, spaceId: string, host: HostParams, current: ReadonlyMap<string, Int32Array>): Float64Array {
  const index = indexSpec(spec);
  const space = index.spaces.get(spaceId);
  if (!space) throw new Error(`weight-matching: space '${spaceId}' is not in spec '${spec.architecture}'`);
  const n = space.size;
  const s = new Float64Array(n * n);
  for (const b of index.bindingsBySpace.get(spaceId) ?? []) {
    const shape = spec.params[b.param];
    const a = host.anchor.get(b.param);
    let m = host.model.get(b.param);
    if (!a || !m) throw new Error(`weight-matching: parameter '${b.param}' (bound to '${spaceId}') is missing from the ${a ? 'model' : 'anchor'}`);
    m = transformOtherAxes(spec, b, m, shape, current);
    accumulateAxisProduct(s, n, a, m, shape, b.axis, b.range ? b.range[0] : 0);
  }
  return s;
}

/** `x` with the current permutation of every binding of its parameter except `skip` applied. */
function transformOtherAxes(spec: SymmetrySpec, skip: AxisBinding, x: Float64Array, shape: readonly number[], current: ReadonlyMap<string, Int32Array>): Float64Array {
  let out = x;
  for (const b of indexSpec(spec).bindingsByParam.get(skip.param) ?? []) {
    if (b === skip) continue;
    const perm = current.get(b.space);
    if (!perm) continue;
    out = actOnArray({ kind: 'permutation', perm }, out, { shape, axis: b.axis, role: b.role, range: b.range, what: `parameter '${b.param}'` });
  }
  return out;
}

/**
 * `Σ_W ⟨W_A, T(W_B)⟩` over `params` with every current permutation applied (the weight-matching
 * objective, for reports).
 */
export function matchingObjective(spec: SymmetrySpec, params: Iterable<string>, host: HostParams, current: ReadonlyMap<string, Int32Array>): number {
  const index = indexSpec(spec);
  let total = 0;
  for (const p of params) {
    const a = host.anchor.get(p);
    let m = host.model.get(p);
    if (!a || !m) continue;
    const shape = spec.params[p];
    for (const b of index.bindingsByParam.get(p) ?? []) {
      const perm = current.get(b.space);
      if (perm) m = actOnArray({ kind: 'permutation', perm }, m, { shape, axis: b.axis, role: b.role, range: b.range, what: `parameter '${p}'` });
    }
    for (let i = 0; i < a.length; i++) total += a[i] * m[i];
  }
  return total;
}
