/**
 * Checks that a transform fits a spec: known spaces, elements of the right size and structure
 * (structural), and — for transforms that claim to preserve the function — group kinds admitted by each
 * space, one head permutation per headGroup, no per-parameter overrides (symmetry).
 */
import { TransformError } from './errors.js';
import { isIdentityPermutation } from './group/element-ops.js';
import { checkElement } from './group/membership.js';
import { indexSpec, type SymmetrySpec } from './spec.js';
import type { SpaceElement, Transform } from './transform.js';

/** Findings of {@link validateTransform}. */
export interface TransformIssues {
  /** The transform cannot be applied (unknown space, wrong size, malformed element). */
  readonly structural: readonly string[];
  /** The transform can be applied but is not a symmetry of the spec. */
  readonly symmetry: readonly string[];
}

/** Every structural and symmetry problem of `transform` against `spec` (see the module comment). */
export function validateTransform(spec: SymmetrySpec, transform: Transform): TransformIssues {
  const index = indexSpec(spec);
  const structural: string[] = [];
  const symmetry: string[] = [];
  const known = () => [...index.spaces.keys()].join(', ');
  const sigmas = new Map<string, { space: string; perm: Int32Array }[]>();
  const check = (spaceId: string, e: SpaceElement, where: string) => {
    const space = index.spaces.get(spaceId);
    if (!space) {
      structural.push(`${where}: space '${spaceId}' is not in spec '${spec.architecture}'; known spaces: ${known()}`);
      return undefined;
    }
    const r = checkElement(space, e);
    structural.push(...r.structural.map((m) => `${where}: ${m}`));
    symmetry.push(...r.symmetry.map((m) => `${where}: ${m}`));
    return r;
  };
  for (const [id, e] of transform.elements) {
    const r = check(id, e, 'element');
    const space = index.spaces.get(id);
    if (r && space?.headGroup !== undefined && space.heads) {
      const list = sigmas.get(space.headGroup) ?? [];
      list.push({ space: id, perm: r.headPerm ?? identityOf(space.heads.count) });
      sigmas.set(space.headGroup, list);
    }
  }
  for (const [group, ids] of index.headGroups) {
    const given = sigmas.get(group) ?? [];
    if (given.length === 0) continue;
    // Spaces of the group without an element keep their heads in place (σ = identity).
    for (const id of ids) {
      if (!transform.elements.has(id)) given.push({ space: id, perm: identityOf(index.spaces.get(id)!.heads?.count ?? 0) });
    }
    const first = given[0];
    for (const other of given.slice(1)) {
      if (!samePerm(first.perm, other.perm)) {
        symmetry.push(
          `headGroup '${group}': space '${first.space}' permutes heads as [${Array.from(first.perm).join(', ')}] but space '${other.space}' as [${Array.from(other.perm).join(', ')}]; the spaces of a headGroup must share one head permutation`,
        );
        break;
      }
    }
  }
  if (transform.paramOverrides) {
    for (const [param, m] of transform.paramOverrides) {
      const bound = new Set((index.bindingsByParam.get(param) ?? []).map((b) => b.space));
      for (const [spaceId, e] of m) {
        if (!bound.has(spaceId)) {
          structural.push(`paramOverrides['${param}']: the parameter has no binding to space '${spaceId}'${bound.size ? ` (its spaces: ${[...bound].join(', ')})` : ' (it is not bound at all)'}`);
          continue;
        }
        check(spaceId, e, `paramOverrides['${param}']`);
        symmetry.push(`paramOverrides['${param}']['${spaceId}']: a per-parameter override acts on one space differently for different parameters, which is not a symmetry`);
      }
    }
  }
  return { structural, symmetry };
}

function identityOf(n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return p;
}

function samePerm(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  if (isIdentityPermutation(a) && isIdentityPermutation(b)) return true;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Throws a TransformError listing every structural problem, and every symmetry problem when
 * `transform.preservesFunction` is true.
 * @param op named in the message (e.g. `applyTransform`).
 */
export function assertTransformFits(spec: SymmetrySpec, transform: Transform, op: string): void {
  const { structural, symmetry } = validateTransform(spec, transform);
  const problems = transform.preservesFunction ? [...structural, ...symmetry] : [...structural];
  if (problems.length === 0) return;
  const hint = transform.preservesFunction && structural.length === 0 ? "\n(mark the transform 'preservesFunction: false' to apply a non-symmetry on purpose)" : '';
  throw new TransformError(`${op}: the transform does not fit spec '${spec.architecture}':\n- ${problems.join('\n- ')}${hint}`);
}
