/**
 * A Node process that used the WebGPU backend must exit on its own when its work is done — with or
 * without `dispose()` — and an explicitly disposed backend must refuse further use.
 * Skips — with one line saying why — where `requestAdapter()` returns null.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GpuDeviceLostError, WebGpuBackend } from '../src/backends/webgpu/index.js';
import { gateWebGpu } from './webgpu-gate.js';

const adapter = await gateWebGpu('webgpu-teardown.test');

const entry = fileURLToPath(new URL('../src/backends/webgpu/index.ts', import.meta.url));

/** Runs `body` (ESM, `W` = the webgpu module) in a fresh node and resolves with its exit code and time. */
function runChild(body: string, timeoutMs = 30_000): Promise<{ code: number | null; ms: number; out: string; timedOut: boolean }> {
  const code = `const W = await import(${JSON.stringify(entry)});\n${body}`;
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('exit', (c) => {
      clearTimeout(timer);
      resolve({ code: c, ms: performance.now() - t0, out, timedOut });
    });
  });
}

const work = `
const gpu = await W.WebGpuBackend.create();
const s = gpu.upload(new Float32Array([1, 2, 3]), 'f32');
const back = await gpu.read(s);
if (back[2] !== 3) throw new Error('bad read ' + back);
await gpu.sync();
console.log('done');
`;

describe.skipIf(!adapter)('WebGPU teardown', () => {
  it('exits after dispose()', async () => {
    const r = await runChild(`${work}\ngpu.dispose();`);
    expect(r.timedOut, r.out).toBe(false);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('done');
  }, 40_000);

  it('exits even when the backend is never disposed and stays referenced', async () => {
    const r = await runChild(`${work}\nglobalThis.keepAlive = gpu;`);
    expect(r.timedOut, r.out).toBe(false);
    expect(r.code, r.out).toBe(0);
  }, 40_000);

  it('refuses use after dispose, naming the operation', async () => {
    const gpu = await WebGpuBackend.create();
    gpu.dispose();
    expect(() => gpu.allocate('f32', 4)).toThrow(GpuDeviceLostError);
    expect(() => gpu.allocate('f32', 4)).toThrow(/disposed/);
    gpu.dispose(); // idempotent
  });
});
