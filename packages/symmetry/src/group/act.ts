/**
 * The action of a space element on a host array along one axis (see `spec.ts` for roles):
 * role `out` computes `T ·ₐ X`, role `in` computes `T⁻ᵀ ·ₐ X`. Permutations are exact gathers; linear
 * elements accumulate in f64 and round once into the array's dtype.
 */
import { TransformError } from '../errors.js';
import type { SpaceElement } from '../transform.js';
import { elementSize, headBlock, identityPermutation, inverseTransposeElement } from './element-ops.js';

/** A host array an element can act on. */
export type HostArray = Float32Array | Float64Array;

/** Where along a tensor an element acts. */
export interface ActSite {
  /** Shape of the array. */
  readonly shape: readonly number[];
  readonly axis: number;
  readonly role: 'out' | 'in';
  /** Only coordinates `[start, end)` of the axis (fused weights); default the whole axis. */
  readonly range?: readonly [number, number];
  /** Named in errors, e.g. the parameter. */
  readonly what?: string;
}

/**
 * Returns a new array: `X` with `T` (role `out`) or `T⁻ᵀ` (role `in`) applied along `site.axis`.
 * Never writes to `x`.
 * @param x row-major host data of shape `site.shape`.
 * @throws TransformError when the axis, range or element size do not fit.
 */
export function actOnArray<A extends HostArray>(e: SpaceElement, x: A, site: ActSite): A {
  const { shape, axis, role } = site;
  const what = site.what ?? 'array';
  if (!Number.isInteger(axis) || axis < 0 || axis >= shape.length) {
    throw new TransformError(`act: axis ${axis} is out of range for ${what} of shape [${shape.join(', ')}]`);
  }
  const len = shape[axis];
  const [start, end] = site.range ?? [0, len];
  if (!(start >= 0 && end <= len && start <= end)) {
    throw new TransformError(`act: range [${start}, ${end}) does not fit axis ${axis} (size ${len}) of ${what}`);
  }
  const n = end - start;
  const size = elementSize(e);
  if (size !== n) {
    throw new TransformError(`act: ${e.kind} element of size ${size} cannot act on axis ${axis} of ${what} (shape [${shape.join(', ')}]${site.range ? `, range [${start}, ${end})` : ''}: ${n} coordinates)`);
  }
  let outer = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i];
  let inner = 1;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i];
  if (x.length !== outer * len * inner) {
    throw new TransformError(`act: ${what} has ${x.length} elements but shape [${shape.join(', ')}] needs ${outer * len * inner}`);
  }
  const el = role === 'in' ? inverseTransposeElement(e) : e;
  const out = (n === len ? new (x.constructor as { new (n: number): A })(x.length) : x.slice()) as A;
  const g: Geometry = { outer, len, inner, start };
  switch (el.kind) {
    case 'permutation':
      gatherScale(x, out, g, el.perm, undefined);
      break;
    case 'scale':
      gatherScale(x, out, g, identityPermutation(n), el.scale);
      break;
    case 'monomial':
      gatherScale(x, out, g, el.perm, el.scale);
      break;
    case 'head': {
      const dk = el.headDim;
      for (let j = 0; j < el.headPerm.length; j++) {
        if (el.blockKind === 'identity') {
          blockGather(x, out, g, j * dk, el.headPerm[j] * dk, dk);
        } else {
          blockProduct(x, out, g, headBlock(el, j), dk, j * dk, el.headPerm[j] * dk);
        }
      }
      break;
    }
    case 'dense':
      blockProduct(x, out, g, el.matrix, n, 0, 0);
      break;
  }
  return out;
}

interface Geometry {
  readonly outer: number;
  readonly len: number;
  readonly inner: number;
  readonly start: number;
}

/** out[o, start+i, :] = s[i] · x[o, start+perm[i], :]. */
function gatherScale(x: HostArray, out: HostArray, g: Geometry, perm: Int32Array, s: Float64Array | undefined): void {
  const { outer, len, inner, start } = g;
  const n = perm.length;
  for (let o = 0; o < outer; o++) {
    const base = o * len;
    if (inner === 1) {
      const b = base + start;
      if (s) for (let i = 0; i < n; i++) out[b + i] = s[i] * x[b + perm[i]];
      else for (let i = 0; i < n; i++) out[b + i] = x[b + perm[i]];
      continue;
    }
    for (let i = 0; i < n; i++) {
      const dst = (base + start + i) * inner;
      const src = (base + start + perm[i]) * inner;
      if (!s) out.set(x.subarray(src, src + inner), dst);
      else {
        const f = s[i];
        for (let k = 0; k < inner; k++) out[dst + k] = f * x[src + k];
      }
    }
  }
}

/** out rows [dstRow, dstRow+dk) = x rows [srcRow, srcRow+dk) (relative to `start`). */
function blockGather(x: HostArray, out: HostArray, g: Geometry, dstRow: number, srcRow: number, dk: number): void {
  const { outer, len, inner, start } = g;
  for (let o = 0; o < outer; o++) {
    const dst = (o * len + start + dstRow) * inner;
    const src = (o * len + start + srcRow) * inner;
    out.set(x.subarray(src, src + dk * inner), dst);
  }
}

/**
 * out rows [dstRow + r] = Σ_c M[r, c] · x rows [srcRow + c], for an `[m, m]` block M (relative to
 * `start`), accumulated in f64.
 */
function blockProduct(x: HostArray, out: HostArray, g: Geometry, M: Float64Array, m: number, dstRow: number, srcRow: number): void {
  const { outer, len, inner, start } = g;
  if (inner === 1) {
    for (let o = 0; o < outer; o++) {
      const base = o * len + start;
      for (let r = 0; r < m; r++) {
        let acc = 0;
        const mr = r * m;
        for (let c = 0; c < m; c++) acc += M[mr + c] * x[base + srcRow + c];
        out[base + dstRow + r] = acc;
      }
    }
    return;
  }
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    const base = o * len + start;
    for (let r = 0; r < m; r++) {
      acc.fill(0);
      const mr = r * m;
      for (let c = 0; c < m; c++) {
        const f = M[mr + c];
        if (f === 0) continue;
        const src = (base + srcRow + c) * inner;
        for (let k = 0; k < inner; k++) acc[k] += f * x[src + k];
      }
      out.set(acc, (base + dstRow + r) * inner);
    }
  }
}
