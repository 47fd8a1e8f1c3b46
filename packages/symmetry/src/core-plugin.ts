/**
 * The built-in plugin: the BERT-family architecture provider and the exact CPU assignment solver.
 * A factory, like every plugin: `createRegistry().use(coreSymmetryPlugin())`.
 */
import { bertFamilyArchitecture } from './architectures/bert-family.js';
import type { Solver, SymmetryPlugin } from './interfaces.js';
import { solveAssignment } from './internal/assignment.js';

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

/** The core plugin: `bert-family` architecture and the `lapjv` solver. */
export function coreSymmetryPlugin(): SymmetryPlugin {
  return {
    meta: { name: '@symfuse/symmetry', version: '0.1.0', description: 'BERT/RoBERTa symmetry specs and the exact CPU assignment solver' },
    architectures: [bertFamilyArchitecture()],
    solvers: [lapjvSolver()],
  };
}
