/**
 * `applyTransform`: maps a model's parameters through a transform. Pure: returns a new Map, never
 * writes to the input tensors; parameters the transform does not touch are shared (tensors are
 * immutable by contract).
 */
import { fromHost, type Tensor } from '@symfuse/tensor';
import { TransformError } from './errors.js';
import { actOnArray, type HostArray } from './group/act.js';
import type { ParamMap } from './interfaces.js';
import { type AxisBinding, indexSpec, type SymmetrySpec } from './spec.js';
import type { SpaceElement, Transform } from './transform.js';
import { assertTransformFits } from './transform-validate.js';

/** The element acting on `binding` (a per-parameter override, else the space's element). */
export function elementFor(transform: Transform, binding: Pick<AxisBinding, 'param' | 'space'>): SpaceElement | undefined {
  return transform.paramOverrides?.get(binding.param)?.get(binding.space) ?? transform.elements.get(binding.space);
}

/**
 * Applies `transform` to every bound axis of every parameter (a parameter can have several bindings,
 * e.g. W_Q: residual on axis 1, qk on axis 0), on the CPU in the parameters' dtype (f32/f64).
 * @param params parameters keyed by name; must contain every parameter bound to a transformed space.
 * @returns a new Map with the same keys; transformed tensors live on the input's backend.
 * @throws TransformError when the transform does not fit the spec (see `validateTransform`; symmetry
 *   checks are skipped for `preservesFunction: false`), or a parameter is missing or has the wrong shape.
 */
export function applyTransform(spec: SymmetrySpec, transform: Transform, params: ParamMap): Map<string, Tensor> {
  assertTransformFits(spec, transform, 'applyTransform');
  const index = indexSpec(spec);
  const out = new Map(params);
  for (const [param, bindings] of index.bindingsByParam) {
    const active = bindings.filter((b) => elementFor(transform, b) !== undefined);
    if (active.length === 0) continue;
    const t = params.get(param);
    if (!t) {
      throw new TransformError(`applyTransform: parameter '${param}' (bound to space${active.length > 1 ? 's' : ''} ${active.map((b) => `'${b.space}'`).join(', ')}) is missing from the parameters`);
    }
    const expected = spec.params[param];
    if (expected && (expected.length !== t.shape.length || expected.some((d, i) => d !== t.shape[i]))) {
      throw new TransformError(`applyTransform: parameter '${param}' has shape [${t.shape.join(', ')}] but spec '${spec.architecture}' expects [${expected.join(', ')}]`);
    }
    let data = hostData(t, param);
    for (const b of active) {
      data = actOnArray(elementFor(transform, b)!, data, { shape: t.shape, axis: b.axis, role: b.role, range: b.range, what: `parameter '${param}' (space '${b.space}')` });
    }
    out.set(param, fromHost(data, t.shape, t.backend));
  }
  return out;
}

function hostData(t: Tensor, name: string): HostArray {
  if (t.dtype !== 'f32' && t.dtype !== 'f64') {
    throw new TransformError(`applyTransform: parameter '${name}' has dtype ${t.dtype}; only f32 and f64 parameters can be transformed`);
  }
  return t.dataSync() as HostArray;
}
