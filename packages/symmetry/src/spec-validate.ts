/**
 * `validateSpec`: everything that can be wrong with a SymmetrySpec against a model's parameters —
 * parameters neither bound nor declared invariant, bindings to unknown parameters/axes/spaces, size
 * mismatches, malformed spaces — reported all at once so a spec author fixes them in one go.
 */
import { SpecError } from './errors.js';
import { GROUP_KINDS, HEAD_GROUP_KINDS, indexSpec, type SymmetrySpec } from './spec.js';

/** What kind of problem a {@link SpecIssue} is. */
export type SpecIssueCode =
  | 'unbound-param'
  | 'unknown-param'
  | 'unknown-space'
  | 'bad-axis'
  | 'bad-range'
  | 'size-mismatch'
  | 'shape-mismatch'
  | 'missing-param'
  | 'duplicate-space'
  | 'duplicate-binding'
  | 'invariant-bound'
  | 'bad-space'
  | 'bad-kind'
  | 'unused-space';

/** One problem found by {@link validateSpec}. */
export interface SpecIssue {
  readonly code: SpecIssueCode;
  readonly message: string;
  readonly param?: string;
  readonly space?: string;
}

/** Parameter shapes as a Map or record of shapes, or a map of tensors (anything with `shape`). */
export type ParamShapesLike =
  | ReadonlyMap<string, readonly number[] | { readonly shape: readonly number[] }>
  | Readonly<Record<string, readonly number[]>>;

function shapesOf(input: ParamShapesLike): Map<string, readonly number[]> {
  const out = new Map<string, readonly number[]>();
  const entries = input instanceof Map ? [...input.entries()] : Object.entries(input);
  for (const [k, v] of entries) out.set(k, Array.isArray(v) ? (v as readonly number[]) : (v as { shape: readonly number[] }).shape);
  return out;
}

const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

/**
 * Every problem of `spec` against `paramShapes` (default: the spec's own `params`). An empty list
 * means: every parameter is bound or invariant, every binding names a known parameter, axis and space,
 * and every bound axis (or range) has the space's size.
 */
export function validateSpec(spec: SymmetrySpec, paramShapes: ParamShapesLike = spec.params): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const shapes = shapesOf(paramShapes);
  const index = indexSpec(spec);
  const add = (code: SpecIssueCode, message: string, extra: { param?: string; space?: string } = {}) => issues.push({ code, message, ...extra });

  const seen = new Set<string>();
  for (const s of spec.spaces) {
    if (seen.has(s.id)) add('duplicate-space', `space '${s.id}' is declared more than once`, { space: s.id });
    seen.add(s.id);
    if (!Number.isInteger(s.size) || s.size <= 0) add('bad-space', `space '${s.id}' has size ${s.size}; expected a positive integer`, { space: s.id });
    if (s.heads && s.heads.count * s.heads.dim !== s.size) {
      add('bad-space', `space '${s.id}': ${s.heads.count} heads × ${s.heads.dim} = ${s.heads.count * s.heads.dim} ≠ size ${s.size}`, { space: s.id });
    }
    for (const k of s.kinds) {
      if (!GROUP_KINDS.includes(k)) add('bad-kind', `space '${s.id}' lists unknown kind '${String(k)}'; known: ${GROUP_KINDS.join(', ')}`, { space: s.id });
      else if (HEAD_GROUP_KINDS.includes(k) && !s.heads) add('bad-kind', `space '${s.id}' lists '${k}' but has no head blocking ('heads')`, { space: s.id });
      else if ((k === 'orthogonal' || k === 'invertible') && s.heads) add('bad-kind', `space '${s.id}' has heads; use 'head-${k === 'orthogonal' ? 'orthogonal' : 'invertible'}' instead of '${k}'`, { space: s.id });
    }
    if (s.headGroup !== undefined && !s.heads) add('bad-space', `space '${s.id}' has headGroup '${s.headGroup}' but no head blocking`, { space: s.id });
    if (!index.bindingsBySpace.has(s.id)) add('unused-space', `space '${s.id}' has no bindings`, { space: s.id });
  }
  for (const [group, ids] of index.headGroups) {
    const counts = new Set(ids.map((id) => index.spaces.get(id)!.heads?.count));
    if (counts.size > 1) add('bad-space', `headGroup '${group}' mixes head counts (${ids.map((id) => `${id}: ${index.spaces.get(id)!.heads?.count}`).join(', ')})`);
  }

  for (const [name, shape] of Object.entries(spec.params)) {
    const actual = shapes.get(name);
    if (!actual) add('missing-param', `spec parameter '${name}' ${fmt(shape)} is not among the model's parameters`, { param: name });
    else if (actual.length !== shape.length || actual.some((v, i) => v !== shape[i])) {
      add('shape-mismatch', `parameter '${name}' has shape ${fmt(actual)} but the spec says ${fmt(shape)}`, { param: name });
    }
  }

  const slots = new Map<string, [number, number][]>();
  for (const b of spec.bindings) {
    const space = index.spaces.get(b.space);
    const shape = shapes.get(b.param);
    const where = `binding ${b.param}[axis ${b.axis}] → '${b.space}'`;
    if (!space) add('unknown-space', `${where}: space '${b.space}' is not declared; known: ${spec.spaces.map((s) => s.id).join(', ')}`, { param: b.param, space: b.space });
    if (b.role !== 'out' && b.role !== 'in') add('bad-axis', `${where}: role '${String(b.role)}' is not 'out' or 'in'`, { param: b.param });
    if (!shape) {
      add('unknown-param', `${where}: parameter '${b.param}' does not exist`, { param: b.param, space: b.space });
      continue;
    }
    if (!Number.isInteger(b.axis) || b.axis < 0 || b.axis >= shape.length) {
      add('bad-axis', `${where}: axis ${b.axis} is out of range for shape ${fmt(shape)}`, { param: b.param, space: b.space });
      continue;
    }
    const len = shape[b.axis];
    const [start, end] = b.range ?? [0, len];
    if (!(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && start < end && end <= len)) {
      add('bad-range', `${where}: range [${start}, ${end}) does not fit axis size ${len}`, { param: b.param, space: b.space });
      continue;
    }
    if (space && end - start !== space.size) {
      add('size-mismatch', `${where}: ${b.range ? `range [${start}, ${end}) has` : `axis has size`} ${end - start} but space '${b.space}' has size ${space.size}`, { param: b.param, space: b.space });
    }
    const key = `${b.param}\u0000${b.axis}`;
    const list = slots.get(key) ?? [];
    for (const [s, e] of list) {
      if (start < e && s < end) add('duplicate-binding', `${where}: overlaps another binding of the same axis on [${Math.max(s, start)}, ${Math.min(e, end)})`, { param: b.param, space: b.space });
    }
    list.push([start, end]);
    slots.set(key, list);
  }

  const invariant = new Set(spec.invariant);
  for (const name of invariant) {
    if (index.bindingsByParam.has(name)) add('invariant-bound', `parameter '${name}' is declared invariant but also bound (to ${index.bindingsByParam.get(name)!.map((b) => `'${b.space}'`).join(', ')})`, { param: name });
    if (!shapes.has(name)) add('unknown-param', `invariant parameter '${name}' does not exist`, { param: name });
  }
  for (const name of shapes.keys()) {
    if (!index.bindingsByParam.has(name) && !invariant.has(name)) {
      add('unbound-param', `parameter '${name}' ${fmt(shapes.get(name)!)} is neither bound to a space nor declared invariant`, { param: name });
    }
  }
  return issues;
}

/** Throws a SpecError listing every issue of {@link validateSpec}. */
export function assertValidSpec(spec: SymmetrySpec, paramShapes?: ParamShapesLike): void {
  const issues = validateSpec(spec, paramShapes);
  if (issues.length) throw new SpecError(`spec '${spec.architecture}' has ${issues.length} problem${issues.length > 1 ? 's' : ''}:\n- ${issues.map((i) => i.message).join('\n- ')}`);
}
