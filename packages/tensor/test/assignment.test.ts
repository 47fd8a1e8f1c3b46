import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { linearSumAssignment } from '../src/assignment/index.js';
import { Rng } from '../src/random/index.js';

/**
 * Independent oracle: the best total over every injective map from the shorter side to the longer one
 * (depth-first enumeration, at most 7!/0! = 5040 leaves). Forbidden entries are skipped; returns ±∞
 * (the worst value) when nothing is feasible.
 */
function bruteForce(c: number[][], maximize: boolean): number {
  const rows = c.length;
  const cols = rows === 0 ? 0 : c[0].length;
  const tall = rows > cols;
  const a = tall ? cols : rows;
  const b = tall ? rows : cols;
  const at = (i: number, j: number): number => (tall ? c[j][i] : c[i][j]);
  const used = new Array<boolean>(b).fill(false);
  const worst = maximize ? -Infinity : Infinity;
  let best = worst;
  const better = (x: number, y: number): boolean => (maximize ? x > y : x < y);
  const go = (i: number, acc: number): void => {
    if (i === a) {
      if (better(acc, best)) best = acc;
      return;
    }
    for (let j = 0; j < b; j++) {
      if (used[j]) continue;
      const v = at(i, j);
      if (v === worst) continue; // forbidden pair
      used[j] = true;
      go(i + 1, acc + v);
      used[j] = false;
    }
  };
  go(0, 0);
  return a === 0 ? 0 : best;
}

/** Structural checks every result must pass: sizes, ascending rows, distinct columns, total. */
function expectValid(c: number[][], res: ReturnType<typeof linearSumAssignment>): void {
  const rows = c.length;
  const cols = rows === 0 ? 0 : c[0].length;
  const k = Math.min(rows, cols);
  expect(res.rows.length).toBe(k);
  expect(res.cols.length).toBe(k);
  const seen = new Set<number>();
  let total = 0;
  for (let t = 0; t < k; t++) {
    if (t > 0) expect(res.rows[t]).toBeGreaterThan(res.rows[t - 1]);
    expect(res.rows[t]).toBeGreaterThanOrEqual(0);
    expect(res.rows[t]).toBeLessThan(rows);
    expect(res.cols[t]).toBeGreaterThanOrEqual(0);
    expect(res.cols[t]).toBeLessThan(cols);
    expect(seen.has(res.cols[t])).toBe(false);
    seen.add(res.cols[t]);
    total += c[res.rows[t]][res.cols[t]];
  }
  expect(res.total).toBeCloseTo(total, 12);
}

function closeTo(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

const smallMatrix = (maxDim: number, entry: fc.Arbitrary<number>): fc.Arbitrary<number[][]> =>
  fc
    .tuple(fc.integer({ min: 1, max: maxDim }), fc.integer({ min: 1, max: maxDim }))
    .chain(([r, c]) => fc.array(fc.array(entry, { minLength: c, maxLength: c }), { minLength: r, maxLength: r }));

const realEntry = fc.double({ min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true });
const tieEntry = fc.integer({ min: -3, max: 3 });

function random(rng: Rng, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => rng.uniform()));
}

describe('linearSumAssignment: optimality against brute force', () => {
  for (const maximize of [false, true]) {
    it(`equals brute force on random rectangular reals ≤ 7×7 (maximize=${maximize})`, () => {
      fc.assert(
        fc.property(smallMatrix(7, realEntry), (c) => {
          const res = linearSumAssignment(c, { maximize });
          expectValid(c, res);
          return closeTo(res.total, bruteForce(c, maximize));
        }),
        { numRuns: 150 },
      );
    });
    it(`equals brute force with many ties (integers in [-3, 3], maximize=${maximize})`, () => {
      fc.assert(
        fc.property(smallMatrix(7, tieEntry), (c) => {
          const res = linearSumAssignment(c, { maximize });
          expectValid(c, res);
          return res.total === bruteForce(c, maximize);
        }),
        { numRuns: 150 },
      );
    });
    it(`respects forbidden (infinite) entries (maximize=${maximize})`, () => {
      const forbid = maximize ? -Infinity : Infinity;
      const entry = fc.oneof({ weight: 3, arbitrary: realEntry }, { weight: 1, arbitrary: fc.constant(forbid) });
      fc.assert(
        fc.property(smallMatrix(6, entry), (c) => {
          const best = bruteForce(c, maximize);
          if (!Number.isFinite(best)) {
            expect(() => linearSumAssignment(c, { maximize })).toThrow(/infeasible/);
            return true;
          }
          const res = linearSumAssignment(c, { maximize });
          expectValid(c, res);
          for (let t = 0; t < res.rows.length; t++) expect(c[res.rows[t]][res.cols[t]]).not.toBe(forbid);
          return closeTo(res.total, best);
        }),
        { numRuns: 200 },
      );
    });
  }
});

describe('linearSumAssignment: never beaten by a random permutation', () => {
  // Sizes straddle the dense/candidate-graph switch (256) and include rectangles.
  const shapes: [number, number][] = [
    [20, 20],
    [90, 120],
    [120, 90],
    [255, 255],
    [256, 256],
    [400, 400],
  ];
  for (const [rows, cols] of shapes) {
    it(`${rows}×${cols}`, () => {
      const rng = new Rng(rows * 1000 + cols);
      const c = random(rng, rows, cols);
      for (const maximize of [false, true]) {
        const res = linearSumAssignment(c, { maximize });
        expectValid(c, res);
        for (let trial = 0; trial < 200; trial++) {
          const k = Math.min(rows, cols);
          const pr = rng.permutation(rows);
          const pc = rng.permutation(cols);
          let t = 0;
          for (let q = 0; q < k; q++) t += c[pr[q]][pc[q]];
          if (maximize) expect(res.total).toBeGreaterThanOrEqual(t - 1e-12);
          else expect(res.total).toBeLessThanOrEqual(t + 1e-12);
        }
      }
    });
  }
});

describe('linearSumAssignment: planted permutations', () => {
  for (const n of [5, 100, 700]) {
    it(`recovers a planted permutation of a strongly diagonal correlation-like matrix (n=${n})`, () => {
      const rng = new Rng(77 + n);
      const perm = rng.permutation(n);
      // C[i, perm[i]] ≈ 0.9, everything else small noise: the unique optimum is perm (maximize).
      const data = rng.fillNormal(new Float64Array(n * n), 0, 0.05);
      for (let i = 0; i < n; i++) data[i * n + perm[i]] += 0.9;
      const res = linearSumAssignment({ data, rows: n, cols: n }, { maximize: true });
      expect(Array.from(res.cols)).toEqual(Array.from(perm));
      // Minimising the negated matrix is the same problem.
      const neg = data.map((x) => -x);
      expect(Array.from(linearSumAssignment({ data: neg, rows: n, cols: n }).cols)).toEqual(Array.from(perm));
    });
  }
});

describe('linearSumAssignment: input forms agree', () => {
  it('nested, dense Float64Array, dense number[], tensor-like and Float32Array give the same answer', () => {
    for (const n of [9, 300]) {
      const rng = new Rng(5 + n);
      const f32 = rng.fillUniform(new Float32Array(n * n), -1, 1);
      const nested = Array.from({ length: n }, (_, i) => Array.from(f32.subarray(i * n, (i + 1) * n)));
      const f64 = Float64Array.from(f32);
      const ref = linearSumAssignment(nested, { maximize: true });
      const forms = [
        linearSumAssignment({ data: f64, rows: n, cols: n }, { maximize: true }),
        linearSumAssignment({ data: Array.from(f64), rows: n, cols: n }, { maximize: true }),
        linearSumAssignment({ data: f32, rows: n, cols: n }, { maximize: true }),
        linearSumAssignment({ shape: [n, n], dataSync: () => f32 }, { maximize: true }),
      ];
      for (const r of forms) {
        expect(Array.from(r.cols)).toEqual(Array.from(ref.cols));
        expect(r.total).toBeCloseTo(ref.total, 9);
      }
    }
  });

  it('a tall matrix gives the transpose of the wide answer, rows ascending', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 8 }), (
        seed,
        a,
        extra,
      ) => {
        const rng = new Rng(seed);
        const wide = random(rng, a, a + extra);
        const tall = wide[0].map((_, j) => wide.map((row) => row[j]));
        const w = linearSumAssignment(wide);
        const t = linearSumAssignment(tall);
        expectValid(tall, t);
        const pairsW = Array.from(w.rows, (r, q) => `${r},${w.cols[q]}`).sort();
        const pairsT = Array.from(t.rows, (r, q) => `${t.cols[q]},${r}`).sort();
        expect(pairsT).toEqual(pairsW);
      }),
      { numRuns: 60 },
    );
  });

  it('returns an empty result for empty matrices', () => {
    for (const c of [[], [[], []], { data: new Float64Array(0), rows: 0, cols: 4 }, { data: [], rows: 3, cols: 0 }]) {
      const r = linearSumAssignment(c as never);
      expect(r.rows.length).toBe(0);
      expect(r.cols.length).toBe(0);
      expect(r.total).toBe(0);
    }
  });

  it('does not modify its input', () => {
    const data = new Float64Array([3, 1, 2, 5, 4, 6, 9, 8, 7]);
    const copy = data.slice();
    linearSumAssignment({ data, rows: 3, cols: 3 }, { maximize: true });
    expect(Array.from(data)).toEqual(Array.from(copy));
  });
});

describe('linearSumAssignment: errors', () => {
  it('names a NaN entry', () => {
    expect(() => linearSumAssignment([[1, 2], [3, NaN]])).toThrow(/\(1, 1\) is NaN/);
    const big = new Float64Array(260 * 260);
    big[137 * 260 + 42] = NaN;
    expect(() => linearSumAssignment({ data: big, rows: 260, cols: 260 })).toThrow(/\(137, 42\) is NaN/);
  });

  it('names an infinite entry in the optimising direction', () => {
    expect(() => linearSumAssignment([[1, -Infinity], [3, 4]])).toThrow(/\(0, 1\) is -Infinity.*minimizing/);
    expect(() => linearSumAssignment([[1, 2], [Infinity, 4]], { maximize: true })).toThrow(
      /\(1, 0\) is Infinity.*maximizing/,
    );
    const big = new Float32Array(300 * 300);
    big[299 * 300 + 5] = Infinity;
    expect(() => linearSumAssignment({ shape: [300, 300], dataSync: () => big }, { maximize: true })).toThrow(
      /\(299, 5\) is Infinity/,
    );
    // Tall input is transposed internally, but the error still uses the caller's coordinates.
    expect(() => linearSumAssignment([[1, 2], [3, 4], [5, -Infinity]])).toThrow(/\(2, 1\)/);
  });

  it('reports infeasible matrices', () => {
    const I = Infinity;
    expect(() => linearSumAssignment([[1, I], [2, I]])).toThrow(/infeasible.*column 1/);
    expect(() => linearSumAssignment([[I, I, I], [1, 2, 3]])).toThrow(/infeasible/);
    // Hall violation without an all-forbidden line: rows 0 and 1 can only use column 0.
    expect(() => linearSumAssignment([[1, I, I], [2, I, I], [3, 4, 5]])).toThrow(/infeasible/);
    expect(() => linearSumAssignment([[-I, -I], [1, 2]], { maximize: true })).toThrow(/infeasible/);
    const n = 260; // the candidate-graph path
    const data = new Float64Array(n * n).fill(1);
    for (let i = 0; i < n; i++) data[i * n + 7] = I; // column 7 forbidden everywhere
    expect(() => linearSumAssignment({ data, rows: n, cols: n })).toThrow(/infeasible.*column 7/);
    const hall = new Float64Array(n * n).fill(1);
    for (let i = 0; i < 3; i++) for (let j = 1; j < n; j++) hall[i * n + j] = I; // rows 0-2 need column 0
    expect(() => linearSumAssignment({ data: hall, rows: n, cols: n })).toThrow(/infeasible/);
  });

  it('names the ragged row', () => {
    expect(() => linearSumAssignment([[1, 2], [3, 4], [5]])).toThrow(/row 2 has 1 entries, row 0 has 2/);
    expect(() => linearSumAssignment([[1, 2], 3 as never])).toThrow(/row 1/);
  });

  it('rejects malformed inputs with the shape seen', () => {
    expect(() => linearSumAssignment({ data: new Float64Array(5), rows: 2, cols: 3 })).toThrow(/5 entries.*6/);
    expect(() => linearSumAssignment({ shape: [2, 2, 2], dataSync: () => new Float32Array(8) })).toThrow(
      /2-D.*\[2, 2, 2\]/,
    );
    expect(() => linearSumAssignment([[1, '2' as never]])).toThrow(/\(0, 1\) is string/);
    expect(() => linearSumAssignment({ data: new BigInt64Array(4) as never, rows: 2, cols: 2 })).toThrow(
      /BigInt64Array/,
    );
    expect(() => linearSumAssignment(42 as never)).toThrow(/number\[\]\[\]/);
  });
});
