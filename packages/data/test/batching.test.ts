import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classificationBatch, packBlocks, padBatch } from '../src/index.js';

const CLS = 1;
const SEP = 2;
const PAD = 0;

/** Naive oracle: build the whole stream as a JS array, then slice it. */
function packOracle(docs: number[][], L: number, pad: number | undefined): number[][] {
  const stream: number[] = [];
  for (const d of docs.filter((x) => x.length > 0)) {
    if (stream.length > 0) stream.push(SEP);
    stream.push(...d);
  }
  const C = L - 2;
  const out: number[][] = [];
  for (let s = 0; s < stream.length; s += C) {
    const chunk = stream.slice(s, s + C);
    if (chunk.length < C && pad === undefined) break;
    const block = [CLS, ...chunk, SEP];
    while (block.length < L) block.push(pad!);
    out.push(block);
  }
  return out;
}

const docsArb = fc.array(fc.array(fc.integer({ min: 5, max: 99 }), { maxLength: 40, size: 'max' }), { maxLength: 12 });

describe('packBlocks', () => {
  it('matches the naive stream-and-slice oracle, with and without padding', () => {
    fc.assert(
      fc.property(docsArb, fc.integer({ min: 3, max: 20 }), fc.boolean(), (docs, L, withPad) => {
        const pad = withPad ? 7 : undefined;
        const got = packBlocks(docs, L, { cls: CLS, sep: SEP, pad }).map((b) => Array.from(b));
        expect(got).toEqual(packOracle(docs, L, pad));
      }),
    );
  });

  it('returns fixed-length views of one buffer', () => {
    const docs = [Array.from({ length: 300 }, (_, i) => 10 + (i % 50))];
    const blocks = packBlocks(docs, 128, { cls: CLS, sep: SEP });
    expect(blocks.length).toBe(2);
    expect(blocks.every((b) => b.length === 128 && b[0] === CLS && b[127] === SEP)).toBe(true);
    expect(blocks[1].buffer).toBe(blocks[0].buffer);
    expect(blocks[1].byteOffset).toBe(128 * 4);
  });

  it('rejects bad arguments', () => {
    expect(() => packBlocks([[5]], 2, { cls: CLS, sep: SEP })).toThrow(/blockLength/);
    expect(() => packBlocks([[5, -1]], 8, { cls: CLS, sep: SEP })).toThrow(/document 0 position 1/);
    expect(() => packBlocks([[5]], 8, { cls: -1, sep: SEP })).toThrow(/cls/);
  });
});

describe('padBatch', () => {
  it('right-pads to the longest sequence and marks real tokens', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 20 }), { maxLength: 6 }),
        fc.option(fc.integer({ min: 1, max: 25 }), { nil: undefined }),
        fc.integer({ min: 1, max: 8 }),
        (seqs, maxLength, multipleOf) => {
          const { ids, mask, batch, seqLen } = padBatch(seqs, 99, { maxLength, multipleOf });
          const lens = seqs.map((s) => Math.min(s.length, maxLength ?? Infinity));
          const longest = Math.max(0, ...lens);
          expect(batch).toBe(seqs.length);
          expect(seqLen % multipleOf).toBe(0);
          expect(seqLen - longest).toBeGreaterThanOrEqual(0);
          expect(seqLen - longest).toBeLessThan(multipleOf);
          expect(ids.length).toBe(batch * seqLen);
          for (let b = 0; b < batch; b++) {
            for (let t = 0; t < seqLen; t++) {
              const real = t < lens[b];
              expect(mask[b * seqLen + t]).toBe(real ? 1 : 0);
              expect(ids[b * seqLen + t]).toBe(real ? seqs[b][t] : 99);
            }
          }
        },
      ),
    );
  });

  it('rejects bad options', () => {
    expect(() => padBatch([[1]], -1)).toThrow(/padId/);
    expect(() => padBatch([[1]], 0, { multipleOf: 0 })).toThrow(/multipleOf/);
    expect(() => padBatch([[1]], 0, { maxLength: 0 })).toThrow(/maxLength/);
  });
});

describe('classificationBatch', () => {
  it('frames, truncates and pads encoded texts and carries labels', () => {
    const encode = (t: string): number[] => t.split(' ').map((w) => w.length + 10);
    const out = classificationBatch(
      [
        { text: 'a bb ccc dddd eeeee', label: 1 },
        { text: 'x', label: 0 },
      ],
      encode,
      { cls: CLS, sep: SEP, pad: PAD, maxLength: 5 },
    );
    expect(out.seqLen).toBe(5);
    expect(Array.from(out.ids)).toEqual([CLS, 11, 12, 13, SEP, CLS, 11, SEP, PAD, PAD]);
    expect(Array.from(out.mask)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
    expect(Array.from(out.labels)).toEqual([1, 0]);
    expect(() => classificationBatch([], encode, { cls: CLS, sep: SEP, pad: PAD, maxLength: 1 })).toThrow(/maxLength/);
  });
});
