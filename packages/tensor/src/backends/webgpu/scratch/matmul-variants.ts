/**
 * Scratch: two f32 matmul programs for measuring lavapipe (phase 1). Not registered as kernels;
 * phase 2 turns the winner into the `matmul` kernel.
 *
 * C[M, N] = A[M, K] · B[K, N], row-major.
 */
import type { GpuProgram } from '../pipeline-cache.js';
import { defineUniforms } from '../uniforms.js';

/** Runtime sizes of both variants. */
export const MATMUL_UNIFORMS = defineUniforms({ M: 'u32', N: 'u32', K: 'u32' });

/**
 * (a) Shared-memory tiles: a workgroup of (TILE_N/4)×(TILE_M/4) threads computes a TILE_M×TILE_N
 * block, each thread a 4×4 micro-tile, staging TILE_K-deep slices of A (transposed) and B in
 * workgroup memory. Tile sizes are `override` constants; `BOUNDS` switches the edge checks off
 * when the sizes are tile multiples.
 */
export function sharedTileProgram(opts: { tileM: number; tileN: number; tileK: number; bounds: boolean }): GpuProgram {
  const wgX = opts.tileN / 4;
  const wgY = opts.tileM / 4;
  return {
    name: 'matmul-shared',
    key: 'f32',
    bindings: ['read', 'read', 'read_write', 'uniform'],
    constants: { TILE_M: opts.tileM, TILE_N: opts.tileN, TILE_K: opts.tileK, WG_X: wgX, WG_Y: wgY, BOUNDS: opts.bounds },
    wgsl: () => /* wgsl */ `
${MATMUL_UNIFORMS.wgsl()}
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<uniform> u: Uniforms;

override TILE_M: u32 = 64;
override TILE_N: u32 = 64;
override TILE_K: u32 = 16;
override WG_X: u32 = 16;
override WG_Y: u32 = 16;
override BOUNDS: bool = true;

// A slice stored transposed ([k][m]) so a thread reads its 4 rows as one vec4.
var<workgroup> As: array<vec4f, TILE_K * TILE_M / 4>;
var<workgroup> Bs: array<vec4f, TILE_K * TILE_N / 4>;

fn load_a(r: u32, k: u32) -> f32 {
  if (BOUNDS && (r >= u.M || k >= u.K)) { return 0.0; }
  return a[r * u.K + k];
}
fn load_b(k: u32, col: u32) -> f32 {
  if (BOUNDS && (k >= u.K || col >= u.N)) { return 0.0; }
  return b[k * u.N + col];
}

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(local_invocation_index) li: u32) {
  let row0 = wid.y * TILE_M;
  let col0 = wid.x * TILE_N;
  let nthreads = WG_X * WG_Y;
  var acc0 = vec4f(0.0);
  var acc1 = vec4f(0.0);
  var acc2 = vec4f(0.0);
  var acc3 = vec4f(0.0);
  for (var k0 = 0u; k0 < u.K; k0 += TILE_K) {
    // Each thread loads 4 consecutive elements (one vec4 slot) per step.
    for (var i = li; i < TILE_K * TILE_M / 4; i += nthreads) {
      let kk = i / (TILE_M / 4);
      let m4 = (i % (TILE_M / 4)) * 4u;
      let k = k0 + kk;
      As[i] = vec4f(load_a(row0 + m4, k), load_a(row0 + m4 + 1u, k), load_a(row0 + m4 + 2u, k), load_a(row0 + m4 + 3u, k));
    }
    for (var i = li; i < TILE_K * TILE_N / 4; i += nthreads) {
      let kk = i / (TILE_N / 4);
      let n4 = (i % (TILE_N / 4)) * 4u;
      let k = k0 + kk;
      let col = col0 + n4;
      if (!BOUNDS || (k < u.K && col + 3u < u.N)) {
        let base = k * u.N + col;
        Bs[i] = vec4f(b[base], b[base + 1u], b[base + 2u], b[base + 3u]);
      } else {
        Bs[i] = vec4f(load_b(k, col), load_b(k, col + 1u), load_b(k, col + 2u), load_b(k, col + 3u));
      }
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TILE_K; kk++) {
      let av = As[kk * (TILE_M / 4) + lid.y];
      let bv = Bs[kk * (TILE_N / 4) + lid.x];
      acc0 = fma(vec4f(av.x), bv, acc0);
      acc1 = fma(vec4f(av.y), bv, acc1);
      acc2 = fma(vec4f(av.z), bv, acc2);
      acc3 = fma(vec4f(av.w), bv, acc3);
    }
    workgroupBarrier();
  }
  let r = row0 + lid.y * 4u;
  let col = col0 + lid.x * 4u;
  var accs = array<vec4f, 4>(acc0, acc1, acc2, acc3);
  for (var i = 0u; i < 4u; i++) {
    if (BOUNDS && r + i >= u.M) { break; }
    let base = (r + i) * u.N + col;
    for (var j = 0u; j < 4u; j++) {
      if (!BOUNDS || col + j < u.N) { c[base + j] = accs[i][j]; }
    }
  }
}`,
  };
}

/**
 * (b) Register blocking without workgroup memory: each thread computes `rows` rows × `vecs`·4
 * columns, reading A and B as vec4 (so K and N must be multiples of 4). The micro-tile sizes are
 * compile-time (WGSL private arrays cannot be sized by overrides): the loops are unrolled in the
 * generated source. Workgroup size and bounds checks are `override`s.
 */
export function registerBlockProgram(opts: { rows: number; vecs: number; wgX: number; wgY: number; bounds: boolean }): GpuProgram {
  const { rows: R, vecs: V } = opts;
  const accDecl: string[] = [];
  const body: string[] = [];
  const store: string[] = [];
  for (let r = 0; r < R; r++) for (let v = 0; v < V; v++) accDecl.push(`var acc_${r}_${v} = vec4f(0.0);`);
  for (let r = 0; r < R; r++) body.push(`let a_${r} = a[clamp_row(row + ${r}u) * k4 + kq];`);
  for (let kk = 0; kk < 4; kk++) {
    for (let v = 0; v < V; v++) body.push(`let b_${kk}_${v} = b[(kq * 4u + ${kk}u) * n4 + clamp_col(col4 + ${v}u)];`);
    for (let r = 0; r < R; r++) {
      for (let v = 0; v < V; v++) body.push(`acc_${r}_${v} = fma(vec4f(a_${r}[${kk}]), b_${kk}_${v}, acc_${r}_${v});`);
    }
  }
  for (let r = 0; r < R; r++) {
    for (let v = 0; v < V; v++) {
      store.push(`if (!BOUNDS || (row + ${r}u < u.M && col4 + ${v}u < n4)) { c[(row + ${r}u) * n4 + col4 + ${v}u] = acc_${r}_${v}; }`);
    }
  }
  return {
    name: 'matmul-vec4',
    key: `f32|r${R}|v${V}`,
    bindings: ['read', 'read', 'read_write', 'uniform'],
    constants: { WG_X: opts.wgX, WG_Y: opts.wgY, BOUNDS: opts.bounds },
    wgsl: () => /* wgsl */ `
${MATMUL_UNIFORMS.wgsl()}
@group(0) @binding(0) var<storage, read> a: array<vec4f>;
@group(0) @binding(1) var<storage, read> b: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> c: array<vec4f>;
@group(0) @binding(3) var<uniform> u: Uniforms;

override WG_X: u32 = 8;
override WG_Y: u32 = 8;
override BOUNDS: bool = true;

// Clamped indices keep edge threads' loads in range (their extra results are not stored);
// with BOUNDS = false (tile-multiple sizes) the select folds away at pipeline creation.
fn clamp_row(r: u32) -> u32 { return select(r, min(r, u.M - 1u), BOUNDS); }
fn clamp_col(c4: u32) -> u32 { return select(c4, min(c4, u.N / 4u - 1u), BOUNDS); }

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let k4 = u.K / 4u;
  let n4 = u.N / 4u;
  let row = gid.y * ${R}u;
  let col4 = gid.x * ${V}u;
  if (BOUNDS && (row >= u.M || col4 >= n4)) { return; }
  ${accDecl.join('\n  ')}
  for (var kq = 0u; kq < k4; kq++) {
    ${body.join('\n    ')}
  }
  ${store.join('\n  ')}
}`,
  };
}

/**
 * (c) Register blocking laid out for llvmpipe's SIMD: lavapipe runs 8 (AVX2) invocations of a
 * workgroup row in lock-step lanes, so each thread owns `rows` rows × `cols` scalar columns spaced
 * WG_X apart: for a given k the lanes read 8 consecutive floats of B (one vector load) and the same
 * element of A (a broadcast). With `aVec4`, A is read as vec4 along k (K must be a multiple of 4).
 * WG_X is compile-time here (the column stride is baked into the unrolled source).
 */
export function laneBlockProgram(opts: { rows: number; cols: number; wgX: number; wgY: number; aVec4: boolean; bounds: boolean }): GpuProgram {
  const { rows: R, cols: C, wgX } = opts;
  const acc: string[] = [];
  const body: string[] = [];
  const store: string[] = [];
  for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) acc.push(`var acc_${r}_${c} = 0.0;`);
  const colIdx = (c: number) => `min(col + ${c * wgX}u, last_col)`;
  if (opts.aVec4) {
    for (let r = 0; r < R; r++) body.push(`let a_${r} = a[min(row + ${r}u, last_row) * k4 + kq];`);
    for (let kk = 0; kk < 4; kk++) {
      for (let c = 0; c < C; c++) body.push(`let b_${kk}_${c} = b[(kq * 4u + ${kk}u) * u.N + ${colIdx(c)}];`);
      for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) body.push(`acc_${r}_${c} = fma(a_${r}[${kk}], b_${kk}_${c}, acc_${r}_${c});`);
    }
  } else {
    for (let r = 0; r < R; r++) body.push(`let a_${r} = a[min(row + ${r}u, last_row) * u.K + k];`);
    for (let c = 0; c < C; c++) body.push(`let b_${c} = b[k * u.N + ${colIdx(c)}];`);
    for (let r = 0; r < R; r++) for (let c = 0; c < C; c++) body.push(`acc_${r}_${c} = fma(a_${r}, b_${c}, acc_${r}_${c});`);
  }
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) {
      store.push(`if (!BOUNDS || (row + ${r}u < u.M && col + ${c * wgX}u < u.N)) { c[(row + ${r}u) * u.N + col + ${c * wgX}u] = acc_${r}_${c}; }`);
    }
  }
  const loop = opts.aVec4 ? 'for (var kq = 0u; kq < k4; kq++)' : 'for (var k = 0u; k < u.K; k++)';
  return {
    name: 'matmul-lanes',
    key: `f32|r${R}|c${C}|x${wgX}|${opts.aVec4 ? 'a4' : 'a1'}`,
    bindings: ['read', 'read', 'read_write', 'uniform'],
    constants: { WG_Y: opts.wgY, BOUNDS: opts.bounds },
    wgsl: () => /* wgsl */ `
${MATMUL_UNIFORMS.wgsl()}
@group(0) @binding(0) var<storage, read> a: array<${opts.aVec4 ? 'vec4f' : 'f32'}>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<uniform> u: Uniforms;

override WG_Y: u32 = 8;
override BOUNDS: bool = true;
const WG_X = ${wgX}u;

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let k4 = u.K / 4u;
  let row = (wid.y * WG_Y + lid.y) * ${R}u;
  let col = wid.x * WG_X * ${C}u + lid.x;
  if (BOUNDS && (row >= u.M || col >= u.N)) { return; }
  let last_row = u.M - 1u;
  let last_col = u.N - 1u;
  ${acc.join('\n  ')}
  ${loop} {
    ${body.join('\n    ')}
  }
  ${store.join('\n  ')}
}`,
  };
}

/**
 * (d) Lanes own rows, columns are uniform: llvmpipe runs the invocations of a workgroup as SIMD
 * lanes and turns every load whose address differs per lane into a gather, while a load whose
 * address depends only on `workgroup_id` and uniforms is one scalar load broadcast to all lanes.
 * Here each thread owns `rows` rows (WG_X apart) and the workgroup's `vecs` vec4 columns of B are
 * the same for all lanes: per 4 k-steps a thread does `rows` vec4 gathers of A, 4·`vecs` uniform
 * vec4 loads of B and 16·rows·vecs FMAs (the classic CPU micro-kernel: broadcast B, FMA into a
 * vector of rows). K and N must be multiples of 4.
 */
export function rowLanesProgram(opts: { rows: number; vecs: number; wgX: number; bounds: boolean }): GpuProgram {
  const { rows: R, vecs: V, wgX } = opts;
  const acc: string[] = [];
  const body: string[] = [];
  const store: string[] = [];
  for (let r = 0; r < R; r++) for (let v = 0; v < V; v++) acc.push(`var acc_${r}_${v} = vec4f(0.0);`);
  for (let r = 0; r < R; r++) body.push(`let a_${r} = a[min(row + ${r * wgX}u, last_row) * k4 + kq];`);
  for (let kk = 0; kk < 4; kk++) {
    for (let v = 0; v < V; v++) body.push(`let b_${kk}_${v} = b[(kq * 4u + ${kk}u) * n4 + min(col4 + ${v}u, last_col)];`);
    for (let r = 0; r < R; r++) for (let v = 0; v < V; v++) body.push(`acc_${r}_${v} = fma(vec4f(a_${r}[${kk}]), b_${kk}_${v}, acc_${r}_${v});`);
  }
  for (let r = 0; r < R; r++) {
    for (let v = 0; v < V; v++) {
      store.push(`if (!BOUNDS || (row + ${r * wgX}u < u.M && col4 + ${v}u < n4)) { c[(row + ${r * wgX}u) * n4 + col4 + ${v}u] = acc_${r}_${v}; }`);
    }
  }
  return {
    name: 'matmul-rowlanes',
    key: `f32|r${R}|v${V}|x${wgX}`,
    bindings: ['read', 'read', 'read_write', 'uniform'],
    constants: { BOUNDS: opts.bounds },
    wgsl: () => /* wgsl */ `
${MATMUL_UNIFORMS.wgsl()}
@group(0) @binding(0) var<storage, read> a: array<vec4f>;
@group(0) @binding(1) var<storage, read> b: array<vec4f>;
@group(0) @binding(2) var<storage, read_write> c: array<vec4f>;
@group(0) @binding(3) var<uniform> u: Uniforms;

override BOUNDS: bool = true;
const WG_X = ${wgX}u;

@compute @workgroup_size(WG_X, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let k4 = u.K / 4u;
  let n4 = u.N / 4u;
  let row = wid.x * WG_X * ${R}u + lid.x;
  let col4 = wid.y * ${V}u;
  let last_row = u.M - 1u;
  let last_col = n4 - 1u;
  ${acc.join('\n  ')}
  for (var kq = 0u; kq < k4; kq++) {
    ${body.join('\n    ')}
  }
  ${store.join('\n  ')}
}`,
  };
}
