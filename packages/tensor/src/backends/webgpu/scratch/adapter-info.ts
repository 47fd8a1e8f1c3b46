/**
 * Prints what the WebGPU backend gets on this machine: adapter info, granted device limits (the
 * ones requested explicitly), features, and a trivial compute round trip. Exits non-zero when no
 * adapter exists. Run: `node --import tsx packages/tensor/src/backends/webgpu/scratch/adapter-info.ts`
 */
import { REQUESTED_MAX_LIMITS, REQUESTED_MIN_LIMITS } from '../gpu-context.js';
import { GpuUnavailableError } from '../gpu-errors.js';
import { WebGpuBackend } from '../webgpu-backend.js';

try {
  const t0 = performance.now();
  const gpu = await WebGpuBackend.create();
  const created = performance.now() - t0;
  console.log(gpu.describe());
  console.log('adapter:', JSON.stringify(gpu.context.adapterInfo));
  const limits = gpu.context.limits as unknown as Record<string, number>;
  console.log('granted limits:');
  for (const k of [...REQUESTED_MAX_LIMITS, ...REQUESTED_MIN_LIMITS]) console.log(`  ${k.padEnd(36)} ${limits[k]}`);
  console.log('features:', [...gpu.context.features].sort().join(', '));
  const t1 = performance.now();
  const s = gpu.upload(new Float32Array([1, 2, 3, 4]), 'f32');
  const back = await gpu.read(s);
  console.log(`round trip ${Array.from(back).join(',')} in ${(performance.now() - t1).toFixed(1)} ms; backend created in ${created.toFixed(0)} ms`);
  gpu.dispose();
} catch (e) {
  if (e instanceof GpuUnavailableError) {
    console.error(e.message);
    process.exitCode = 1;
  } else throw e;
}
