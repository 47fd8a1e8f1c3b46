/**
 * Transforms that are NOT symmetries, kept for experiments and negative tests (ALGORITHMS.md
 * "Symmetries" 5): all are marked `preservesFunction: false`.
 */
import { TransformError } from './errors.js';
import { randomElement } from './group/random.js';
import { toHeadForm } from './group/element-ops.js';
import { Rng } from '@symfuse/tensor';
import { getSpace, indexSpec, type GroupKind, type SymmetrySpec } from './spec.js';
import type { SpaceElement, Transform } from './transform.js';

/**
 * "Ignore heads": one permutation over all d attention features of a layer, applied to its QK and VO
 * spaces alike, that moves features across heads (guaranteed when the layer has ≥ 2 heads).
 * @param layerSpaces the head-blocked spaces to permute (e.g. `['layer.0.attention.qk', 'layer.0.attention.vo']`).
 */
export function ignoreHeadsTransform(spec: SymmetrySpec, layerSpaces: readonly string[], seed: number): Transform {
  const rng = new Rng(seed);
  const elements = new Map<string, SpaceElement>();
  let perm: Int32Array | undefined;
  for (const id of layerSpaces) {
    const space = getSpace(spec, id);
    if (!space.heads) throw new TransformError(`ignoreHeadsTransform: space '${id}' has no head blocking`);
    if (!perm) {
      perm = rng.permutation(space.size);
      // Force a cross-head move so the transform is never accidentally a symmetry.
      if (space.heads.count > 1 && toHeadForm({ kind: 'permutation', perm }, space.heads.dim)) {
        const t = perm[0];
        perm[0] = perm[space.heads.dim];
        perm[space.heads.dim] = t;
      }
    }
    if (perm.length !== space.size) throw new TransformError(`ignoreHeadsTransform: spaces ${layerSpaces.join(', ')} have different sizes`);
    elements.set(id, { kind: 'permutation', perm });
  }
  return { elements, preservesFunction: false, provenance: { source: 'ignoreHeadsTransform', seed } };
}

/**
 * The sublayer a residual-bound BERT-family parameter belongs to: `layer.{i}.attention` (W_Q/W_K/W_V
 * in-axis, W_O, LN₁), `layer.{i}.ffn` (W_1 in-axis, W_2, LN₂), `embeddings`, or `other` (final LN, head).
 */
export function bertSublayerOf(param: string): string {
  const m = /\.layer\.(\d+)\.(attention|intermediate|output)\./.exec(param);
  if (m) return `layer.${m[1]}.${m[2] === 'attention' ? 'attention' : 'ffn'}`;
  if (param.includes('.embeddings.')) return 'embeddings';
  return 'other';
}

/**
 * "Separate residual": a different random permutation of the residual space per sublayer (via
 * per-parameter overrides). Not a symmetry: consecutive sublayers no longer agree on the basis.
 * @param sublayerOf groups the residual-bound parameters (default {@link bertSublayerOf}).
 */
export function separateResidualTransform(spec: SymmetrySpec, seed: number, residualSpace = 'residual', sublayerOf: (param: string) => string = bertSublayerOf): Transform {
  const space = getSpace(spec, residualSpace);
  const rng = new Rng(seed);
  const perms = new Map<string, Int32Array>();
  const paramOverrides = new Map<string, Map<string, SpaceElement>>();
  for (const b of indexSpec(spec).bindingsBySpace.get(residualSpace) ?? []) {
    const group = sublayerOf(b.param);
    let perm = perms.get(group);
    if (!perm) {
      perm = rng.fork(group).permutation(space.size);
      perms.set(group, perm);
    }
    paramOverrides.set(b.param, new Map([[residualSpace, { kind: 'permutation', perm }]]));
  }
  if (perms.size < 2) throw new TransformError(`separateResidualTransform: the residual parameters form ${perms.size} sublayer group; a separate residual needs at least 2`);
  return { elements: new Map(), paramOverrides, preservesFunction: false, provenance: { source: 'separateResidualTransform', seed, groups: [...perms.keys()] } };
}

/**
 * A random element of `kinds` on each of `spaces`, whether or not the spaces admit them (e.g. a
 * dense rotation of the residual stream, `['orthogonal']`; positive scaling of a GELU FFN, `['scale']`).
 */
export function forcedTransform(spec: SymmetrySpec, spaces: readonly string[], kinds: readonly GroupKind[], seed: number): Transform {
  const rng = new Rng(seed);
  const elements = new Map<string, SpaceElement>();
  for (const id of spaces) elements.set(id, randomElement(getSpace(spec, id), kinds, rng.fork(id)));
  return { elements, preservesFunction: false, provenance: { source: 'forcedTransform', seed, kinds: [...kinds] } };
}

/** A Haar-random rotation of the residual stream (not a symmetry: LayerNorm is not rotation-equivariant). */
export function residualRotationTransform(spec: SymmetrySpec, seed: number, residualSpace = 'residual'): Transform {
  return forcedTransform(spec, [residualSpace], ['orthogonal'], seed);
}
