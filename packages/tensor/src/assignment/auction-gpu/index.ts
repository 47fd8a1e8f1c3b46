/**
 * GPU linear assignment: Bertsekas' auction with Jacobi bidding and ε-scaling on the WebGPU backend
 * (exported through `@symfuse/tensor/webgpu`).
 */
export { auctionAssignmentGpu, type AuctionGpuOptions, type AuctionGpuResult } from './auction-gpu.js';
export { auctionGpuSolver, type AssignmentSolver } from './solver.js';
