/**
 * WebGPU LayerNorm: one workgroup per row. Two reductions in workgroup memory — the mean, then the
 * sum of squared deviations (two passes, so rows with |mean| ≫ std keep their digits, as the CPU's
 * two-pass f64 version does) — then the normalised, scaled and shifted row.
 */
import { type KernelImpl, registerKernel } from '../../../kernel.js';
import { LayerNorm } from '../../../kernels/defs.js';
import { WGSL_LINEAR_WORKGROUP } from '../limits-plan.js';
import type { GpuProgram } from '../pipeline-cache.js';
import { defineUniforms } from '../uniforms.js';
import { allocOut, bindRange, bindWhole, gpuOf, rowChunks, sizesOf, wgslScalar } from './common.js';

const LN_U = defineUniforms({ rows: 'u32', d: 'u32', eps: 'f32' });

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
  let base = row * u.d;
  let n = f32(u.d);
  var s = 0.0;
  for (var j = li; j < u.d; j += WG) { s += x[base + j]; }
  let mean = reduce_sum(s, li) / n;
  var ss = 0.0;
  for (var j = li; j < u.d; j += WG) {
    let c = x[base + j] - mean;
    ss += c * c;
  }
  let inv = 1.0 / sqrt(reduce_sum(ss, li) / n + u.eps);
  for (var j = li; j < u.d; j += WG) {
    y[base + j] = (x[base + j] - mean) * inv * gamma[j] + beta[j];
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
  for (const c of rowChunks(gpu, 'layerNorm', x.size / d, d)) {
    const range = { offset: c.row * d, count: c.rows * d };
    gpu.dispatch({
      program,
      storage: [bindRange(gpu, x.storage, 'layerNorm', range), gb, bb, bindRange(gpu, out, 'layerNorm', range)],
      uniforms: { layout: LN_U, values: { rows: c.rows, d, eps: attrs.eps } },
      workgroups: { linear: c.rows },
      sizes: sizesOf(x.shape),
      cost: 8 * c.rows * d,
    });
  }
  return [out];
};

/** Registers layerNorm on `webgpu`. */
export function registerLayerNormGpu(): void {
  registerKernel(LayerNorm, 'webgpu', layerNormGpu);
}
