import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { GRAM_PANEL, gramF32, gramF64, stopGemmPool } from '../src/backends/cpu/gemm/index.js';
import { ShapeError } from '../src/errors.js';
import { Rng } from '../src/random/index.js';

afterAll(async () => {
  await stopGemmPool();
});

/** XᵀX by plain f64 dot products: the oracle. */
function naiveGram(rows: number, cols: number, x: ArrayLike<number>): Float64Array {
  const g = new Float64Array(cols * cols);
  for (let i = 0; i < cols; i++) {
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += x[r * cols + i] * x[r * cols + j];
      g[i * cols + j] = s;
    }
  }
  return g;
}

function randomMatrix(rows: number, cols: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  return Float64Array.from({ length: rows * cols }, () => rng.normal() + 0.3);
}

function expectSymmetric(cols: number, g: ArrayLike<number>): void {
  for (let i = 0; i < cols; i++) for (let j = 0; j < i; j++) if (g[i * cols + j] !== g[j * cols + i]) throw new Error(`g[${i},${j}] = ${g[i * cols + j]} but g[${j},${i}] = ${g[j * cols + i]}`);
}

describe('gramF32 / gramF64 (XᵀX with the symmetric half of the work)', () => {
  // Column counts straddle the panel width so that partial panels and several panels both occur.
  const colsArb = fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: GRAM_PANEL - 2, max: GRAM_PANEL + 20 }));

  it('matches the f64 oracle and is exactly symmetric (f64)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 12 }), colsArb, fc.integer({ min: 0, max: 2 ** 31 - 1 }), (rows, cols, seed) => {
        const x = randomMatrix(rows, cols, seed);
        const g = gramF64(rows, cols, x);
        const want = naiveGram(rows, cols, x);
        expectSymmetric(cols, g);
        for (let i = 0; i < g.length; i++) expect(Math.abs(g[i] - want[i])).toBeLessThanOrEqual(1e-11 * (1 + Math.abs(want[i])) * Math.max(1, rows));
      }),
      { numRuns: 10 },
    );
  });

  it('matches the f64 oracle to f32 rounding and is exactly symmetric (f32)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), colsArb, fc.integer({ min: 0, max: 2 ** 31 - 1 }), (rows, cols, seed) => {
        const x = Float32Array.from(randomMatrix(rows, cols, seed));
        const g = gramF32(rows, cols, x);
        const want = naiveGram(rows, cols, x);
        expectSymmetric(cols, g);
        // Scale of each entry: Σ|x_ri·x_rj| bounds the rounding of an f32 dot product of length rows.
        for (let i = 0; i < cols; i++) {
          for (let j = 0; j < cols; j++) {
            let scale = 0;
            for (let r = 0; r < rows; r++) scale += Math.abs(x[r * cols + i] * x[r * cols + j]);
            expect(Math.abs(g[i * cols + j] - want[i * cols + j])).toBeLessThanOrEqual(4 * rows * 2 ** -24 * scale + 1e-30);
          }
        }
      }),
      { numRuns: 8 },
    );
  });

  it('writes into a given output, overwriting what was there', () => {
    const x = Float32Array.from(randomMatrix(7, 300, 5));
    const out = new Float32Array(300 * 300).fill(Number.NaN);
    expect(gramF32(7, 300, x, out)).toBe(out);
    expect(out.every((v) => Number.isFinite(v))).toBe(true);
  });

  it('refuses sizes that do not match the arrays, naming them', () => {
    expect(() => gramF32(3, 4, new Float32Array(11))).toThrow(ShapeError);
    expect(() => gramF32(3, 4, new Float32Array(12))).not.toThrow();
    expect(() => gramF64(3, 4, new Float64Array(12), new Float64Array(15))).toThrow(/expected cols² = 16/);
    expect(() => gramF64(-1, 4, new Float64Array(12))).toThrow(/non-negative integers, got rows=-1/);
  });
});
