/**
 * Group operations on space elements: size, inverse, inverse-transpose, composition, dense and
 * head-structured views, distance from the identity. `composeElements(a, b)` is the matrix product
 * `a·b`: apply `b` first, then `a`.
 */
import { TransformError } from '../errors.js';
import type { DenseElement, HeadBlockKind, HeadElement, MonomialElement, SpaceElement } from '../transform.js';
import { identitySq, invertSq, matmulSq, scaledOrthogonalDefect, transposeSq } from './small-linalg.js';

/** Tolerance of structural classification of f64 blocks (orthogonality, equal scales). */
export const STRUCTURE_TOL = 1e-9;

/** The size `n` of the space an element acts on. */
export function elementSize(e: SpaceElement): number {
  switch (e.kind) {
    case 'permutation':
      return e.perm.length;
    case 'scale':
      return e.scale.length;
    case 'monomial':
      return e.perm.length;
    case 'head':
      return e.headPerm.length * e.headDim;
    case 'dense':
      return Math.round(Math.sqrt(e.matrix.length));
  }
}

/** `p⁻¹` of a permutation array (`inv[p[i]] = i`). */
export function invertPermutation(p: Int32Array): Int32Array {
  const inv = new Int32Array(p.length);
  for (let i = 0; i < p.length; i++) inv[p[i]] = i;
  return inv;
}

/** True when `p[i] = i` for all i. */
export function isIdentityPermutation(p: Int32Array): boolean {
  for (let i = 0; i < p.length; i++) if (p[i] !== i) return false;
  return true;
}

/** The identity permutation of `0..n−1`. */
export function identityPermutation(n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return p;
}

function monomialOf(e: SpaceElement): MonomialElement | undefined {
  if (e.kind === 'monomial') return e;
  if (e.kind === 'permutation') return { kind: 'monomial', perm: e.perm, scale: new Float64Array(e.perm.length).fill(1) };
  if (e.kind === 'scale') return { kind: 'monomial', perm: identityPermutation(e.scale.length), scale: e.scale };
  return undefined;
}

/** The simplest element kind equal to a monomial (permutation, scale or monomial). */
function simplifyMonomial(perm: Int32Array, scale: Float64Array): SpaceElement {
  let unit = true;
  for (let i = 0; i < scale.length && unit; i++) unit = scale[i] === 1;
  if (unit) return { kind: 'permutation', perm };
  if (isIdentityPermutation(perm)) return { kind: 'scale', scale };
  return { kind: 'monomial', perm, scale };
}

function checkSameSize(op: string, a: SpaceElement, b: SpaceElement): number {
  const n = elementSize(a);
  const m = elementSize(b);
  if (n !== m) throw new TransformError(`${op}: elements act on spaces of different sizes (${a.kind} of size ${n}, ${b.kind} of size ${m})`);
  return n;
}

/** Block `j` of a head element (the identity when `blockKind` is `identity`). */
export function headBlock(e: HeadElement, j: number): Float64Array {
  if (e.blockKind === 'identity' || !e.blocks) return identitySq(e.headDim);
  return e.blocks[j];
}

function combineBlockKinds(a: HeadBlockKind, b: HeadBlockKind): HeadBlockKind {
  if (a === 'identity') return b;
  if (b === 'identity') return a;
  if (a === b) return a;
  if ((a === 'permutation' && b === 'orthogonal') || (a === 'orthogonal' && b === 'permutation')) return 'orthogonal';
  return 'general';
}

function blockInverse(kind: HeadBlockKind, m: Float64Array, dk: number): Float64Array {
  switch (kind) {
    case 'identity':
      return identitySq(dk);
    case 'permutation':
    case 'orthogonal':
      return transposeSq(m, dk);
    case 'scale': {
      const out = new Float64Array(dk * dk);
      const a = 1 / m[0];
      for (let i = 0; i < dk; i++) out[i * dk + i] = a;
      return out;
    }
    case 'general':
      return invertSq(m, dk, 'head block');
  }
}

/** `T⁻¹`. */
export function invertElement(e: SpaceElement): SpaceElement {
  switch (e.kind) {
    case 'permutation':
      return { kind: 'permutation', perm: invertPermutation(e.perm) };
    case 'scale':
      return { kind: 'scale', scale: e.scale.map((s) => 1 / s) };
    case 'monomial': {
      // y[i] = s[i] x[p[i]] ⇒ x[k] = y[q[k]] / s[q[k]] with q = p⁻¹.
      const q = invertPermutation(e.perm);
      const s = new Float64Array(q.length);
      for (let k = 0; k < q.length; k++) s[k] = 1 / e.scale[q[k]];
      return { kind: 'monomial', perm: q, scale: s };
    }
    case 'head': {
      // (B Π_σ)⁻¹ = blockdiag(B⁻¹_{σ⁻¹(j)}) Π_{σ⁻¹}.
      const inv = invertPermutation(e.headPerm);
      if (e.blockKind === 'identity') return { ...e, headPerm: inv };
      const blocks = Array.from(inv, (src) => blockInverse(e.blockKind, headBlock(e, src), e.headDim));
      return { kind: 'head', headPerm: inv, headDim: e.headDim, blockKind: e.blockKind, blocks };
    }
    case 'dense':
      return {
        kind: 'dense',
        matrix: transposeSq(e.inverseTranspose, elementSize(e)),
        inverseTranspose: transposeSq(e.matrix, elementSize(e)),
      };
  }
}

const itCache = new WeakMap<SpaceElement, SpaceElement>();

/** `T⁻ᵀ`, what role-`in` axes receive (cached per element object). */
export function inverseTransposeElement(e: SpaceElement): SpaceElement {
  const cached = itCache.get(e);
  if (cached) return cached;
  let out: SpaceElement;
  switch (e.kind) {
    case 'permutation':
      out = e; // Pᵀ = P⁻¹ ⇒ P⁻ᵀ = P
      break;
    case 'scale':
      out = { kind: 'scale', scale: e.scale.map((s) => 1 / s) };
      break;
    case 'monomial':
      out = { kind: 'monomial', perm: e.perm, scale: e.scale.map((s) => 1 / s) }; // (D P)⁻ᵀ = D⁻¹ P
      break;
    case 'head': {
      // (B Π)⁻ᵀ = B⁻ᵀ Π: same σ, blocks inverse-transposed.
      if (e.blockKind === 'identity' || e.blockKind === 'permutation' || e.blockKind === 'orthogonal') out = e;
      else {
        const dk = e.headDim;
        const blocks = e.blocks!.map((m) => transposeSq(blockInverse(e.blockKind, m, dk), dk));
        out = { ...e, blocks };
      }
      break;
    }
    case 'dense':
      out = { kind: 'dense', matrix: e.inverseTranspose, inverseTranspose: e.matrix };
      break;
  }
  itCache.set(e, out);
  return out;
}

/**
 * The head-structured form of `e` with head size `headDim`, or undefined when `e` mixes coordinates
 * of different heads (e.g. an "ignore-heads" permutation).
 */
export function toHeadForm(e: SpaceElement, headDim: number): HeadElement | undefined {
  const n = elementSize(e);
  if (headDim <= 0 || n % headDim !== 0) return undefined;
  const h = n / headDim;
  const dk = headDim;
  if (e.kind === 'head') return e.headDim === headDim ? e : undefined;
  if (e.kind === 'dense') return denseToHeadForm(e, h, dk);
  const m = monomialOf(e)!;
  const headPerm = new Int32Array(h);
  const blocks: Float64Array[] = [];
  for (let j = 0; j < h; j++) {
    const src = Math.floor(m.perm[j * dk] / dk);
    headPerm[j] = src;
    const b = new Float64Array(dk * dk);
    for (let r = 0; r < dk; r++) {
      const p = m.perm[j * dk + r];
      if (Math.floor(p / dk) !== src) return undefined;
      b[r * dk + (p - src * dk)] = m.scale[j * dk + r];
    }
    blocks.push(b);
  }
  // A monomial that keeps head blocks together also permutes whole heads: σ must be a permutation.
  if (!isPermutationArray(headPerm)) return undefined;
  return { kind: 'head', headPerm, headDim, blockKind: headBlockKindOf(blocks, dk), blocks };
}

function denseToHeadForm(e: DenseElement, h: number, dk: number): HeadElement | undefined {
  const n = h * dk;
  const headPerm = new Int32Array(h).fill(-1);
  const blocks: Float64Array[] = [];
  for (let j = 0; j < h; j++) {
    for (let k = 0; k < h; k++) {
      let nonzero = false;
      for (let r = 0; r < dk && !nonzero; r++) for (let c = 0; c < dk && !nonzero; c++) nonzero = e.matrix[(j * dk + r) * n + k * dk + c] !== 0;
      if (!nonzero) continue;
      if (headPerm[j] >= 0) return undefined;
      headPerm[j] = k;
    }
    if (headPerm[j] < 0) return undefined;
    const b = new Float64Array(dk * dk);
    for (let r = 0; r < dk; r++) for (let c = 0; c < dk; c++) b[r * dk + c] = e.matrix[(j * dk + r) * n + headPerm[j] * dk + c];
    blocks.push(b);
  }
  if (!isPermutationArray(headPerm)) return undefined;
  return { kind: 'head', headPerm, headDim: dk, blockKind: headBlockKindOf(blocks, dk), blocks };
}

/** True when `p` is a permutation of `0..p.length−1`. */
export function isPermutationArray(p: ArrayLike<number>): boolean {
  const seen = new Uint8Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const v = p[i];
    if (!Number.isInteger(v) || v < 0 || v >= p.length || seen[v]) return false;
    seen[v] = 1;
  }
  return true;
}

/** Structural class of one block (numerically, to {@link STRUCTURE_TOL}). */
export type BlockClass = 'identity' | 'permutation' | 'scale' | 'orthogonal' | 'scaled-orthogonal' | 'general';

/** Classifies a `[dk, dk]` block: identity ⊂ permutation ⊂ orthogonal ⊂ scaled-orthogonal; scale = a·I, a > 0. */
export function classifyBlock(m: Float64Array, dk: number): BlockClass {
  let isId = true;
  let isPerm = true;
  const a = m[0];
  let isScalar = a > 0;
  for (let r = 0; r < dk; r++) {
    let ones = 0;
    for (let c = 0; c < dk; c++) {
      const v = m[r * dk + c];
      if (v !== (r === c ? 1 : 0)) isId = false;
      if (v === 1) ones++;
      else if (v !== 0) isPerm = false;
      if (Math.abs(v - (r === c ? a : 0)) > STRUCTURE_TOL * Math.max(1, Math.abs(a))) isScalar = false;
    }
    if (ones !== 1) isPerm = false;
  }
  if (isId) return 'identity';
  if (isPerm) {
    // each row has exactly one 1; columns must be distinct too
    const cols = new Uint8Array(dk);
    let ok = true;
    for (let r = 0; r < dk && ok; r++) {
      for (let c = 0; c < dk; c++) {
        if (m[r * dk + c] === 1) {
          if (cols[c]) ok = false;
          cols[c] = 1;
        }
      }
    }
    if (ok) return 'permutation';
  }
  if (isScalar) return 'scale';
  const { defect, c2 } = scaledOrthogonalDefect(m, dk);
  if (defect <= STRUCTURE_TOL * Math.max(1, c2)) return Math.abs(c2 - 1) <= STRUCTURE_TOL ? 'orthogonal' : c2 > 0 ? 'scaled-orthogonal' : 'general';
  return 'general';
}

/** The narrowest {@link HeadBlockKind} that describes all `blocks`. */
export function headBlockKindOf(blocks: readonly Float64Array[], dk: number): HeadBlockKind {
  let kind: HeadBlockKind = 'identity';
  for (const b of blocks) {
    const c = classifyBlock(b, dk);
    const k: HeadBlockKind = c === 'scaled-orthogonal' ? 'general' : c;
    kind = combineBlockKinds(kind, k);
    // scale with permutation/orthogonal mixes into 'general' through combineBlockKinds
  }
  return kind;
}

function composeHeads(a: HeadElement, b: HeadElement): HeadElement {
  // (A Π_a)(B Π_b) = blockdiag(A_j B_{σa(j)}) Π_{σb∘σa}.
  const h = a.headPerm.length;
  const dk = a.headDim;
  const headPerm = new Int32Array(h);
  for (let j = 0; j < h; j++) headPerm[j] = b.headPerm[a.headPerm[j]];
  const blockKind = combineBlockKinds(a.blockKind, b.blockKind);
  if (blockKind === 'identity') return { kind: 'head', headPerm, headDim: dk, blockKind };
  const blocks: Float64Array[] = [];
  for (let j = 0; j < h; j++) {
    const ba = a.blockKind === 'identity' ? undefined : a.blocks![j];
    const bb = b.blockKind === 'identity' ? undefined : b.blocks![a.headPerm[j]];
    blocks.push(ba && bb ? matmulSq(ba, bb, dk) : Float64Array.from((ba ?? bb)!));
  }
  return { kind: 'head', headPerm, headDim: dk, blockKind, blocks };
}

/** The `[n, n]` row-major matrix `T` of an element. */
export function elementToDense(e: SpaceElement): Float64Array {
  const n = elementSize(e);
  if (e.kind === 'dense') return Float64Array.from(e.matrix);
  const t = new Float64Array(n * n);
  if (e.kind === 'head') {
    const dk = e.headDim;
    for (let j = 0; j < e.headPerm.length; j++) {
      const b = headBlock(e, j);
      const src = e.headPerm[j];
      for (let r = 0; r < dk; r++) for (let c = 0; c < dk; c++) t[(j * dk + r) * n + src * dk + c] = b[r * dk + c];
    }
    return t;
  }
  const m = monomialOf(e)!;
  for (let i = 0; i < n; i++) t[i * n + m.perm[i]] = m.scale[i];
  return t;
}

function denseOf(e: SpaceElement): DenseElement {
  if (e.kind === 'dense') return e;
  return { kind: 'dense', matrix: elementToDense(e), inverseTranspose: elementToDense(inverseTransposeElement(e)) };
}

/**
 * `a ∘ b` = the matrix product `a·b` (apply `b` first). The result has the most specific kind that
 * represents it: permutations and scales compose to permutations/scales/monomials; head elements with
 * anything that respects their blocks stay head elements; anything else becomes dense.
 */
export function composeElements(a: SpaceElement, b: SpaceElement): SpaceElement {
  const n = checkSameSize('compose', a, b);
  const ma = monomialOf(a);
  const mb = monomialOf(b);
  if (ma && mb) {
    // (Da Pa)(Db Pb): y[i] = sa[i] sb[pa[i]] x[pb[pa[i]]].
    const perm = new Int32Array(n);
    const scale = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      perm[i] = mb.perm[ma.perm[i]];
      scale[i] = ma.scale[i] * mb.scale[ma.perm[i]];
    }
    return simplifyMonomial(perm, scale);
  }
  if (a.kind === 'head' || b.kind === 'head') {
    const dk = a.kind === 'head' ? a.headDim : (b as HeadElement).headDim;
    const ha = toHeadForm(a, dk);
    const hb = toHeadForm(b, dk);
    if (ha && hb) return composeHeads(ha, hb);
  }
  const da = denseOf(a);
  const db = denseOf(b);
  return { kind: 'dense', matrix: matmulSq(da.matrix, db.matrix, n), inverseTranspose: matmulSq(da.inverseTranspose, db.inverseTranspose, n) };
}

/** `max |T − I|` over entries (Infinity when the coordinates are permuted). */
export function identityDefect(e: SpaceElement): number {
  switch (e.kind) {
    case 'permutation':
      return isIdentityPermutation(e.perm) ? 0 : Infinity;
    case 'scale':
      return maxAbsDiffFrom1(e.scale);
    case 'monomial':
      return isIdentityPermutation(e.perm) ? maxAbsDiffFrom1(e.scale) : Infinity;
    case 'head': {
      if (!isIdentityPermutation(e.headPerm)) return Infinity;
      if (e.blockKind === 'identity') return 0;
      const dk = e.headDim;
      let d = 0;
      for (const b of e.blocks!) for (let r = 0; r < dk; r++) for (let c = 0; c < dk; c++) d = Math.max(d, Math.abs(b[r * dk + c] - (r === c ? 1 : 0)));
      return d;
    }
    case 'dense': {
      const n = elementSize(e);
      let d = 0;
      for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) d = Math.max(d, Math.abs(e.matrix[r * n + c] - (r === c ? 1 : 0)));
      return d;
    }
  }
}

function maxAbsDiffFrom1(s: Float64Array): number {
  let d = 0;
  for (let i = 0; i < s.length; i++) d = Math.max(d, Math.abs(s[i] - 1));
  return d;
}
