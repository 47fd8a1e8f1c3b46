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
const bg = device.createBindGroup({ layout: pipe.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: buf } }] });
let ticks = 0;
const orig = globalThis.setImmediate;
globalThis.setImmediate = (fn, ...args) => { ticks++; return orig(fn, ...args); };
for (let rep = 0; rep < 2; rep++) {
  device.pushErrorScope('validation');
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass(); pass.setPipeline(pipe); pass.setBindGroup(0, bg); pass.dispatchWorkgroups(n / 64); pass.end();
  device.queue.submit([enc.finish()]);
  const t0 = performance.now(); ticks = 0;
  const err = await device.popErrorScope();
  console.log('popErrorScope resolved after', (performance.now() - t0).toFixed(1), 'ms, ticks', ticks, 'err', err);
  ticks = 0; const t1 = performance.now();
  await device.queue.onSubmittedWorkDone();
  console.log('work done after', (performance.now() - t1).toFixed(1), 'ms, ticks', ticks);
}
// invalid: wrong bind group
device.pushErrorScope('validation');
const bad = device.createBuffer({ size: 4, usage: 0x80 });
try { device.createBindGroup({ layout: pipe.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: bad, size: 8 } }] }); } catch (e) { console.log('threw', e.message); }
const e2 = await device.popErrorScope();
console.log('bad bind group error:', e2?.constructor?.name, e2?.message);
device.destroy();
