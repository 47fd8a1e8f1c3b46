/**
 * The GPU auction as a `Solver` of `@symfuse/symmetry` (same shape; tensor does not import symmetry):
 * `{ id, prettyName, solve(cost, rows, cols, { maximize }) }`. Rectangular problems (rows ≤ cols) are
 * padded with zero-cost rows to a square, which changes no real row's optimal choice.
 */
import { ValueError } from '../../errors.js';
import type { WebGpuBackend } from '../../backends/webgpu/webgpu-backend.js';
import { type AuctionGpuOptions, auctionAssignmentGpu } from './auction-gpu.js';

/** The shape of `@symfuse/symmetry`'s `Solver`. */
export interface AssignmentSolver {
  readonly id: string;
  readonly prettyName: string;
  /**
   * @param cost row-major `[rows, cols]`, rows ≤ cols.
   * @returns each row's column (`cols[r]`) and the total of the chosen entries.
   */
  solve(cost: Float64Array, rows: number, cols: number, options: { maximize: boolean }): Promise<{ cols: Int32Array; total: number }>;
}

/**
 * A solver running {@link auctionAssignmentGpu} on `backend`. `defaults` apply to every solve
 * (`maximize` comes from each call).
 */
export function auctionGpuSolver(backend: WebGpuBackend, defaults: Omit<AuctionGpuOptions, 'maximize'> = {}): AssignmentSolver {
  return {
    id: 'auction-gpu',
    prettyName: 'Auction (GPU, Jacobi bidding with ε-scaling)',
    async solve(cost, rows, cols, options) {
      if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || rows > cols || cost.length !== rows * cols) {
        throw new ValueError('auction-gpu', `cost has ${cost.length} entries for [${rows}, ${cols}]; expected rows·cols entries with rows ≤ cols`);
      }
      let square: Float64Array | Float32Array = cost;
      if (rows < cols) {
        square = new Float64Array(cols * cols);
        square.set(cost);
      }
      const r = await auctionAssignmentGpu(backend, square, cols, { ...defaults, maximize: options.maximize });
      const out = r.cols.slice(0, rows);
      let total = 0;
      for (let i = 0; i < rows; i++) total += cost[i * cols + out[i]];
      return { cols: out, total };
    },
  };
}
