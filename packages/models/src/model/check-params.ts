/**
 * Checks, before a forward pass, that a model's parameters are the ones its config and head need.
 */
import type { Backend, DType, Tensor } from '@symfuse/tensor';
import { ParamMismatchError } from './errors.js';
import { expectedParams } from './names.js';
import type { HeadKind, ParamMap } from './types.js';
import type { ValidConfig } from './validate-config.js';

/** The common dtype and backend of a checked parameter set. */
export interface ParamsInfo {
  readonly dtype: DType;
  readonly backend: Backend;
}

const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

/**
 * Verifies that every parameter of `expectedParams(config, head)` is present, alive, has the right
 * shape, and that all share one floating dtype and one backend. Extra parameters are allowed.
 * @throws ParamMismatchError naming the parameter, what was found and what was expected.
 */
export function checkParams(config: ValidConfig, head: HeadKind, params: ParamMap): ParamsInfo {
  let dtype: DType | undefined;
  let backend: Backend | undefined;
  let first = '';
  for (const [name, shape] of expectedParams(config, head)) {
    const t: Tensor | undefined = params.get(name);
    if (!t) {
      throw new ParamMismatchError(name, `is missing; a ${config.modelType} ${config.layerNormPlacement}-LN model with head '${head}' needs it (shape ${fmt(shape)})`);
    }
    if (t.isDisposed) throw new ParamMismatchError(name, 'was disposed');
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new ParamMismatchError(name, `has shape ${fmt(t.shape)}; the config needs ${fmt(shape)}`);
    }
    if (dtype === undefined) {
      if (t.dtype !== 'f32' && t.dtype !== 'f64') throw new ParamMismatchError(name, `has dtype ${t.dtype}; expected f32 or f64`);
      dtype = t.dtype;
      backend = t.backend;
      first = name;
    } else if (t.dtype !== dtype) {
      throw new ParamMismatchError(name, `has dtype ${t.dtype} but ${first} has ${dtype}; all parameters must share one dtype`);
    } else if (t.backend !== backend) {
      throw new ParamMismatchError(name, `lives on backend '${t.backend.name}' but ${first} on '${backend?.name}'; move all parameters to one backend`);
    }
  }
  return { dtype: dtype as DType, backend: backend as Backend };
}
