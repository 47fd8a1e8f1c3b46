/**
 * The CPU's oracle conformance suites and kernel properties, run unchanged on the WebGPU backend
 * (Mesa lavapipe in CI). f32 only: WGSL has no f64, and every kernel rejects f64 with an error
 * naming the op (checked in `webgpu-kernels.test.ts`).
 *
 * Tolerances: the defaults of `F32_TOLERANCES` hold for every kernel except those loosened below,
 * each with its reason. Skips with one line without an adapter; fails instead under
 * SYMFUSE_REQUIRE_WEBGPU=1.
 */
import { type Backend, initBackend, kernels, kernelsFor } from '@symfuse/tensor';
import { type ConformanceOptions, describeConformance, describeProperties } from '@symfuse/tensor/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { type WebGpuBackend, createWebGpuBackend, registerWebGpuBackend } from '../src/backends/webgpu/index.js';
import { gateWebGpu } from './webgpu-gate.js';

const adapter = await gateWebGpu('webgpu-conformance.test');

/**
 * Per-kernel tolerances on WebGPU (f32 arithmetic throughout, where the CPU accumulates sums in f64).
 * Unlisted keys keep the F32_TOLERANCES defaults.
 */
export const WEBGPU_TOLERANCES: ConformanceOptions['tolerances'] = {
  // Row sums and means are Kahan-compensated per thread and tree-reduced in f32; the CPU sums in f64.
  reduceSum: { rtol: 2e-5, atol: 1e-6 },
  // f32 accumulation over k (the CPU packs into an f64-accumulating GEMM for small sizes).
  matmul: { rtol: 2e-5, atol: 1e-6 },
  centeredCross: { rtol: 2e-5, atol: 1e-6 },
  // scatterAdd sums each slot's updates sequentially in f32.
  scatterAdd: { rtol: 2e-6, atol: 1e-7 },
};

async function gpu(): Promise<Backend> {
  registerWebGpuBackend();
  return initBackend('webgpu');
}

describe.skipIf(!adapter)('webgpu', () => {
  describe('kernel coverage', () => {
    it('every primitive kernel definition has a webgpu implementation', async () => {
      await gpu();
      const have = new Set(kernelsFor('webgpu'));
      const missing = kernels.ALL_KERNELS.map((k) => k.name).filter((n) => !have.has(n));
      expect(missing).toEqual([]);
    });
  });
  describeConformance('webgpu', gpu, { tolerances: WEBGPU_TOLERANCES, numRuns: 10 });
  describeProperties('webgpu', gpu, { tolerances: WEBGPU_TOLERANCES, numRuns: 10 });

  // The other matmul family than the adapter's default (register blocking on lavapipe, tiles on a
  // real GPU), so both variants pass the matmul and centeredCross suites on every machine.
  let other: WebGpuBackend | undefined;
  afterAll(() => other?.dispose());
  const otherVariant = async (): Promise<Backend> => {
    const main = (await gpu()) as WebGpuBackend;
    other ??= await createWebGpuBackend({ matmul: main.tuning.matmul === 'tiled' ? 'register' : 'tiled' });
    return other;
  };
  describeConformance('webgpu (other matmul variant)', otherVariant, { tolerances: WEBGPU_TOLERANCES, numRuns: 10, families: ['linalg'] });
});
