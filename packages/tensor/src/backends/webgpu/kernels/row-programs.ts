/**
 * The frame of the row-wise programs (softmax, logSoftmax, LayerNorm): one workgroup of `WG`
 * invocations (an `override`, set from `gpu.tuning.rowThreads`) per row of `d` elements of x, writing
 * the same row of y. Past `maxStorageBufferBindingSize` the rows run in blocks of whole rows, x and y
 * each bound as a window, so a program reads `x[base + j]` and writes `y[ybase + j]`.
 */
import type { Storage } from '../../../backend.js';
import { WGSL_LINEAR_WORKGROUP } from '../limits-plan.js';
import type { UniformType } from '../uniforms.js';
import type { WebGpuBackend } from '../webgpu-backend.js';
import { type Window, bindWindow, rangesFor } from './windows.js';

/** Uniform fields every row program declares (first), filled by {@link forEachRowBlock}'s caller. */
export const ROW_FIELDS = { rows: 'u32', r0: 'u32', d: 'u32', xstart: 'u32', ystart: 'u32' } as const satisfies Record<string, UniformType>;

/**
 * WGSL entry point of a row program: rows `u.r0 + row` for the dispatch's `u.rows` workgroups, with
 * `base` / `ybase` the window indices of the row's first element in x / y; then `body`. Declares
 * `override WG` and includes `linear_workgroup`.
 */
export function wgslRowMain(body: string): string {
  return /* wgsl */ `${WGSL_LINEAR_WORKGROUP}
override WG: u32 = 64;
@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let row = linear_workgroup(wid, nwg);
  if (row >= u.rows) { return; }
  let base = (u.r0 + row) * u.d - u.xstart;
  let ybase = (u.r0 + row) * u.d - u.ystart;
  ${body}
}`;
}

/**
 * Splits `rows` rows of `d` elements into blocks of whole rows whose windows of x and y fit one
 * binding (one block when both fit whole) and calls `dispatch` for each, with the block's values of
 * the {@link ROW_FIELDS}.
 */
export function forEachRowBlock(
  gpu: WebGpuBackend, op: string, x: Storage, y: Storage, rows: number, d: number,
  dispatch: (row: { rows: number; r0: number; d: number; xstart: number; ystart: number }, xw: Window, yw: Window) => void,
): void {
  for (const [r0, r1] of rangesFor(gpu, op, `a row of ${d} elements`, [x, y], rows, (lo, hi) => (hi - lo) * d)) {
    const xw = bindWindow(gpu, x, op, r0 * d, r1 * d);
    const yw = bindWindow(gpu, y, op, r0 * d, r1 * d);
    dispatch({ rows: r1 - r0, r0, d, xstart: xw.start, ystart: yw.start }, xw, yw);
  }
}
