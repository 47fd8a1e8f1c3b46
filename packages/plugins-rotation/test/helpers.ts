/**
 * Independent oracles for the rotation plugin tests: per-head matrices read straight from the
 * Hugging Face parameter names (not through the spec bindings the plugin uses), naive dense algebra,
 * and a tiny FFN weight-matching aligner for pipeline composition tests.
 */
import { type EncoderConfig, type EncoderModelType, layerParamNames } from '@symfuse/models';
import type { Aligner, ModelWeights, SpaceElement, TraceEvent } from '@symfuse/symmetry';
import { matmulOracle, nd } from '@symfuse/tensor/testing';

/** Row `i` of a `[rows, cols]` parameter, as numbers. */
function row(m: ModelWeights, name: string, i: number): number[] {
  const t = m.params.get(name)!;
  const cols = t.shape[1];
  return Array.from((t.dataSync() as Float32Array).subarray(i * cols, (i + 1) * cols));
}

function col(m: ModelWeights, name: string, j: number): number[] {
  const t = m.params.get(name)!;
  const [rows, cols] = t.shape;
  const d = t.dataSync() as Float32Array;
  return Array.from({ length: rows }, (_, r) => d[r * cols + j]);
}

function at(m: ModelWeights, name: string, i: number): number {
  return (m.params.get(name)!.dataSync() as Float32Array)[i];
}

/**
 * Head `j` of layer `layer` as `d_k` rows (ALGORITHMS.md): QK row r = [W_Q[c], b_Q[c], W_K[c], b_K[c]],
 * VO row r = [W_V[c], b_V[c], W_O[:, c]] with c = j·d_k + r.
 */
export function headRowsOracle(m: ModelWeights, layer: number, which: 'qk' | 'vo', j: number): number[][] {
  const cfg = m.config as EncoderConfig;
  const n = layerParamNames(cfg.modelType as EncoderModelType, layer);
  const dk = cfg.hiddenSize / cfg.numHeads;
  const rows: number[][] = [];
  for (let r = 0; r < dk; r++) {
    const c = j * dk + r;
    rows.push(
      which === 'qk'
        ? [...row(m, n.query.weight, c), at(m, n.query.bias, c), ...row(m, n.key.weight, c), at(m, n.key.bias, c)]
        : [...row(m, n.value.weight, c), at(m, n.value.bias, c), ...col(m, n.attnOut.weight, c)],
    );
  }
  return rows;
}

/** `‖X − Y‖²` of two row lists. */
export function sqDist(x: readonly number[][], y: readonly number[][]): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) for (let k = 0; k < x[i].length; k++) s += (x[i][k] - y[i][k]) ** 2;
  return s;
}

/** ⟨x, y⟩. */
export function dot(x: readonly number[], y: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

/** Naive `A Bᵀ` for `[n, n]` row-major matrices (`@symfuse/tensor/testing`'s triple-loop oracle). */
export function mulABt(a: Float64Array, b: Float64Array, n: number): Float64Array {
  return matmulOracle(nd([n, n], a), nd([n, n], b), false, true).value.data;
}

/** Naive `A B` for `[n, n]` row-major matrices. */
export function mulAB(a: Float64Array, b: Float64Array, n: number): Float64Array {
  return matmulOracle(nd([n, n], a), nd([n, n], b), false, false).value.data;
}

/** `max |AᵀA − I|`. */
export function orthogonalityDefect(a: Float64Array, n: number): number {
  let d = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += a[k * n + i] * a[k * n + j];
    d = Math.max(d, Math.abs(s - (i === j ? 1 : 0)));
  }
  return d;
}

/** `⟨A, B⟩_F`. */
export function frob(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * A tiny FFN weight-matching aligner (Ainsworth et al., one layer at a time, residual fixed) for
 * pipeline composition tests: `C[i, j] = ⟨W₁ᴬ[i], W₁ᴮ[j]⟩ + b₁ᴬ[i] b₁ᴮ[j] + ⟨W₂ᴬ[:, i], W₂ᴮ[:, j]⟩`,
 * maximised by the request's solver. Stands in for the permutation plugin's `weight-matching`
 * (plugins never import each other).
 */
export function toyFfnWeightMatching(): Aligner<Record<string, never>> {
  return {
    id: 'toy-ffn-weight-matching',
    prettyName: 'FFN weight matching (test stand-in)',
    reference: 'Ainsworth, Hayase & Srinivasa 2023',
    components: ['ffn'],
    options: { parse: () => ({}) },
    needs: [],
    async align({ anchor, model, spaces, solver }) {
      const elements = new Map<string, SpaceElement>();
      const trace: TraceEvent[] = [];
      const cfg = anchor.config as EncoderConfig;
      const read = (m: ModelWeights, name: string) => m.params.get(name)!.dataSync() as Float32Array;
      for (const space of spaces) {
        const n = layerParamNames(cfg.modelType as EncoderModelType, space.layer!);
        const f = space.size;
        const d = cfg.hiddenSize;
        const [W1a, W1b, b1a, b1b, W2a, W2b] = [read(anchor, n.ffnIn.weight), read(model, n.ffnIn.weight), read(anchor, n.ffnIn.bias), read(model, n.ffnIn.bias), read(anchor, n.ffnOut.weight), read(model, n.ffnOut.weight)];
        const cost = new Float64Array(f * f);
        for (let i = 0; i < f; i++) for (let j = 0; j < f; j++) {
          let s = b1a[i] * b1b[j];
          for (let c = 0; c < d; c++) s += W1a[i * d + c] * W1b[j * d + c] + W2a[c * f + i] * W2b[c * f + j];
          cost[i * f + j] = s;
        }
        const { cols } = await solver.solve(cost, f, f, { maximize: true });
        elements.set(space.id, { kind: 'permutation', perm: cols });
        trace.push({ space: space.id, step: 'toy-weight-matching' });
      }
      return { transform: { elements, preservesFunction: true }, trace, diagnostics: {} };
    },
  };
}
