/**
 * The CPU's oracle conformance suites and kernel properties, run unchanged on the WebGPU backend
 * (Mesa lavapipe in CI). f32 only: WGSL has no f64, and every kernel rejects f64 with an error
 * naming the op (checked in `webgpu-kernels.test.ts`).
 *
 * Tolerances: the defaults of `F32_TOLERANCES` hold for every kernel on WebGPU — nothing is
 * loosened (checked with 60 fast-check runs per property, repeatedly, on lavapipe). Skips with one
 * line without an adapter; fails instead under SYMFUSE_REQUIRE_WEBGPU=1.
 */
import { type Backend, initBackend, kernels, kernelsFor } from '@symfuse/tensor';
import { describeConformance, describeProperties } from '@symfuse/tensor/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { type WebGpuBackend, createWebGpuBackend, registerWebGpuBackend } from '../src/backends/webgpu/index.js';
import { gateWebGpu } from './webgpu-gate.js';

const adapter = await gateWebGpu('webgpu-conformance.test');

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
  describeConformance('webgpu', gpu, { numRuns: 10 });
  describeProperties('webgpu', gpu, { numRuns: 10 });

  // The other matmul family than the adapter's default (register blocking on lavapipe, tiles on a
  // real GPU), so both variants pass the matmul and centeredCross suites on every machine.
  let other: WebGpuBackend | undefined;
  afterAll(() => other?.dispose());
  const otherVariant = async (): Promise<Backend> => {
    const main = (await gpu()) as WebGpuBackend;
    other ??= await createWebGpuBackend({ matmul: main.tuning.matmul === 'tiled' ? 'register' : 'tiled' });
    return other;
  };
  describeConformance('webgpu (other matmul variant)', otherVariant, { numRuns: 10, families: ['linalg'] });
});
