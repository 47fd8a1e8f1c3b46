/**
 * The JSON form of a SymmetrySpec, so a user can describe a new architecture without code:
 *
 * ```json
 * { "format": "symfuse-symmetry-spec", "version": 1, "architecture": "my-mlp",
 *   "spaces":   [{ "id": "hidden", "size": 64, "component": "ffn", "kinds": ["permutation", "scale"] }],
 *   "bindings": [{ "param": "fc1.weight", "axis": 0, "space": "hidden", "role": "out" },
 *                { "param": "fc1.bias",   "axis": 0, "space": "hidden", "role": "out" },
 *                { "param": "fc2.weight", "axis": 1, "space": "hidden", "role": "in" }],
 *   "invariant": ["fc2.bias"],
 *   "params": { "fc1.weight": [64, 8], "fc1.bias": [64], "fc2.weight": [3, 64], "fc2.bias": [3] } }
 * ```
 * Validated by a zod schema (errors name the path, the value and what is allowed), then by
 * `validateSpec` against the spec's own `params` (and the model's shapes when given).
 */
import { z } from 'zod';
import { SpecError } from './errors.js';
import { formatZodIssues } from './internal/zod-format.js';
import { GROUP_KINDS, SPACE_COMPONENTS, type SymmetrySpec } from './spec.js';
import { type ParamShapesLike, validateSpec } from './spec-validate.js';

/** The `format` tag of a JSON spec. */
export const SPEC_JSON_FORMAT = 'symfuse-symmetry-spec';

const int = z.number().int();
const space = z
  .object({
    id: z.string().min(1),
    size: int.positive(),
    component: z.enum(SPACE_COMPONENTS as [string, ...string[]]),
    layer: int.nonnegative().optional(),
    kinds: z.array(z.enum(GROUP_KINDS as [string, ...string[]])),
    heads: z.object({ count: int.positive(), dim: int.positive() }).strict().optional(),
    headGroup: z.string().min(1).optional(),
  })
  .strict();
const binding = z
  .object({
    param: z.string().min(1),
    axis: int.nonnegative(),
    space: z.string().min(1),
    role: z.enum(['out', 'in']),
    range: z.tuple([int.nonnegative(), int.positive()]).optional(),
  })
  .strict();

/** The zod schema of the JSON form. */
export const specJsonSchema = z
  .object({
    format: z.literal(SPEC_JSON_FORMAT),
    version: z.literal(1),
    architecture: z.string().min(1),
    spaces: z.array(space),
    bindings: z.array(binding),
    invariant: z.array(z.string().min(1)).default([]),
    params: z.record(z.string(), z.array(int.nonnegative())),
  })
  .strict();

/** The JSON form as a TypeScript type. */
export type SpecJson = z.input<typeof specJsonSchema>;

/** Options of {@link specFromJson}. */
export interface SpecFromJsonOptions {
  /** Also check the spec against a model's parameter shapes. */
  readonly paramShapes?: ParamShapesLike;
}

/**
 * Parses and validates the JSON form (an object or JSON text).
 * @throws SpecError listing every problem: `path = value: what is allowed`, then `validateSpec` issues.
 */
export function specFromJson(input: unknown, options: SpecFromJsonOptions = {}): SymmetrySpec {
  let json = input;
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input);
    } catch (e) {
      throw new SpecError(`specFromJson: not valid JSON: ${(e as Error).message}`);
    }
  }
  const r = specJsonSchema.safeParse(json);
  if (!r.success) {
    const lines = formatZodIssues(r.error.issues, json, specJsonSchema);
    throw new SpecError(`specFromJson: the spec does not match the schema (${lines.length} problem${lines.length > 1 ? 's' : ''}):\n- ${lines.join('\n- ')}`);
  }
  const d = r.data;
  const spec: SymmetrySpec = {
    architecture: d.architecture,
    spaces: d.spaces.map((s) => ({
      id: s.id,
      size: s.size,
      component: s.component as SymmetrySpec['spaces'][number]['component'],
      kinds: s.kinds as SymmetrySpec['spaces'][number]['kinds'],
      ...(s.layer !== undefined ? { layer: s.layer } : {}),
      ...(s.heads ? { heads: s.heads } : {}),
      ...(s.headGroup !== undefined ? { headGroup: s.headGroup } : {}),
    })),
    bindings: d.bindings.map((b) => ({ param: b.param, axis: b.axis, space: b.space, role: b.role, ...(b.range ? { range: b.range } : {}) })),
    invariant: d.invariant,
    params: d.params,
  };
  const issues = [...validateSpec(spec), ...(options.paramShapes ? validateSpec(spec, options.paramShapes).filter((i) => i.code !== 'unused-space') : [])];
  const seen = new Set<string>();
  const unique = issues.filter((i) => !seen.has(i.message) && seen.add(i.message));
  if (unique.length) throw new SpecError(`specFromJson: spec '${spec.architecture}' is inconsistent (${unique.length} problem${unique.length > 1 ? 's' : ''}):\n- ${unique.map((i) => `${i.code}: ${i.message}`).join('\n- ')}`);
  return spec;
}

/** The JSON form of a spec (plain data; `JSON.stringify` it to save). */
export function specToJson(spec: SymmetrySpec): SpecJson {
  return {
    format: SPEC_JSON_FORMAT,
    version: 1,
    architecture: spec.architecture,
    spaces: spec.spaces.map((s) => ({ ...s, kinds: [...s.kinds], ...(s.heads ? { heads: { ...s.heads } } : {}) })),
    bindings: spec.bindings.map((b) => ({
      param: b.param,
      axis: b.axis,
      space: b.space,
      role: b.role,
      ...(b.range ? { range: [b.range[0], b.range[1]] as [number, number] } : {}),
    })),
    invariant: [...spec.invariant],
    params: Object.fromEntries(Object.entries(spec.params).map(([k, v]) => [k, [...v]])),
  };
}
