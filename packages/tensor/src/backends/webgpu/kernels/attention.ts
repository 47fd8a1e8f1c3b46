/**
 * WebGPU scaled dot-product attention, fused with an online softmax (FlashAttention's recurrence):
 * one invocation per query row walks the keys in blocks of {@link KEY_BLOCK}, keeps a running max
 * `m`, normaliser `l` and output accumulator in registers, and rescales them once per block. No
 * `T × T` score matrix is ever written, and K/V rows are read at addresses that are the same for
 * every invocation of a workgroup (broadcast loads on a GPU, scalar loads on lavapipe's SIMD lanes).
 *
 * Compile-time facts: the vector width (vec4 when dk % 4 = 0), an upper bound of dk/width rounded up
 * to a power of two (so the private arrays have constant size and the loops unroll), the mask's
 * dtype, and the key loop: blocks of 16 keys (≈1.6× faster on lavapipe at dk = 64, but its unrolled
 * shader takes seconds to compile there) for dk ≥ 32, one key at a time below. Padded keys
 * (mask 0) are skipped; a query whose keys are all padding gets zeros.
 *
 * A dispatch covers a range of (batch, head) slabs `s0 ..< s0 + S` of the flattened `B·H`; past
 * `maxStorageBufferBindingSize` the slabs are split into ranges whose q, k, v and output windows fit
 * one binding (one slab, `T × dk`, must fit).
 */
import { ShapeError } from '../../../errors.js';
import { type KernelImpl, registerKernel } from '../../../kernel.js';
import { Attention } from '../../../kernels/defs.js';
import { WGSL_WORKGROUP_OFFSET } from '../limits-plan.js';
import { defineUniforms } from '../uniforms.js';
import { allocOut, bindWhole, gpuOf, programMemo, rejectF64, sizesOf } from './common.js';
import { bindWindow, rangesFor } from './windows.js';

/** Keys scored per rescaling step. */
const KEY_BLOCK = 16;
/** Largest head dimension handled (private arrays of this many floats per invocation). */
const MAX_DK = 256;
/** Head dimensions from which keys are scored in blocks (see the module comment). */
const BLOCK_MIN_DK = 32;
/** Query rows (invocations) per workgroup. */
const QUERIES_PER_GROUP = 64;

const ATT_U = defineUniforms(
  { S: 'u32', s0: 'u32', H: 'u32', T: 'u32', dkv: 'u32', qstart: 'u32', kstart: 'u32', vstart: 'u32', ostart: 'u32', scale: 'f32' },
  { workgroupOffset: true },
);

/** Keys in blocks of KEY_BLOCK: one rescale per block (fastest; larger shader). */
const BLOCK_LOOP = (valid: string): string => /* wgsl */ `
  var m = -3.0e38;
  var l = 0.0;
  for (var j0 = 0u; j0 < u.T; j0 += KB) {
    var s: array<f32, KB>;
    var ok: array<bool, KB>;
    var mb = m;
    for (var t = 0u; t < KB; t++) {
      let j = j0 + t;
      ok[t] = false;
      s[t] = 0.0;
      if (j < u.T && ${valid}) {
        var d = 0.0;
        let kb = (head + j) * dkv - u.kstart;
        for (var c = 0u; c < DKV; c++) {
          if (c < dkv) { d += vdot(qr[c], k[kb + c]); }
        }
        s[t] = d;
        ok[t] = true;
        mb = max(mb, d);
      }
    }
    let corr = exp(m - mb);
    l *= corr;
    for (var c = 0u; c < DKV; c++) { acc[c] *= corr; }
    m = mb;
    for (var t = 0u; t < KB; t++) {
      if (ok[t]) {
        let p = exp(s[t] - m);
        l += p;
        let vb = (head + j0 + t) * dkv - u.vstart;
        for (var c = 0u; c < DKV; c++) {
          if (c < dkv) { acc[c] += p * v[vb + c]; }
        }
      }
    }
  }
`;

/** One key at a time, rescaling when the running max moves (small shader: quick to compile). */
const KEY_LOOP = (valid: string): string => /* wgsl */ `
  var m = -3.0e38;
  var l = 0.0;
  for (var j = 0u; j < u.T; j++) {
    if (${valid}) {
      let kb = (head + j) * dkv - u.kstart;
      let vb = (head + j) * dkv - u.vstart;
      var d = 0.0;
      for (var c = 0u; c < DKV; c++) {
        if (c < dkv) { d += vdot(qr[c], k[kb + c]); }
      }
      // Online softmax: rescale only when the running max moves (uniform across most steps).
      if (d > m) {
        let corr = exp(m - d);
        l *= corr;
        for (var c = 0u; c < DKV; c++) { acc[c] *= corr; }
        m = d;
      }
      let p = exp(d - m);
      l += p;
      for (var c = 0u; c < DKV; c++) {
        if (c < dkv) { acc[c] += p * v[vb + c]; }
      }
    }
  }
`;

const attentionProgram = programMemo<string>((key) => {
  const [w, dkvMax, mask, mode] = key.split('|') as [string, string, 'none' | 'f32' | 'i32', 'block' | 'key'];
  const width = Number(w);
  const E = width === 4 ? 'vec4f' : 'f32';
  const maskBinding = mask === 'none' ? '' : '@group(0) @binding(4) var<storage, read> mask: array<u32>;';
  const valid =
    mask === 'none' ? 'true' : mask === 'f32' ? '(mask[b * u.T + j] & 0x7fffffffu) != 0u' : 'mask[b * u.T + j] != 0u';
  return {
    name: 'attention',
    key,
    bindings: mask === 'none' ? ['read', 'read', 'read', 'read_write', 'uniform'] : ['read', 'read', 'read', 'read_write', 'read', 'uniform'],
    constants: { QB: QUERIES_PER_GROUP },
    wgsl: () => /* wgsl */ `
${ATT_U.wgsl()}
@group(0) @binding(0) var<storage, read> q: array<${E}>;
@group(0) @binding(1) var<storage, read> k: array<${E}>;
@group(0) @binding(2) var<storage, read> v: array<${E}>;
@group(0) @binding(3) var<storage, read_write> o: array<${E}>;
${maskBinding}
@group(0) @binding(${mask === 'none' ? 4 : 5}) var<uniform> u: Uniforms;
${WGSL_WORKGROUP_OFFSET}

override QB: u32 = 64;
const DKV = ${dkvMax}u;
const KB = ${KEY_BLOCK}u;

fn vdot(a: ${E}, b: ${E}) -> f32 { return ${width === 4 ? 'dot(a, b)' : 'a * b'}; }

@compute @workgroup_size(QB)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) li: u32) {
  let g = global_workgroup(wid);
  let i = g.x * QB + li;
  if (i >= u.T || g.y >= u.S) { return; }
  let slab = u.s0 + g.y;
  let b = slab / u.H;
  let head = slab * u.T;
  let dkv = u.dkv;
  var qr: array<${E}, DKV>;
  var acc: array<${E}, DKV>;
  for (var c = 0u; c < DKV; c++) {
    if (c < dkv) { qr[c] = q[(head + i) * dkv - u.qstart + c] * u.scale; }
    acc[c] = ${E}(0.0);
  }
${mode === 'block' ? BLOCK_LOOP(valid) : KEY_LOOP(valid)}  let inv = select(0.0, 1.0 / l, l > 0.0);
  for (var c = 0u; c < DKV; c++) {
    if (c < dkv) { o[(head + i) * dkv - u.ostart + c] = acc[c] * inv; }
  }
}`,
  };
});

export const attentionGpu: KernelImpl<{ scale: number }> = (inputs, attrs, outputs, backend) => {
  const gpu = gpuOf(backend, 'attention');
  const [q, k, v, mask] = inputs;
  rejectF64('attention', q, mask);
  const out = allocOut(gpu, outputs[0]);
  if (out.size === 0) return [out];
  const [B, H, T, dk] = q.shape;
  if (dk > MAX_DK) throw new ShapeError('attention', `head dimension ${dk} exceeds ${MAX_DK}, the largest the webgpu kernel keeps in registers`);
  const width = dk % 4 === 0 ? 4 : 1;
  const dkv = dk / width;
  const bound = 2 ** Math.ceil(Math.log2(dkv));
  const maskKind = mask ? mask.dtype : 'none';
  const maskBinding = mask ? [bindWhole(gpu, mask.storage, 'attention', 'mask', mask.shape)] : [];
  const program = attentionProgram(`${width}|${bound}|${maskKind}|${dk >= BLOCK_MIN_DK ? 'block' : 'key'}`);
  const slab = T * dk;
  const operands = [q.storage, k.storage, v.storage, out];
  for (const [s0, s1] of rangesFor(gpu, 'attention', `one (batch, head) slab [${T}, ${dk}]`, operands, B * H, (lo, hi) => (hi - lo) * slab)) {
    // Window starts are multiples of 4 elements, so of a vec4 (programs index in units of `width`).
    const [qw, kw, vw, ow] = operands.map((st) => bindWindow(gpu, st, 'attention', s0 * slab, s1 * slab));
    gpu.dispatch({
      // Blocked keys pay for their compile time (seconds on lavapipe) only at model-sized heads.
      program,
      storage: [qw.binding, kw.binding, vw.binding, ow.binding, ...maskBinding],
      uniforms: {
        layout: ATT_U,
        values: { S: s1 - s0, s0, H, T, dkv, qstart: qw.start / width, kstart: kw.start / width, vstart: vw.start / width, ostart: ow.start / width, scale: attrs.scale },
      },
      workgroups: [Math.ceil(T / QUERIES_PER_GROUP), s1 - s0, 1],
      sizes: sizesOf(q.shape),
      cost: 4 * (s1 - s0) * T * T * dk,
    });
  }
  return [out];
};

/** Registers attention on `webgpu`. */
export function registerAttentionGpu(): void {
  registerKernel(Attention, 'webgpu', attentionGpu);
}
