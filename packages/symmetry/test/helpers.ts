/** Independent oracles and generators shared by the symmetry tests. */
import fc from 'fast-check';
import { Rng } from '@symfuse/tensor';
import { matmulOracle, nd } from '@symfuse/tensor/testing';
import { type GroupKind, randomElement, type SpaceElement, type SpaceSpec } from '../src/index.js';

/** Naive `T ·ₐ X` for a dense row-major `[n, n]` T over axis `axis` of `shape` (f64). */
export function denseAlongAxis(T: Float64Array, x: ArrayLike<number>, shape: readonly number[], axis: number): Float64Array {
  const n = shape[axis];
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const out = new Float64Array(x.length);
  for (let flat = 0; flat < x.length; flat++) {
    const i = Math.floor(flat / strides[axis]) % n;
    const base = flat - i * strides[axis];
    let s = 0;
    for (let j = 0; j < n; j++) s += T[i * n + j] * x[base + j * strides[axis]];
    out[flat] = s;
  }
  return out;
}

/** `a · bᵀ` for `[n, n]` matrices, naive (`@symfuse/tensor/testing`'s triple-loop oracle). */
export function mulTransposed(a: Float64Array, b: Float64Array, n: number): Float64Array {
  return matmulOracle(nd([n, n], a), nd([n, n], b), false, true).value.data;
}

/** `a · b`, naive. */
export function mul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  return matmulOracle(nd([n, n], a), nd([n, n], b), false, false).value.data;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

export function identityDefectDense(m: Float64Array, n: number): number {
  let d = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) d = Math.max(d, Math.abs(m[i * n + j] - (i === j ? 1 : 0)));
  return d;
}

/** Element families: a space shape and the kinds drawn for it. */
export const FAMILIES: readonly { name: string; heads?: boolean; kinds: readonly GroupKind[]; exact: boolean }[] = [
  { name: 'permutation', kinds: ['permutation'], exact: true },
  { name: 'scale', kinds: ['scale'], exact: false },
  { name: 'monomial', kinds: ['permutation', 'scale'], exact: false },
  { name: 'dense-orthogonal', kinds: ['orthogonal'], exact: false },
  { name: 'dense-invertible', kinds: ['invertible'], exact: false },
  { name: 'head-permutation', heads: true, kinds: ['head-permutation'], exact: true },
  { name: 'head+within-permutation', heads: true, kinds: ['head-permutation', 'permutation'], exact: true },
  { name: 'head-orthogonal', heads: true, kinds: ['head-permutation', 'head-orthogonal'], exact: false },
  { name: 'head-scale', heads: true, kinds: ['head-permutation', 'head-scale'], exact: false },
  { name: 'head-scaled-orthogonal', heads: true, kinds: ['head-orthogonal', 'head-scale'], exact: false },
  { name: 'head-invertible', heads: true, kinds: ['head-permutation', 'head-invertible'], exact: false },
];

/** A space for a family: `h` heads of `dk` (flat spaces have size h·dk). */
export function familySpace(f: (typeof FAMILIES)[number], h: number, dk: number): SpaceSpec {
  return {
    id: `test.${f.name}`,
    size: h * dk,
    component: f.heads ? 'attention-qk' : 'ffn',
    kinds: f.kinds,
    ...(f.heads ? { heads: { count: h, dim: dk } } : {}),
  };
}

/** [family index, heads, head dim, seed]. */
export const arbFamilyCase = fc.record({
  family: fc.integer({ min: 0, max: FAMILIES.length - 1 }),
  h: fc.integer({ min: 1, max: 4 }),
  dk: fc.integer({ min: 1, max: 5 }),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
});

/** A random element of the family on its space. */
export function drawElement(familyIndex: number, h: number, dk: number, seed: number, label = ''): { space: SpaceSpec; element: SpaceElement; exact: boolean } {
  const f = FAMILIES[familyIndex];
  const space = familySpace(f, h, dk);
  return { space, element: randomElement(space, f.kinds, new Rng(seed).fork(label)), exact: f.exact };
}

/** A random array of `shape` with entries in [-1, 1). */
export function randomArray(shape: readonly number[], seed: number, f32 = false): Float64Array | Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const rng = new Rng(seed);
  const a = f32 ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = 2 * rng.uniform() - 1;
  return a;
}
