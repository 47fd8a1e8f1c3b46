/**
 * Linear interpolation in parameter space (ALGORITHMS.md "Evaluation"): `θ(λ) = λ·θ_A + (1−λ)·θ_B'`,
 * so λ = 1 is the anchor A and λ = 0 the (aligned) model B.
 */
import { type Tensor, ValueError, add, fromHost, mulScalar, tidy } from '@symfuse/tensor';

/** Parameters keyed by Hugging Face name. */
export type Params = ReadonlyMap<string, Tensor>;

/**
 * `points` evenly spaced values of λ in [0, 1], ascending, endpoints included (default 21:
 * 0, 0.05, …, 1 — the papers' grid). Values are `i / (points − 1)` exactly, so 0.5 is on an odd grid.
 * @throws ValueError when `points` is not an integer ≥ 2.
 */
export function lambdaGrid(points = 21): number[] {
  if (!Number.isInteger(points) || points < 2) throw new ValueError('lambdaGrid', `points = ${points}; expected an integer ≥ 2 (the endpoints λ = 0 and λ = 1 are always evaluated)`);
  return Array.from({ length: points }, (_, i) => i / (points - 1));
}

/**
 * `λ·a + (1−λ)·b` for every parameter of `a` (same names, shapes and dtypes in `b`). Integer tensors
 * (none in the encoder family) are refused. Host tensors (CPU) are combined on the host in one pass,
 * rounded once to the tensors' dtype; tensors on a device backend (WebGPU) are combined there with
 * kernels (two scalings and an add, each rounded to f32), so nothing is read back.
 * @returns new tensors on `a`'s backend (the caller disposes them).
 * @throws ValueError naming the parameter whose name, shape, dtype or backend differs.
 */
export function interpolateParams(a: Params, b: Params, lambda: number): Map<string, Tensor> {
  if (!Number.isFinite(lambda)) throw new ValueError('interpolateParams', `lambda = ${lambda}; expected a finite number`);
  if (a.size !== b.size) throw new ValueError('interpolateParams', `models have ${a.size} and ${b.size} parameters; expected the same names`);
  const out = new Map<string, Tensor>();
  const mu = 1 - lambda;
  for (const [name, ta] of a) {
    const tb = b.get(name);
    if (!tb) throw new ValueError('interpolateParams', `parameter '${name}' of the first model is missing from the second`);
    if (ta.dtype !== tb.dtype || ta.shape.length !== tb.shape.length || ta.shape.some((d, i) => d !== tb.shape[i])) {
      throw new ValueError('interpolateParams', `parameter '${name}' is ${ta.dtype}[${ta.shape.join(', ')}] in the first model and ${tb.dtype}[${tb.shape.join(', ')}] in the second`);
    }
    if (ta.dtype !== 'f32' && ta.dtype !== 'f64') throw new ValueError('interpolateParams', `parameter '${name}' has dtype ${ta.dtype}; only f32 and f64 interpolate`);
    if (ta.backend.name !== tb.backend.name) throw new ValueError('interpolateParams', `parameter '${name}' lives on backend '${ta.backend.name}' in the first model and '${tb.backend.name}' in the second`);
    const x = ta.backend.readSync(ta.storage) as Float32Array | Float64Array | undefined;
    if (!x) {
      out.set(name, tidy(() => add(mulScalar(ta, lambda), mulScalar(tb, mu))));
      continue;
    }
    const y = tb.dataSync() as Float32Array | Float64Array;
    const r = ta.dtype === 'f64' ? new Float64Array(x.length) : new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) r[i] = lambda * x[i] + mu * y[i];
    out.set(name, fromHost(r, ta.shape, ta.backend));
  }
  return out;
}
