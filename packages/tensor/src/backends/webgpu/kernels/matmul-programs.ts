/**
 * WGSL programs of the matmul family, `C[z] = op(A[z]) · op(B[z])` over a batch `z`, with an
 * optional "centred" mode `(A − 1·μAᵀ)ᵀ (B − 1·μBᵀ)` used by CenteredCross.
 *
 * Register family (no workgroup memory: on Mesa lavapipe a barrier is a coroutine switch of every
 * invocation, so the phase-1 prototypes found this 2–3× faster than tiles; see the README):
 * - `nn4`: A `[M,K]`, B `[K,N]` read as vec4 (K, N multiples of 4); 4 rows × 2 vec4 per invocation.
 * - `nt4`: A `[M,K]`, B `[N,K]` read as vec4 along K (K multiple of 4); 4 rows × 8 columns of dot4s.
 * - `tn4`: A `[K,M]`, B `[K,N]` read as vec4 along M and N (multiples of 4); 8 rows × 2 vec4, rank-1
 *   updates — the layout of centred cross products.
 * - `generic`: scalar loads through strides (any transposes and sizes); 4 × 4 per invocation.
 *
 * Tiled family (what wins on a real GPU): 64 × 64 output tiles staged through workgroup memory in
 * TILE_K slices, 4 × 4 register micro-tiles per invocation, loads through strides (any transposes and
 * sizes), coalesced along whichever axis of each operand is contiguous.
 *
 * Every program bounds-checks its loads (indices clamped into the matrix; clamped results are never
 * stored) and its stores. Batch offsets: the batch is collapsed to ≤ 3 dimensions with per-dimension
 * strides for A and B in uniforms (0 = broadcast); C is contiguous per batch with row stride `ldc`.
 * Every program reads A and B through their strides (`sai`, `sak`, `sbk`, `sbj`; the vec4 variants
 * divide them by 4), so a dispatch may compute one block (M × N × K) of a larger product: `ma0`,
 * `mb0` offset the centring means, and the `add` mode (a compile-time fact) accumulates into C
 * instead of overwriting it, for products split along K.
 */
import { WGSL_WORKGROUP_OFFSET } from '../limits-plan.js';
import type { GpuProgram } from '../pipeline-cache.js';
import { defineUniforms } from '../uniforms.js';
import { programMemo } from './common.js';

/** Runtime sizes of every matmul program (unused fields are ignored by a variant). */
export const MATMUL_U = defineUniforms(
  {
    M: 'u32', N: 'u32', K: 'u32',
    nb: 'u32', nb1: 'u32', nb2: 'u32',
    sa0: 'u32', sa1: 'u32', sa2: 'u32', sb0: 'u32', sb1: 'u32', sb2: 'u32',
    aBase: 'u32', bBase: 'u32', cBase: 'u32',
    sai: 'u32', sak: 'u32', sbk: 'u32', sbj: 'u32',
    ldc: 'u32', ma0: 'u32', mb0: 'u32',
  },
  { workgroupOffset: true },
);

/** How a program stores C: overwrite, or add to what a previous K block left there. */
export type StoreMode = 'set' | 'add';

/** WGSL statement storing `value` at `c[index]` in `mode`. */
function store(mode: StoreMode, index: string, value: string): string {
  return mode === 'add' ? `{ let ci = ${index}; c[ci] = c[ci] + ${value}; }` : `c[${index}] = ${value};`;
}

/** Register-family variants. */
export type RegisterVariant = 'nn4' | 'nt4' | 'tn4' | 'generic';

/** Output tile (rows, columns) of one workgroup of each variant. */
export const TILE: Record<RegisterVariant | 'tiled', { rows: number; cols: number }> = {
  nn4: { rows: 32, cols: 64 },
  nt4: { rows: 32, cols: 64 },
  tn4: { rows: 64, cols: 64 },
  generic: { rows: 32, cols: 32 },
  tiled: { rows: 64, cols: 64 },
};

const BATCH_WGSL = /* wgsl */ `
// Element offsets of A, B and C of batch z (z over the collapsed batch [nb/(nb1·nb2), nb1, nb2]).
fn batch_offsets(z: u32) -> vec3u {
  let i2 = z % u.nb2;
  let t = z / u.nb2;
  let i1 = t % u.nb1;
  let i0 = t / u.nb1;
  return vec3u(
    u.aBase + i0 * u.sa0 + i1 * u.sa1 + i2 * u.sa2,
    u.bBase + i0 * u.sb0 + i1 * u.sb1 + i2 * u.sb2,
    u.cBase + z * u.M * u.N);
}`;

function header(aType: string, bType: string, cType: string, centered: boolean, meanType = 'f32'): string {
  return /* wgsl */ `
${MATMUL_U.wgsl()}
@group(0) @binding(0) var<storage, read> a: array<${aType}>;
@group(0) @binding(1) var<storage, read> b: array<${bType}>;
@group(0) @binding(2) var<storage, read_write> c: array<${cType}>;
${centered ? `@group(0) @binding(3) var<storage, read> mean_a: array<${meanType}>;\n@group(0) @binding(4) var<storage, read> mean_b: array<${meanType}>;\n@group(0) @binding(5) var<uniform> u: Uniforms;` : '@group(0) @binding(3) var<uniform> u: Uniforms;'}
${WGSL_WORKGROUP_OFFSET}
${BATCH_WGSL}
override WG_X: u32 = 8;
override WG_Y: u32 = 8;`;
}

/**
 * A register-family program: `head` (see {@link header}), then `main` over `WG_X × WG_Y` invocations
 * with `g` the global workgroup id (z = batch; past `u.nb` it returns at once) running `body`.
 */
function registerMain(head: string, body: string): string {
  return /* wgsl */ `${head}
@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let g = global_workgroup(wid);
  if (g.z >= u.nb) { return; }
  ${body}
}`;
}

function bindingsOf(centered: boolean): GpuProgram['bindings'] {
  return centered ? ['read', 'read', 'read_write', 'read', 'read', 'uniform'] : ['read', 'read', 'read_write', 'uniform'];
}

function nn4(sm: StoreMode): string {
  const R = 4;
  const V = 2;
  const acc: string[] = [];
  const body: string[] = [];
  const stores: string[] = [];
  for (let r = 0; r < R; r++) for (let v = 0; v < V; v++) acc.push(`var acc_${r}_${v} = vec4f(0.0);`);
  for (let r = 0; r < R; r++) body.push(`let a_${r} = a[ao + min(row + ${r}u, last_row) * lda4 + kq];`);
  for (let kk = 0; kk < 4; kk++) {
    for (let v = 0; v < V; v++) body.push(`let b_${kk}_${v} = b[bo + (kq * 4u + ${kk}u) * ldb4 + min(col4 + ${v}u, last_col)];`);
    for (let r = 0; r < R; r++) for (let v = 0; v < V; v++) body.push(`acc_${r}_${v} = fma(vec4f(a_${r}[${kk}]), b_${kk}_${v}, acc_${r}_${v});`);
  }
  for (let r = 0; r < R; r++) {
    for (let v = 0; v < V; v++) stores.push(`if (row + ${r}u < u.M && col4 + ${v}u < n4) { ${store(sm, `co + (row + ${r}u) * ldc4 + col4 + ${v}u`, `acc_${r}_${v}`)} }`);
  }
  return registerMain(header('vec4f', 'vec4f', 'vec4f', false), /* wgsl */ `let k4 = u.K / 4u;
  let n4 = u.N / 4u;
  let lda4 = u.sai / 4u;
  let ldb4 = u.sbk / 4u;
  let ldc4 = u.ldc / 4u;
  let row = (g.y * WG_Y + lid.y) * ${R}u;
  let col4 = (g.x * WG_X + lid.x) * ${V}u;
  if (row >= u.M || col4 >= n4) { return; }
  let off = batch_offsets(g.z);
  let ao = off.x / 4u;
  let bo = off.y / 4u;
  let co = off.z / 4u;
  let last_row = u.M - 1u;
  let last_col = n4 - 1u;
  ${acc.join('\n  ')}
  for (var kq = 0u; kq < k4; kq++) {
    ${body.join('\n    ')}
  }
  ${stores.join('\n  ')}`);
}

function nt4(sm: StoreMode): string {
  const R = 4;
  const C = 8;
  const acc: string[] = [];
  const body: string[] = [];
  const stores: string[] = [];
  for (let r = 0; r < R; r++) for (let g = 0; g < C / 4; g++) acc.push(`var acc_${r}_${g} = vec4f(0.0);`);
  for (let r = 0; r < R; r++) body.push(`let a_${r} = a[ao + min(row + ${r}u, last_row) * lda4 + kq];`);
  for (let j = 0; j < C; j++) body.push(`let b_${j} = b[bo + min(col + ${j}u, last_col) * ldb4 + kq];`);
  for (let r = 0; r < R; r++) {
    for (let g = 0; g < C / 4; g++) {
      const d = [0, 1, 2, 3].map((t) => `dot(a_${r}, b_${4 * g + t})`).join(', ');
      body.push(`acc_${r}_${g} += vec4f(${d});`);
    }
  }
  for (let r = 0; r < R; r++) {
    for (let j = 0; j < C; j++) {
      stores.push(`if (row + ${r}u < u.M && col + ${j}u < u.N) { ${store(sm, `co + (row + ${r}u) * u.ldc + col + ${j}u`, `acc_${r}_${j >> 2}[${j & 3}]`)} }`);
    }
  }
  return registerMain(header('vec4f', 'vec4f', 'f32', false), /* wgsl */ `let k4 = u.K / 4u;
  let lda4 = u.sai / 4u;
  let ldb4 = u.sbj / 4u;
  let row = (g.y * WG_Y + lid.y) * ${R}u;
  let col = (g.x * WG_X + lid.x) * ${C}u;
  if (row >= u.M || col >= u.N) { return; }
  let off = batch_offsets(g.z);
  let ao = off.x / 4u;
  let bo = off.y / 4u;
  let co = off.z;
  let last_row = u.M - 1u;
  let last_col = u.N - 1u;
  ${acc.join('\n  ')}
  for (var kq = 0u; kq < k4; kq++) {
    ${body.join('\n    ')}
  }
  ${stores.join('\n  ')}`);
}

function tn4(centered: boolean, sm: StoreMode): string {
  const RV = 2; // vec4s of rows
  const V = 2; // vec4s of columns
  const acc: string[] = [];
  const body: string[] = [];
  const stores: string[] = [];
  const pre: string[] = [];
  for (let rv = 0; rv < RV; rv++) for (let r = 0; r < 4; r++) for (let v = 0; v < V; v++) acc.push(`var acc_${rv * 4 + r}_${v} = vec4f(0.0);`);
  for (let rv = 0; rv < RV; rv++) {
    pre.push(`let ra_${rv} = min(row4 + ${rv}u, last_row4);`);
    pre.push(centered ? `let ma_${rv} = mean_a[u.ma0 / 4u + ra_${rv}];` : `let ma_${rv} = vec4f(0.0);`);
    body.push(`let a_${rv} = a[ao + k * lda4 + ra_${rv}] - ma_${rv};`);
  }
  for (let v = 0; v < V; v++) {
    pre.push(`let cb_${v} = min(col4 + ${v}u, last_col4);`);
    pre.push(centered ? `let mb_${v} = mean_b[u.mb0 / 4u + cb_${v}];` : `let mb_${v} = vec4f(0.0);`);
    body.push(`let b_${v} = b[bo + k * ldb4 + cb_${v}] - mb_${v};`);
  }
  for (let rv = 0; rv < RV; rv++) {
    for (let r = 0; r < 4; r++) for (let v = 0; v < V; v++) body.push(`acc_${rv * 4 + r}_${v} = fma(vec4f(a_${rv}[${r}]), b_${v}, acc_${rv * 4 + r}_${v});`);
  }
  for (let rv = 0; rv < RV; rv++) {
    for (let r = 0; r < 4; r++) {
      for (let v = 0; v < V; v++) {
        stores.push(`if (row4 + ${rv}u < m4 && col4 + ${v}u < n4) { ${store(sm, `co + ((row4 + ${rv}u) * 4u + ${r}u) * ldc4 + col4 + ${v}u`, `acc_${rv * 4 + r}_${v}`)} }`);
      }
    }
  }
  return registerMain(header('vec4f', 'vec4f', 'vec4f', centered, 'vec4f'), /* wgsl */ `let m4 = u.M / 4u;
  let n4 = u.N / 4u;
  let lda4 = u.sak / 4u;
  let ldb4 = u.sbk / 4u;
  let ldc4 = u.ldc / 4u;
  let row4 = (g.y * WG_Y + lid.y) * ${RV}u;
  let col4 = (g.x * WG_X + lid.x) * ${V}u;
  if (row4 >= m4 || col4 >= n4) { return; }
  let off = batch_offsets(g.z);
  let ao = off.x / 4u;
  let bo = off.y / 4u;
  let co = off.z / 4u;
  let last_row4 = m4 - 1u;
  let last_col4 = n4 - 1u;
  ${pre.join('\n  ')}
  ${acc.join('\n  ')}
  for (var k = 0u; k < u.K; k++) {
    ${body.join('\n    ')}
  }
  ${stores.join('\n  ')}`);
}

function generic(centered: boolean, sm: StoreMode): string {
  const body: string[] = [];
  const pre: string[] = [];
  for (let r = 0; r < 4; r++) {
    pre.push(`let ri_${r} = min(row + ${r}u, last_row);`);
    pre.push(`let ma_${r} = ${centered ? `mean_a[u.ma0 + ri_${r}]` : '0.0'};`);
    body.push(`let a_${r} = a[ao + ri_${r} * u.sai + k * u.sak] - ma_${r};`);
  }
  const cols: string[] = [];
  for (let j = 0; j < 4; j++) {
    pre.push(`let cj_${j} = min(col + ${j}u, last_col);`);
    cols.push(`b[bo + k * u.sbk + cj_${j} * u.sbj]`);
  }
  pre.push(`let mb = ${centered ? 'vec4f(mean_b[u.mb0 + cj_0], mean_b[u.mb0 + cj_1], mean_b[u.mb0 + cj_2], mean_b[u.mb0 + cj_3])' : 'vec4f(0.0)'};`);
  body.push(`let bv = vec4f(${cols.join(', ')}) - mb;`);
  for (let r = 0; r < 4; r++) body.push(`acc_${r} = fma(vec4f(a_${r}), bv, acc_${r});`);
  const stores: string[] = [];
  for (let r = 0; r < 4; r++) {
    for (let j = 0; j < 4; j++) stores.push(`if (row + ${r}u < u.M && col + ${j}u < u.N) { ${store(sm, `co + (row + ${r}u) * u.ldc + col + ${j}u`, `acc_${r}[${j}]`)} }`);
  }
  return registerMain(header('f32', 'f32', 'f32', centered), /* wgsl */ `let row = (g.y * WG_Y + lid.y) * 4u;
  let col = (g.x * WG_X + lid.x) * 4u;
  if (row >= u.M || col >= u.N) { return; }
  let off = batch_offsets(g.z);
  let ao = off.x;
  let bo = off.y;
  let co = off.z;
  let last_row = u.M - 1u;
  let last_col = u.N - 1u;
  ${pre.join('\n  ')}
  var acc_0 = vec4f(0.0);
  var acc_1 = vec4f(0.0);
  var acc_2 = vec4f(0.0);
  var acc_3 = vec4f(0.0);
  for (var k = 0u; k < u.K; k++) {
    ${body.join('\n    ')}
  }
  ${stores.join('\n  ')}`);
}

/**
 * Register-family program; key `variant|plain or centered|set or add` (centred mode only for `tn4`
 * and `generic`).
 */
export const registerProgram = programMemo<string>((key) => {
  const [variant, mode, sm = 'set'] = key.split('|') as [RegisterVariant, 'plain' | 'centered', StoreMode?];
  const centered = mode === 'centered';
  const wgsl = variant === 'nn4' ? () => nn4(sm) : variant === 'nt4' ? () => nt4(sm) : variant === 'tn4' ? () => tn4(centered, sm) : () => generic(centered, sm);
  return { name: `matmul-${variant}`, key: `f32|${mode}${sm === 'add' ? '|add' : ''}`, bindings: bindingsOf(centered), constants: { WG_X: 8, WG_Y: 8 }, wgsl };
});

/**
 * Tiled program: TILE_M × TILE_N outputs per workgroup of (TILE_N/4) × (TILE_M/4) invocations, each a
 * 4 × 4 micro-tile, K consumed in TILE_K-deep slices staged in workgroup memory. `transA`/`transB`
 * only choose which axis consecutive invocations load along (coalescing); addressing is by strides.
 * Key `tA or nA|tB or nB|plain or centered|set or add` (`set` may be omitted).
 */
export const tiledProgram = programMemo<string>((key) => {
  const [ta, tb, mode, sm = 'set'] = key.split('|') as [string, string, string, StoreMode?];
  const transA = ta === 'tA';
  const transB = tb === 'tB';
  const centered = mode === 'centered';
  // Consecutive invocations load consecutive addresses: along k for a row-major A, along m for Aᵀ.
  const aIndex = transA ? 'let kk = i / TILE_M; let mm = i % TILE_M;' : 'let mm = i / TILE_K; let kk = i % TILE_K;';
  const bIndex = transB ? 'let nn = i / TILE_K; let kk = i % TILE_K;' : 'let kk = i / TILE_N; let nn = i % TILE_N;';
  // Stages slice k0 ..< k0 + TILE_K of an operand into `tile` ([kk][t], t < width): `index` sets kk and
  // `t` from the loop's i, x = x0 + t is the row (A) or column (B) loaded by `load` (0 outside the matrix).
  const stage = (tile: string, width: string, index: string, t: string, x0: string, limit: string, load: string): string => /* wgsl */ `
    for (var i = li; i < TILE_K * ${width}; i += nthreads) {
      ${index}
      let x = ${x0} + ${t};
      let k = k0 + kk;
      var v = 0.0;
      if (x < ${limit} && k < u.K) { v = ${load}; }
      ${tile}[kk * ${width} + ${t}] = v;
    }`;
  return {
    name: 'matmul-tiled',
    key: `f32|${ta}|${tb}|${mode}${sm === 'add' ? '|add' : ''}`,
    bindings: bindingsOf(centered),
    constants: { TILE_M: 64, TILE_N: 64, TILE_K: 16, WG_X: 16, WG_Y: 16 },
    wgsl: () => /* wgsl */ `${header('f32', 'f32', 'f32', centered)}
override TILE_M: u32 = 64;
override TILE_N: u32 = 64;
override TILE_K: u32 = 16;

var<workgroup> As: array<f32, TILE_K * TILE_M>; // [k][m]
var<workgroup> Bs: array<f32, TILE_K * TILE_N>; // [k][n]

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let g = global_workgroup(wid);
  // Uniform exit only (workgroup ids and uniforms): every invocation reaches every barrier.
  if (g.z >= u.nb) { return; }
  let off = batch_offsets(g.z);
  let row0 = g.y * TILE_M;
  let col0 = g.x * TILE_N;
  let nthreads = WG_X * WG_Y;
  var acc_0 = vec4f(0.0);
  var acc_1 = vec4f(0.0);
  var acc_2 = vec4f(0.0);
  var acc_3 = vec4f(0.0);
  for (var k0 = 0u; k0 < u.K; k0 += TILE_K) {
    ${stage('As', 'TILE_M', aIndex, 'mm', 'row0', 'u.M', `a[off.x + x * u.sai + k * u.sak]${centered ? ' - mean_a[u.ma0 + x]' : ''}`)}
    ${stage('Bs', 'TILE_N', bIndex, 'nn', 'col0', 'u.N', `b[off.y + k * u.sbk + x * u.sbj]${centered ? ' - mean_b[u.mb0 + x]' : ''}`)}
    workgroupBarrier();
    for (var kk = 0u; kk < TILE_K; kk++) {
      let ab = kk * TILE_M + lid.y * 4u;
      let bb = kk * TILE_N + lid.x * 4u;
      let bv = vec4f(Bs[bb], Bs[bb + 1u], Bs[bb + 2u], Bs[bb + 3u]);
      acc_0 = fma(vec4f(As[ab]), bv, acc_0);
      acc_1 = fma(vec4f(As[ab + 1u]), bv, acc_1);
      acc_2 = fma(vec4f(As[ab + 2u]), bv, acc_2);
      acc_3 = fma(vec4f(As[ab + 3u]), bv, acc_3);
    }
    workgroupBarrier();
  }
  let r = row0 + lid.y * 4u;
  let col = col0 + lid.x * 4u;
  var accs = array<vec4f, 4>(acc_0, acc_1, acc_2, acc_3);
  for (var i = 0u; i < 4u; i++) {
    if (r + i < u.M) {
      for (var j = 0u; j < 4u; j++) {
        if (col + j < u.N) { ${store(sm, 'off.z + (r + i) * u.ldc + col + j', 'accs[i][j]')} }
      }
    }
  }
}`,
  };
});
