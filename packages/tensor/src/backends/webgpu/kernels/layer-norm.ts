/**
 * WebGPU LayerNorm: one workgroup per row. Two reductions in workgroup memory — the f32 mean μ, then
 * (Σ(x − μ), Σ(x − μ)²) — then the normalised, scaled and shifted row. The second pass is what keeps
 * rows with |mean| ≫ std accurate: `x − μ` is exact there (Sterbenz), so r = Σ(x − μ) measures μ's
 * own rounding error and the deviations are corrected by r/d (variance `(Σc² − r²/d)/d`). Without it
 * an f32 μ off by half an ulp of 48 shifts every normalised value by ~1e-5 when std ≈ 0.2.
 */
import { type KernelImpl, registerKernel } from '../../../kernel.js';
import { LayerNorm } from '../../../kernels/defs.js';
import { WGSL_LINEAR_WORKGROUP } from '../limits-plan.js';
import type { GpuProgram } from '../pipeline-cache.js';
import { defineUniforms } from '../uniforms.js';
import { allocOut, bindWhole, gpuOf, sizesOf, wgslScalar } from './common.js';
import { bindWindow, rangesFor } from './windows.js';

const LN_U = defineUniforms({ rows: 'u32', r0: 'u32', d: 'u32', xstart: 'u32', ystart: 'u32', eps: 'f32' });

const layerNormProgram: GpuProgram = {
  name: 'layer-norm',
  key: 'f32',
  bindings: ['read', 'read', 'read', 'read_write', 'uniform'],
  wgsl: () => /* wgsl */ `
${LN_U.wgsl()}
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> gamma: array<f32>;
@group(0) @binding(2) var<storage, read> beta: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<uniform> u: Uniforms;
${WGSL_LINEAR_WORKGROUP}
override WG: u32 = 64;
var<workgroup> red: array<f32, WG>;

var<workgroup> red2: array<vec2f, WG>;

fn reduce_sum2(v: vec2f, li: u32) -> vec2f {
  red2[li] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (li < s) { red2[li] = red2[li] + red2[li + s]; }
    workgroupBarrier();
  }
  let r = red2[0];
  workgroupBarrier();
  return r;
}

fn reduce_sum(v: f32, li: u32) -> f32 {
  red[li] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (li < s) { red[li] = red[li] + red[li + s]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let row = linear_workgroup(wid, nwg);
  if (row >= u.rows) { return; }
  let base = (u.r0 + row) * u.d - u.xstart;
  let ybase = (u.r0 + row) * u.d - u.ystart;
  let n = f32(u.d);
  var s = 0.0;
  for (var j = li; j < u.d; j += WG) { s += x[base + j]; }
  let mean = reduce_sum(s, li) / n;
  var acc = vec2f(0.0);
  for (var j = li; j < u.d; j += WG) {
    let c = x[base + j] - mean;
    acc += vec2f(c, c * c);
  }
  let r = reduce_sum2(acc, li);
  let shift = r.x / n;
  let variance = max(r.y - r.x * shift, 0.0) / n;
  let inv = 1.0 / sqrt(variance + u.eps);
  for (var j = li; j < u.d; j += WG) {
    y[ybase + j] = ((x[base + j] - mean) - shift) * inv * gamma[j] + beta[j];
  }
}`,
};

export const layerNormGpu: KernelImpl<{ eps: number }> = (inputs, attrs, outputs, backend) => {
  const gpu = gpuOf(backend, 'layerNorm');
  const [x, g, b] = inputs;
  wgslScalar(x.dtype, 'layerNorm');
  const out = allocOut(gpu, outputs[0]);
  if (out.size === 0) return [out];
  const d = x.shape[x.shape.length - 1];
  const program = { ...layerNormProgram, constants: { WG: gpu.tuning.rowThreads } };
  const gb = bindWhole(gpu, g.storage, 'layerNorm', 'gamma');
  const bb = bindWhole(gpu, b.storage, 'layerNorm', 'beta');
  const rows = x.size / d;
  // Blocks of whole rows past the binding limit (gamma and beta, [d], are bound whole).
  for (const [r0, r1] of rangesFor(gpu, 'layerNorm', `a row of ${d} elements`, [x.storage, out], rows, (lo, hi) => (hi - lo) * d)) {
    const xw = bindWindow(gpu, x.storage, 'layerNorm', r0 * d, r1 * d);
    const yw = bindWindow(gpu, out, 'layerNorm', r0 * d, r1 * d);
    gpu.dispatch({
      program,
      storage: [xw.binding, gb, bb, yw.binding],
      uniforms: { layout: LN_U, values: { rows: r1 - r0, r0, d, xstart: xw.start, ystart: yw.start, eps: attrs.eps } },
      workgroups: { linear: r1 - r0 },
      sizes: sizesOf(x.shape),
      cost: 8 * (r1 - r0) * d,
    });
  }
  return [out];
};

/** Registers layerNorm on `webgpu`. */
export function registerLayerNormGpu(): void {
  registerKernel(LayerNorm, 'webgpu', layerNormGpu);
}
