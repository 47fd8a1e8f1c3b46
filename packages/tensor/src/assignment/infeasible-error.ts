/**
 * Thrown by the low-level solvers when no complete assignment avoids the forbidden (+∞) entries.
 * `row`/`col` name the solver-orientation line that proved it, when one did (−1 otherwise); the public
 * `linearSumAssignment` rethrows with the caller's orientation.
 */
export class InfeasibleAssignmentError extends Error {
  constructor(
    message: string,
    /** Row (solver orientation) whose augmenting path search failed, or −1. */
    readonly row: number,
    /** Column (solver orientation) that has no finite entry, or −1. */
    readonly col: number,
  ) {
    super(message);
    this.name = 'InfeasibleAssignmentError';
  }
}
