import { create } from 'webgpu';
const gpu = create(['enable-dawn-features=disable_robustness']);
const adapter = await gpu.requestAdapter();
const device = await adapter.requestDevice();
console.log('toggles?', device.label);
const mod = device.createShaderModule({ code: `
@group(0) @binding(0) var<storage, read_write> a: array<f32>;
@group(0) @binding(1) var<storage, read_write> b: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) {
  let far = g.x * 1000003u + 50000000u;
  b[g.x] = a[far] + a[g.x + 64u];      // far out of bounds reads
  a[far] = 123.0;                       // far out of bounds write
}` });
const pipe = device.createComputePipeline({ layout: 'auto', compute: { module: mod, entryPoint: 'main' } });
const A = device.createBuffer({ size: 256 * 4, usage: 0x80 | 0x8 | 0x4 });
const B = device.createBuffer({ size: 64 * 4, usage: 0x80 | 0x4 });
device.queue.writeBuffer(A, 0, new Float32Array(256).fill(7));
const rb = device.createBuffer({ size: 64 * 4, usage: 1 | 8 });
const enc = device.createCommandEncoder();
const pass = enc.beginComputePass(); pass.setPipeline(pipe);
pass.setBindGroup(0, device.createBindGroup({ layout: pipe.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: A } }, { binding: 1, resource: { buffer: B } }] }));
pass.dispatchWorkgroups(1); pass.end();
enc.copyBufferToBuffer(B, 0, rb, 0, 256);
device.queue.submit([enc.finish()]);
await rb.mapAsync(1);
console.log('b =', new Float32Array(rb.getMappedRange()).slice(0, 4), '(7 means OOB read gave 0)');
device.destroy();
