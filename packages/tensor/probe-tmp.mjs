import { create } from 'webgpu';
const gpu = create([]);
const adapter = await gpu.requestAdapter();
const device = await adapter.requestDevice();
const mod = device.createShaderModule({ code: `
@group(0) @binding(0) var<storage, read_write> a: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) {
  var x = a[g.x];
  for (var i = 0u; i < 20000u; i++) { x = x * 1.0000001 + 0.5; }
  a[g.x] = x; }` });
const pipe = device.createComputePipeline({ layout: 'auto', compute: { module: mod, entryPoint: 'main' } });
const n = 64 * 2048;
const buf = device.createBuffer({ size: n * 4, usage: 0x80 | 0x4 });
const rb = device.createBuffer({ size: 16, usage: 1 | 8 });
const bg = device.createBindGroup({ layout: pipe.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: buf } }] });
async function once(mode) {
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass(); pass.setPipeline(pipe); pass.setBindGroup(0, bg); pass.dispatchWorkgroups(n / 64); pass.end();
  enc.copyBufferToBuffer(buf, 0, rb, 0, 16);
  device.queue.submit([enc.finish()]);
  const c0 = process.cpuUsage(); const t0 = performance.now();
  let ticks = 0;
  const orig = globalThis.setImmediate;
  if (mode === 'throttle') globalThis.setImmediate = (fn, ...args) => { ticks++; return setTimeout(fn, 1, ...args); };
  if (mode === 'count') globalThis.setImmediate = (fn, ...args) => { ticks++; return orig(fn, ...args); };
  await rb.mapAsync(1);
  globalThis.setImmediate = orig;
  rb.unmap();
  const t = performance.now() - t0; const c = process.cpuUsage(c0);
  console.log(mode.padEnd(9), 'wall', t.toFixed(0), 'ms  main+all cpu', ((c.user + c.system) / 1000).toFixed(0), 'ms  ticks', ticks);
}
for (const m of ['immediate', 'count', 'throttle', 'immediate', 'throttle']) await once(m);
device.destroy();
