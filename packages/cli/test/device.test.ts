/**
 * `DeviceModels`: on the CPU the models themselves; on WebGPU one upload per parameter set, reused,
 * with the same values, and freed by `release` / `dispose`.
 */
import { getBackend, initBackend, type Tensor, tensor } from '@symfuse/tensor';
import { probeAdapter, registerWebGpuBackend } from '@symfuse/tensor/webgpu';
import { describe, expect, it } from 'vitest';
import { DeviceModels } from '../src/device.js';

const params = (): Map<string, Tensor> =>
  new Map([
    ['w', tensor(Float32Array.from([1, -2, 3, 4.5, 0, 6]), [2, 3])],
    ['b', tensor(Float32Array.from([0.25, -0.5]), [2])],
  ]);

const adapter = await probeAdapter();
if (!adapter) console.warn('[cli device.test] WebGPU part SKIPPED: requestAdapter() returned null (no WebGPU adapter)');

describe('DeviceModels', () => {
  it('on the CPU returns the models themselves (no copies)', () => {
    const d = new DeviceModels(getBackend('cpu'));
    const p = params();
    const m = { config: {}, params: p, id: 'x' };
    expect(d.onHost).toBe(true);
    expect(d.params(p)).toBe(p);
    expect(d.model(m)).toBe(m);
  });

  it.skipIf(!adapter)('on WebGPU uploads each parameter set once, with the same values, and frees the copies', async () => {
    registerWebGpuBackend();
    const d = new DeviceModels(await initBackend('webgpu'));
    const p = params();
    const copy = d.params(p);
    expect(d.onHost).toBe(false);
    expect(copy).not.toBe(p);
    expect(d.params(p)).toBe(copy);
    expect(d.model({ config: {}, params: p, id: 'x' })).toEqual({ config: {}, params: copy, id: 'x' });
    for (const [name, t] of p) {
      const g = copy.get(name)!;
      expect(g.backend.name).toBe('webgpu');
      expect([...g.shape]).toEqual([...t.shape]);
      expect(Array.from(await g.data())).toEqual(Array.from(t.dataSync()));
    }
    d.release(p);
    for (const t of copy.values()) expect(t.isDisposed).toBe(true);
    for (const t of p.values()) expect(t.isDisposed).toBe(false);
    const again = d.params(p);
    expect(again).not.toBe(copy);
    d.dispose();
    for (const t of again.values()) expect(t.isDisposed).toBe(true);
  });
});
