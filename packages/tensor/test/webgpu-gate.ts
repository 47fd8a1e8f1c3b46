/**
 * Whether the WebGPU test files run: with an adapter they run; without one they skip with one
 * visible line — unless `SYMFUSE_REQUIRE_WEBGPU=1` (CI, which installs lavapipe), where a missing
 * adapter is a failure, not a skip.
 */
import { it } from 'vitest';
import { type AdapterSummary, probeAdapter } from '../src/backends/webgpu/index.js';

/** True when CI demands WebGPU (a missing adapter must fail the suite). */
export const REQUIRE_WEBGPU = process.env.SYMFUSE_REQUIRE_WEBGPU === '1';

/**
 * Probes the adapter once for `file`. Returns it, or null after printing why the file is skipped.
 * Under `SYMFUSE_REQUIRE_WEBGPU=1` a null adapter registers a failing test instead.
 */
export async function gateWebGpu(file: string): Promise<AdapterSummary | null> {
  const adapter = await probeAdapter();
  if (adapter) return adapter;
  if (REQUIRE_WEBGPU) {
    it(`[${file}] a WebGPU adapter is available (SYMFUSE_REQUIRE_WEBGPU=1)`, () => {
      throw new Error('requestAdapter() returned null but SYMFUSE_REQUIRE_WEBGPU=1: install lavapipe with .ci/install-webgpu.sh');
    });
  } else {
    console.warn(`[${file}] SKIPPED: requestAdapter() returned null (no WebGPU adapter; CI installs lavapipe with .ci/install-webgpu.sh and sets SYMFUSE_REQUIRE_WEBGPU=1)`);
  }
  return null;
}
