/**
 * Scratch benchmark (phase 1): per-dispatch overhead of the batcher on the current adapter.
 * Run: `node --import tsx packages/tensor/src/backends/webgpu/scratch/dispatch-bench.ts`
 * Queues many tiny dependent dispatches (y += 1 on 64 floats) and reports wall time per dispatch,
 * including completion, for several batch sizes, plus the CPU (encode) time per dispatch.
 */
import type { GpuProgram } from '../pipeline-cache.js';
import { defineUniforms } from '../uniforms.js';
import { WebGpuBackend } from '../webgpu-backend.js';

const U = defineUniforms({ n: 'u32' });
const inc: GpuProgram = {
  name: 'inc',
  key: 'f32',
  bindings: ['read_write', 'uniform'],
  wgsl: () => /* wgsl */ `
${U.wgsl()}
@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<uniform> u: Uniforms;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3u) {
  if (g.x >= u.n) { return; }
  y[g.x] = y[g.x] + 1.0;
}`,
};

const total = Number(process.argv[2] ?? 2000);
console.log(`loadavg ${(await import('node:os')).loadavg().map((v) => v.toFixed(1)).join(' ')}`);
for (const batch of [1, 8, 32, 64, 256]) {
  const gpu = await WebGpuBackend.create({ maxDispatchesPerBatch: batch });
  const s = gpu.upload(new Float32Array(64), 'f32');
  const run = (k: number): void => {
    for (let i = 0; i < k; i++) gpu.dispatch({ program: inc, storage: [gpu.binding(s, 'inc')], uniforms: { layout: U, values: { n: 64 } }, workgroups: 1 });
  };
  run(10);
  await gpu.read(s);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  run(total);
  const tEnc = performance.now() - t0;
  const y = await gpu.read(s);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (y[0] !== total + 10) throw new Error(`wrong result ${y[0]}`);
  console.log(
    `batch ${String(batch).padStart(3)}: ${((ms * 1000) / total).toFixed(1).padStart(6)} µs/dispatch wall (incl. completion), ` +
      `encode ${((tEnc * 1000) / total).toFixed(1)} µs/dispatch on the JS thread, process CPU ${(((cpu.user + cpu.system) / 1000 / ms) * 100).toFixed(0)}%, submits ${gpu.stats().batcher.submits}`,
  );
  gpu.dispose();
}
