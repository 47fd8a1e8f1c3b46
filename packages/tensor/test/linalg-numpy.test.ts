/**
 * Agreement with numpy/LAPACK on the committed fixture `fixtures/linalg-numpy.json`
 * (regenerate with `python3 packages/tensor/test/fixtures/linalg-fixtures.py`).
 * Factors that are unique only up to column signs are compared after aligning signs.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type Matrix64, cholesky, choleskySolve, eigh, procrustes, qr, solve, solveSpdWithRidge, svd } from '../src/linalg/index.js';

interface JsonMat {
  rows: number;
  cols: number;
  data: number[];
}
/** One fixture case; which fields are present depends on the routine (see linalg-fixtures.py). */
interface Case {
  name: string;
  A: JsonMat;
  B: JsonMat;
  X: JsonMat;
  Y: JsonMat;
  U: JsonMat;
  V: JsonMat;
  L: JsonMat;
  Q: JsonMat;
  R: JsonMat;
  S: number[];
  values: number[];
  vectors: JsonMat;
  residual: number;
  ridge: number;
  attempts: number;
}

const here = dirname(fileURLToPath(import.meta.url));
const fixture = JSON.parse(readFileSync(join(here, 'fixtures', 'linalg-numpy.json'), 'utf8')) as { cases: Record<string, Case[]> };

const m64 = (j: JsonMat): Matrix64 => ({ data: Float64Array.from(j.data), rows: j.rows, cols: j.cols });

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]));
  return e;
}

/** Max over columns j of min(‖a_j − b_j‖∞, ‖a_j + b_j‖∞): equality up to a sign per column. */
function columnsUpToSign(a: Matrix64, b: JsonMat, cols: number[]): number {
  let worst = 0;
  for (const j of cols) {
    let plus = 0;
    let minus = 0;
    for (let i = 0; i < a.rows; i++) {
      const x = a.data[i * a.cols + j];
      const y = b.data[i * b.cols + j];
      plus = Math.max(plus, Math.abs(x - y));
      minus = Math.max(minus, Math.abs(x + y));
    }
    worst = Math.max(worst, Math.min(plus, minus));
  }
  return worst;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('linalg agrees with numpy', () => {
  for (const c of fixture.cases.svd) {
    it(`svd ${c.name}`, () => {
      const { U, S, V } = svd(m64(c.A));
      const s0 = c.S[0];
      expect(maxAbsDiff(S, c.S)).toBeLessThanOrEqual(1e-13 * s0);
      // Vectors are unique (up to sign) only for singular values clearly above zero and separated.
      const unique = range(S.length).filter((j) => c.S[j] > 1e-8 * s0);
      expect(columnsUpToSign(U, c.U, unique)).toBeLessThanOrEqual(1e-11);
      expect(columnsUpToSign(V, c.V, unique)).toBeLessThanOrEqual(1e-11);
    });
  }

  for (const c of fixture.cases.eigh) {
    it(`eigh ${c.name}`, () => {
      const { values, vectors } = eigh(m64(c.A));
      expect(maxAbsDiff(values, c.values)).toBeLessThanOrEqual(1e-13);
      expect(columnsUpToSign(vectors, c.vectors, range(values.length))).toBeLessThanOrEqual(1e-11);
    });
  }

  for (const c of fixture.cases.cholesky) {
    it(`cholesky and choleskySolve ${c.name}`, () => {
      const L = cholesky(m64(c.A));
      expect(maxAbsDiff(L.data, c.L.data)).toBeLessThanOrEqual(1e-14);
      expect(maxAbsDiff(choleskySolve(L, m64(c.B)).data, c.X.data)).toBeLessThanOrEqual(1e-13);
    });
  }

  for (const c of fixture.cases.solve) {
    it(`solve ${c.name}`, () => {
      expect(maxAbsDiff(solve(m64(c.A), m64(c.B)).data, c.X.data)).toBeLessThanOrEqual(1e-12);
    });
  }

  for (const c of fixture.cases.qr) {
    it(`qr ${c.name}`, () => {
      const { Q, R } = qr(m64(c.A));
      // Same reflector convention as LAPACK's dgeqrf, but compare up to the sign of each (Q column, R row) pair.
      expect(columnsUpToSign(Q, c.Q, range(Q.cols))).toBeLessThanOrEqual(1e-13);
      for (let i = 0; i < R.rows; i++) {
        const sign = Math.sign(R.data[i * R.cols + i]) === Math.sign(c.R.data[i * R.cols + i]) ? 1 : -1;
        for (let j = 0; j < R.cols; j++) expect(Math.abs(R.data[i * R.cols + j] - sign * c.R.data[i * R.cols + j])).toBeLessThanOrEqual(1e-13);
      }
    });
  }

  for (const c of fixture.cases.procrustes) {
    it(`procrustes ${c.name}`, () => {
      const { R, residual } = procrustes(m64(c.X), m64(c.Y));
      expect(maxAbsDiff(R.data, c.R.data)).toBeLessThanOrEqual(1e-12);
      expect(residual).toBeCloseTo(c.residual, 12);
    });
  }

  for (const c of fixture.cases.ridge) {
    it(`solveSpdWithRidge ${c.name}: same ridge as the numpy search, same solution`, () => {
      const r = solveSpdWithRidge(m64(c.A), m64(c.B));
      expect(r.ridge).toBe(c.ridge);
      expect(r.attempts).toBe(c.attempts);
      // A + λI has condition ≈ λ_max/λ ≈ 1e10 here, so two correct solvers agree to ≈ 1e10·ε relative.
      const scale = Math.max(...c.X.data.map(Math.abs));
      expect(maxAbsDiff(r.X.data, c.X.data)).toBeLessThanOrEqual(1e-4 * scale);
    });
  }
});
