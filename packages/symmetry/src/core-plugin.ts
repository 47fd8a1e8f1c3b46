/**
 * The built-in plugin: the BERT-family architecture provider and the exact CPU assignment solver.
 * A factory, like every plugin: `createRegistry().use(coreSymmetryPlugin())`.
 */
import { linearSumAssignment } from '@symfuse/tensor';
import { bertFamilyArchitecture } from './architectures/bert-family.js';
import type { Solver, SymmetryPlugin } from './interfaces.js';

/**
 * The exact CPU linear-assignment solver (`lapjv`), wrapping `linearSumAssignment` of
 * `@symfuse/tensor` (Jonker–Volgenant, f64). See ALGORITHMS.md "Linear assignment".
 */
export function lapjvSolver(): Solver {
  return {
    id: 'lapjv',
    prettyName: 'Exact linear assignment (Jonker–Volgenant, CPU, f64)',
    async solve(cost, rows, cols, options) {
      return solveAssignment(cost, rows, cols, options.maximize);
    },
  };
}

/**
 * For a row-major `[rows, cols]` cost (rows ≤ cols, the {@link Solver} contract), the column of every
 * row in an optimal assignment and its total.
 * @throws RangeError when rows > cols or the cost does not hold rows·cols entries; the errors of
 *   `linearSumAssignment` (naming the entry) for NaN or an unbounded infinity.
 */
function solveAssignment(cost: Float64Array, rows: number, cols: number, maximize: boolean): { cols: Int32Array; total: number } {
  if (!(rows <= cols) || cost.length !== rows * cols) {
    throw new RangeError(`lapjv solver: cost has ${cost.length} entries for [${rows}, ${cols}]; expected rows ≤ cols and rows·cols entries`);
  }
  const r = linearSumAssignment({ data: cost, rows, cols }, { maximize });
  // Every row is assigned (rows ≤ cols) and `r.rows` is ascending: 0, 1, …, rows − 1.
  const out = new Int32Array(rows);
  for (let k = 0; k < r.rows.length; k++) out[r.rows[k]] = r.cols[k];
  return { cols: out, total: r.total };
}

/** The core plugin: `bert-family` architecture and the `lapjv` solver. */
export function coreSymmetryPlugin(): SymmetryPlugin {
  return {
    meta: { name: '@symfuse/symmetry', version: '0.1.0', description: 'BERT/RoBERTa symmetry specs and the exact CPU assignment solver' },
    architectures: [bertFamilyArchitecture()],
    solvers: [lapjvSolver()],
  };
}
