/**
 * WebGPU LayerNorm: one workgroup per row. Two reductions in workgroup memory — the f32 mean μ, then
 * (Σ(x − μ), Σ(x − μ)²) — then the normalised, scaled and shifted row. The second pass is what keeps
 * rows with |mean| ≫ std accurate: `x − μ` is exact there (Sterbenz), so r = Σ(x − μ) measures μ's
 * own rounding error and the deviations are corrected by r/d (variance `(Σc² − r²/d)/d`). Without it
 * an f32 μ off by half an ulp of 48 shifts every normalised value by ~1e-5 when std ≈ 0.2.
 */
import { type KernelImpl, registerKernel } from '../../../kernel.js';
import { LayerNorm } from '../../../kernels/defs.js';
import type { GpuProgram } from '../pipeline-cache.js';
import { defineUniforms } from '../uniforms.js';
import { allocOut, bindWhole, gpuOf, sizesOf, wgslScalar } from './common.js';
import { ROW_FIELDS, forEachRowBlock, wgslRowMain } from './row-programs.js';
import { wgslWorkgroupReduce } from './wgsl-workgroup.js';

const LN_U = defineUniforms({ ...ROW_FIELDS, eps: 'f32' });

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
var<workgroup> red: array<f32, WG>;
var<workgroup> red2: array<vec2f, WG>;
${wgslWorkgroupReduce('reduce_sum', 'red', 'f32', (a, b) => `${a} + ${b}`)}
${wgslWorkgroupReduce('reduce_sum2', 'red2', 'vec2f', (a, b) => `${a} + ${b}`)}
${wgslRowMain(/* wgsl */ `let n = f32(u.d);
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
  }`)}`,
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
  // Gamma and beta, [d], are bound whole.
  forEachRowBlock(gpu, 'layerNorm', x.storage, out, x.size / d, d, (row, xw, yw) => {
    gpu.dispatch({
      program,
      storage: [xw.binding, gb, bb, yw.binding],
      uniforms: { layout: LN_U, values: { ...row, eps: attrs.eps } },
      workgroups: { linear: row.rows },
      sizes: sizesOf(x.shape),
      cost: 8 * row.rows * d,
    });
  });
  return [out];
};

/** Registers layerNorm on `webgpu`. */
export function registerLayerNormGpu(): void {
  registerKernel(LayerNorm, 'webgpu', layerNormGpu);
}
