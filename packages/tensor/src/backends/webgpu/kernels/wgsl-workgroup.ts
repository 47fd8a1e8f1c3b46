/**
 * WGSL building blocks for the shape of a workgroup's work, shared by the kernels here and the GPU
 * auction: the entry point of a 1-D program (one invocation per item, over a folded dispatch) and a
 * tree reduction in workgroup memory.
 */
import { WGSL_LINEAR_WORKGROUP } from '../limits-plan.js';

/** How {@link wgslLinearMain} numbers and bounds its invocations. */
export interface LinearMainSpec {
  /** Invocations per workgroup (`@workgroup_size`). */
  readonly wg: number;
  /** Name of the `let` holding the invocation's global index. */
  readonly index: string;
  /** WGSL expression of the item count: invocations with `index ≥ count` return at once. Omit to bound in `body`. */
  readonly count?: string;
}

/**
 * WGSL entry point `main` of a 1-D program dispatched as `{ linear: ceil(items / wg) }` (folded over x, y, z
 * by `foldWorkgroups`): binds the invocation's global index, returns past `count`, then runs `body`
 * (WGSL statements). Includes `linear_workgroup`.
 */
export function wgslLinearMain(spec: LinearMainSpec, body: string): string {
  const { wg, index, count } = spec;
  return /* wgsl */ `${WGSL_LINEAR_WORKGROUP}
@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let ${index} = linear_workgroup(wid, nwg) * ${wg}u + li;${count === undefined ? '' : `\n  if (${index} >= ${count}) { return; }`}
  ${body}
}`;
}

/**
 * WGSL `fn name(v: type, li: u32) -> type`: combines the `v` of all `WG` invocations of the workgroup
 * (`WG` a power of two, declared by the program) by a tree in the workgroup array `buffer`
 * (`var<workgroup> buffer: array<type, WG>`, declared by the caller, so several reductions of one type
 * may share it) and returns the result to every invocation. `combine(a, b)` is a WGSL expression.
 * It has barriers: every invocation must call it, in uniform control flow.
 */
export function wgslWorkgroupReduce(name: string, buffer: string, type: string, combine: (a: string, b: string) => string): string {
  return /* wgsl */ `
fn ${name}(v: ${type}, li: u32) -> ${type} {
  ${buffer}[li] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (li < s) { ${buffer}[li] = ${combine(`${buffer}[li]`, `${buffer}[li + s]`)}; }
    workgroupBarrier();
  }
  let r = ${buffer}[0];
  // No invocation may overwrite the buffer (a next reduction) before all have read r.
  workgroupBarrier();
  return r;
}`;
}
