export { linearSumAssignment } from './linear-sum-assignment.js';
export type { AssignmentResult, LinearSumAssignmentOptions } from './linear-sum-assignment.js';
export type { CostMatrixInput, DenseMatrixLike, TensorLike2D } from './cost-matrix.js';
export { lapjv } from './lapjv.js';
export type { LapjvOptions, LapjvResult } from './lapjv.js';
export { solveSquareCandidates } from './sparse-exact.js';
export type { SparseExactOptions, SparseExactStats } from './sparse-exact.js';
export { InfeasibleAssignmentError } from './infeasible-error.js';
