import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixedMasks, IGNORE_INDEX, maskTokens, SeededRandom } from '../src/index.js';

// Vocabulary: 0 PAD, 1 CLS, 2 SEP, 3 MASK, 4 UNK, 5.. ordinary tokens.
const PAD = 0;
const CLS = 1;
const SEP = 2;
const MASK = 3;
const SPECIAL = [PAD, CLS, SEP, MASK, 4];
const V = 1000;

/** `rows` blocks of length T: CLS, random ordinary ids, SEP, with a random amount of trailing padding. */
function makeBatch(seed: number, rows: number, T: number): { ids: Int32Array; att: Int32Array } {
  const r = new SeededRandom(seed);
  const ids = new Int32Array(rows * T);
  const att = new Int32Array(rows * T);
  for (let b = 0; b < rows; b++) {
    const len = 3 + r.nextInt(T - 2); // 3..T
    const base = b * T;
    ids[base] = CLS;
    for (let t = 1; t < len - 1; t++) ids[base + t] = 5 + r.nextInt(V - 5);
    ids[base + len - 1] = SEP;
    for (let t = 0; t < len; t++) att[base + t] = 1;
  }
  return { ids, att };
}

describe('maskTokens', () => {
  it('selects ≈ 15 % of eligible positions and splits them ≈ 80/10/10', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const { ids, att } = makeBatch(seed, 64, 256);
        const { inputIds, labels } = maskTokens(ids, { maskId: MASK, vocabSize: V, specialIds: SPECIAL, rng: seed ^ 0x55, attentionMask: att });
        let eligible = 0;
        let selected = 0;
        let masked = 0;
        let changed = 0;
        let kept = 0;
        for (let i = 0; i < ids.length; i++) {
          if (att[i] === 1 && !SPECIAL.includes(ids[i])) eligible++;
          if (labels[i] === IGNORE_INDEX) {
            if (inputIds[i] !== ids[i]) return false; // unselected positions are untouched
            continue;
          }
          selected++;
          if (labels[i] !== ids[i]) return false; // label is the original id
          if (inputIds[i] === MASK) masked++;
          else if (inputIds[i] === ids[i]) kept++;
          else changed++;
        }
        // eligible ≈ 8000: sd of the rate ≈ 0.004, of the mask share ≈ 0.02 (≥ 5 sd margins below).
        const rate = selected / eligible;
        const pm = masked / selected;
        const pr = changed / selected;
        const pk = kept / selected;
        return Math.abs(rate - 0.15) < 0.02 && Math.abs(pm - 0.8) < 0.06 && Math.abs(pr - 0.1) < 0.05 && Math.abs(pk - 0.1) < 0.05;
      }),
      { numRuns: 25 },
    );
  });

  it('never selects special tokens or padding, and never draws a special id as replacement', () => {
    fc.assert(
      fc.property(fc.integer(), fc.double({ min: 0, max: 1, noNaN: true }), (seed, rate) => {
        const { ids, att } = makeBatch(seed, 8, 40);
        const { inputIds, labels } = maskTokens(ids, {
          maskId: MASK,
          vocabSize: V,
          specialIds: SPECIAL,
          rng: seed,
          rate,
          replace: [0, 1, 0],
          attentionMask: att,
        });
        for (let i = 0; i < ids.length; i++) {
          const isSpecial = SPECIAL.includes(ids[i]) || att[i] === 0;
          if (isSpecial && (labels[i] !== IGNORE_INDEX || inputIds[i] !== ids[i])) return false;
          if (labels[i] !== IGNORE_INDEX && SPECIAL.includes(inputIds[i])) return false;
        }
        return true;
      }),
      { numRuns: 50 },
    );
  });

  it('skips positions whose attention mask is 0 even when their id is ordinary', () => {
    const ids = Int32Array.from({ length: 64 }, (_, i) => 10 + i);
    const att = Int32Array.from({ length: 64 }, (_, i) => (i % 3 === 0 ? 0 : 1));
    const { inputIds, labels } = maskTokens(ids, { maskId: MASK, vocabSize: V, specialIds: SPECIAL, rng: 4, rate: 1, attentionMask: att });
    for (let i = 0; i < 64; i++) {
      expect(labels[i]).toBe(att[i] === 0 ? IGNORE_INDEX : ids[i]);
      if (att[i] === 0) expect(inputIds[i]).toBe(ids[i]);
    }
  });

  it('rate 1 selects every eligible position; rate 0 none', () => {
    const { ids } = makeBatch(3, 4, 30);
    const all = maskTokens(ids, { maskId: MASK, vocabSize: V, specialIds: SPECIAL, rng: 1, rate: 1, replace: [1, 0, 0] });
    const none = maskTokens(ids, { maskId: MASK, vocabSize: V, specialIds: SPECIAL, rng: 1, rate: 0 });
    for (let i = 0; i < ids.length; i++) {
      const special = SPECIAL.includes(ids[i]);
      expect(all.inputIds[i]).toBe(special ? ids[i] : MASK);
      expect(none.labels[i]).toBe(IGNORE_INDEX);
    }
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const { ids } = makeBatch(5, 8, 64);
    const o = { maskId: MASK, vocabSize: V, specialIds: SPECIAL };
    expect(maskTokens(ids, { ...o, rng: 9 })).toEqual(maskTokens(ids, { ...o, rng: 9 }));
    expect(maskTokens(ids, { ...o, rng: 9 }).labels).not.toEqual(maskTokens(ids, { ...o, rng: 10 }).labels);
  });

  it('samples replacements from a mostly-special vocabulary without hanging', () => {
    const ids = Int32Array.from({ length: 200 }, () => 9);
    const specials = Array.from({ length: 9 }, (_, i) => i);
    const { inputIds, labels } = maskTokens(ids, { maskId: 3, vocabSize: 10, specialIds: specials, rng: 1, rate: 1, replace: [0, 1, 0] });
    expect(Array.from(inputIds).every((x) => x === 9)).toBe(true);
    expect(Array.from(labels).every((x) => x === 9)).toBe(true);
  });

  it('rejects bad inputs with messages naming the problem', () => {
    const o = { maskId: MASK, vocabSize: V, specialIds: SPECIAL, rng: 1 };
    expect(() => maskTokens([5, V], o)).toThrow(/position 1 holds id 1000/);
    expect(() => maskTokens([5], { ...o, rate: 2 })).toThrow(/rate/);
    expect(() => maskTokens([5], { ...o, replace: [0.5, 0.1, 0.1] })).toThrow(/sum/);
    expect(() => maskTokens([5], { ...o, maskId: V })).toThrow(/maskId/);
    expect(() => maskTokens([5, 6], { ...o, attentionMask: [1] })).toThrow(/attentionMask/);
    expect(() => maskTokens([5], { ...o, vocabSize: 5, maskId: 3, specialIds: [0, 1, 2, 3, 4], rate: 1, replace: [0, 1, 0] })).toThrow();
  });
});

describe('fixedMasks', () => {
  const blocks = Array.from({ length: 12 }, (_, b) => {
    const { ids } = makeBatch(100 + b, 1, 128);
    return ids;
  });
  const opts = { maskId: MASK, specialIds: SPECIAL };

  it('masks exactly max(1, round(0.15 · eligible)) non-special positions per block, all with [MASK]', () => {
    for (const [b, m] of fixedMasks(blocks, 7, opts).entries()) {
      const block = blocks[b];
      const eligible = Array.from(block).filter((id) => !SPECIAL.includes(id)).length;
      expect(m.positions.length).toBe(Math.max(1, Math.round(0.15 * eligible)));
      const posSet = new Set(m.positions);
      for (let t = 0; t < block.length; t++) {
        if (posSet.has(t)) {
          expect(SPECIAL.includes(block[t])).toBe(false);
          expect(m.inputIds[t]).toBe(MASK);
          expect(m.labels[t]).toBe(block[t]);
        } else {
          expect(m.inputIds[t]).toBe(block[t]);
          expect(m.labels[t]).toBe(IGNORE_INDEX);
        }
      }
      expect(Array.from(m.positions)).toEqual(Array.from(m.positions).sort((x, y) => x - y));
    }
  });

  it('gives the same masks on every call, per block regardless of the other blocks', () => {
    const a = fixedMasks(blocks, 7, opts);
    expect(fixedMasks(blocks, 7, opts)).toEqual(a);
    const firstFive = fixedMasks(blocks.slice(0, 5), 7, opts);
    expect(firstFive).toEqual(a.slice(0, 5));
    expect(fixedMasks(blocks, 8, opts).map((m) => Array.from(m.positions))).not.toEqual(a.map((m) => Array.from(m.positions)));
    // The input blocks are not modified.
    expect(blocks[0][0]).toBe(CLS);
  });

  it('handles blocks with nothing to mask and rejects a bad rate', () => {
    const [m] = fixedMasks([Int32Array.from([CLS, SEP, PAD])], 1, opts);
    expect(m.positions.length).toBe(0);
    expect(Array.from(m.inputIds)).toEqual([CLS, SEP, PAD]);
    expect(() => fixedMasks(blocks, 1, { ...opts, rate: 0 })).toThrow(/rate/);
  });

  it('selects positions uniformly (each eligible position ≈ 15 % of seeds)', () => {
    const block = Int32Array.from({ length: 22 }, (_, t) => (t === 0 ? CLS : t === 21 ? SEP : 5 + t));
    const hits = new Array(22).fill(0);
    const seeds = 4000;
    for (let s = 0; s < seeds; s++) for (const t of fixedMasks([block], s, opts)[0].positions) hits[t]++;
    expect(hits[0]).toBe(0);
    expect(hits[21]).toBe(0);
    // 20 eligible, 3 masked: p = 0.15 each, sd over 4000 seeds ≈ 0.0056.
    for (let t = 1; t < 21; t++) expect(Math.abs(hits[t] / seeds - 0.15)).toBeLessThan(0.03);
  });
});
