/**
 * Group laws of every element kind, against independent dense oracles: act = dense product, role `in`
 * acts by T⁻ᵀ, identity, inverse, associativity of compose, act(compose) = act ∘ act. Exact for
 * permutations; a tolerance for continuous elements.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  actOnArray,
  composeElements,
  elementToDense,
  identityDefect,
  identityPermutation,
  inverseTransposeElement,
  invertElement,
  toHeadForm,
  checkElement,
  groupActions,
} from '../src/index.js';
import { arbFamilyCase, denseAlongAxis, drawElement, FAMILIES, identityDefectDense, maxAbsDiff, mul, mulTransposed, randomArray } from './helpers.js';

const TOL = 1e-9;
const runs = { numRuns: 150 };

describe('group actions', () => {
  it('every family draws elements its own space admits, with the right size', () => {
    fc.assert(
      fc.property(arbFamilyCase, ({ family, h, dk, seed }) => {
        const { space, element } = drawElement(family, h, dk, seed);
        const r = checkElement(space, element);
        expect(r.structural).toEqual([]);
        expect(r.symmetry).toEqual([]);
      }),
      runs,
    );
  });

  it('act(role out) is the dense product T·X along any axis; role in is T⁻ᵀ·X', () => {
    fc.assert(
      fc.property(arbFamilyCase, fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 3 }), ({ family, h, dk, seed }, axis, other) => {
        const { element, exact } = drawElement(family, h, dk, seed);
        const n = h * dk;
        const shape = [other, other + 1, other];
        shape[axis] = n;
        const x = randomArray(shape, seed + 7);
        const T = elementToDense(element);
        const out = actOnArray(element, x, { shape, axis, role: 'out' });
        const oracle = denseAlongAxis(T, x, shape, axis);
        if (exact) expect(Array.from(out)).toEqual(Array.from(oracle));
        else expect(maxAbsDiff(out, oracle)).toBeLessThan(TOL);
        // role in: Tᵀ · (T⁻ᵀ · X) = X, an oracle that never inverts anything.
        const inn = actOnArray(element, x, { shape, axis, role: 'in' });
        const Tt = new Float64Array(n * n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Tt[i * n + j] = T[j * n + i];
        const back = denseAlongAxis(Tt, inn, shape, axis);
        expect(maxAbsDiff(back, x)).toBeLessThan(exact ? 1e-15 : 1e-8);
      }),
      runs,
    );
  });

  it('act never writes to its input and keeps the dtype (f32 in, f32 out)', () => {
    const { element } = drawElement(7, 3, 2, 1);
    const x = randomArray([6, 4], 3, true) as Float32Array;
    const copy = Float32Array.from(x);
    const y = actOnArray(element, x, { shape: [6, 4], axis: 0, role: 'in' });
    expect(y).toBeInstanceOf(Float32Array);
    expect(Array.from(x)).toEqual(Array.from(copy));
  });

  it('ranges act only on [start, end) of an axis (fused weights)', () => {
    const { element } = drawElement(0, 1, 3, 11);
    const x = randomArray([2, 7], 5);
    const y = actOnArray(element, x, { shape: [2, 7], axis: 1, role: 'out', range: [2, 5] });
    const perm = (element as { perm: Int32Array }).perm;
    for (let r = 0; r < 2; r++) {
      for (const c of [0, 1, 5, 6]) expect(y[r * 7 + c]).toBe(x[r * 7 + c]);
      for (let i = 0; i < 3; i++) expect(y[r * 7 + 2 + i]).toBe(x[r * 7 + 2 + perm[i]]);
    }
  });

  it('inverse: T·T⁻¹ = I, and inverseTranspose is (T⁻¹)ᵀ', () => {
    fc.assert(
      fc.property(arbFamilyCase, ({ family, h, dk, seed }) => {
        const { element, exact } = drawElement(family, h, dk, seed);
        const n = h * dk;
        const T = elementToDense(element);
        const inv = elementToDense(invertElement(element));
        const d = identityDefectDense(mul(T, inv, n), n);
        if (exact) expect(d).toBe(0);
        else expect(d).toBeLessThan(1e-9);
        // T · (T⁻ᵀ)ᵀ = T · T⁻¹ = I
        expect(identityDefectDense(mulTransposed(T, elementToDense(inverseTransposeElement(element)), n), n)).toBeLessThan(exact ? 1e-15 : 1e-9);
        expect(identityDefect(composeElements(element, invertElement(element)))).toBeLessThan(exact ? Number.MIN_VALUE : 1e-9);
        expect(identityDefect(composeElements(invertElement(element), element))).toBeLessThan(exact ? Number.MIN_VALUE : 1e-9);
      }),
      runs,
    );
  });

  it('identity is neutral for compose', () => {
    fc.assert(
      fc.property(arbFamilyCase, ({ family, h, dk, seed }) => {
        const { element } = drawElement(family, h, dk, seed);
        const id = { kind: 'permutation' as const, perm: identityPermutation(h * dk) };
        expect(elementToDense(composeElements(element, id))).toEqual(elementToDense(element));
        expect(elementToDense(composeElements(id, element))).toEqual(elementToDense(element));
      }),
      runs,
    );
  });

  it('compose is the matrix product (any pair of families), associative, and act(a∘b) = act(a)∘act(b)', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 0, max: FAMILIES.length - 1 }), fc.integer({ min: 0, max: FAMILIES.length - 1 }), fc.integer({ min: 0, max: FAMILIES.length - 1 })),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.constantFrom<'out' | 'in'>('out', 'in'),
        ([fa, fb, fc_], h, dk, seed, role) => {
          const a = drawElement(fa, h, dk, seed, 'a');
          const b = drawElement(fb, h, dk, seed, 'b');
          const c = drawElement(fc_, h, dk, seed, 'c');
          const n = h * dk;
          const exact = a.exact && b.exact && c.exact;
          const ab = composeElements(a.element, b.element);
          const prod = mul(elementToDense(a.element), elementToDense(b.element), n);
          expect(maxAbsDiff(elementToDense(ab), prod)).toBeLessThan(exact ? Number.MIN_VALUE : 1e-9);
          const left = elementToDense(composeElements(ab, c.element));
          const right = elementToDense(composeElements(a.element, composeElements(b.element, c.element)));
          expect(maxAbsDiff(left, right)).toBeLessThan(exact ? Number.MIN_VALUE : 1e-9);
          const shape = [3, n];
          const x = randomArray(shape, seed);
          const once = actOnArray(ab, x, { shape, axis: 1, role });
          const twice = actOnArray(a.element, actOnArray(b.element, x, { shape, axis: 1, role }), { shape, axis: 1, role });
          expect(maxAbsDiff(once, twice)).toBeLessThan(exact ? Number.MIN_VALUE : 1e-9);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('permutations stay permutations (exact) under compose and inverse', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 1e6 }), (n, seed) => {
        const a = drawElement(0, 1, n, seed, 'a').element;
        const b = drawElement(0, 1, n, seed, 'b').element;
        expect(composeElements(a, b).kind).toBe('permutation');
        expect(invertElement(a).kind).toBe('permutation');
      }),
    );
  });

  it('toHeadForm gives the same matrix for head-respecting elements and undefined for ones that mix heads', () => {
    fc.assert(
      fc.property(arbFamilyCase, ({ family, h, dk, seed }) => {
        const { element } = drawElement(family, h, dk, seed);
        const hf = toHeadForm(element, dk);
        if (FAMILIES[family].heads || FAMILIES[family].kinds.every((k) => k === 'scale') || h * dk === dk) {
          expect(hf).toBeDefined();
        }
        if (hf) expect(maxAbsDiff(elementToDense(hf), elementToDense(element))).toBeLessThan(1e-15);
      }),
      runs,
    );
    // A permutation moving coordinate 0 of head 0 into head 1 mixes heads.
    expect(toHeadForm({ kind: 'permutation', perm: Int32Array.from([2, 1, 0, 3]) }, 2)).toBeUndefined();
  });
});

describe('identityElement', () => {
  it('is the identity of every family space', () => {
    fc.assert(
      fc.property(arbFamilyCase, ({ family, h, dk, seed }) => {
        const { space, element } = drawElement(family, h, dk, seed);
        const id = groupActions.identity(space);
        expect(identityDefect(id)).toBe(0);
        expect(checkElement(space, id)).toEqual({ structural: [], symmetry: [], ...(space.heads ? { headPerm: identityPermutation(h) } : {}) });
        expect(elementToDense(groupActions.compose(id, element))).toEqual(elementToDense(element));
      }),
      { numRuns: 50 },
    );
  });
});
