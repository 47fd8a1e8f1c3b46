/**
 * The JSON form of a Transform (to save an alignment and apply it later). Numbers are written as
 * JSON numbers, which round-trip f64 exactly.
 */
import { z } from 'zod';
import { TransformError } from './errors.js';
import { formatZodIssues } from './internal/zod-format.js';
import type { SpaceElement, Transform } from './transform.js';

/** The `format` tag of a JSON transform. */
export const TRANSFORM_JSON_FORMAT = 'symfuse-transform';

const ints = z.array(z.number().int().nonnegative());
const nums = z.array(z.number());
const elementSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('permutation'), perm: ints }).strict(),
  z.object({ kind: z.literal('scale'), scale: nums }).strict(),
  z.object({ kind: z.literal('monomial'), perm: ints, scale: nums }).strict(),
  z
    .object({
      kind: z.literal('head'),
      headPerm: ints,
      headDim: z.number().int().positive(),
      blockKind: z.enum(['identity', 'permutation', 'orthogonal', 'scale', 'general']),
      blocks: z.array(nums).optional(),
    })
    .strict(),
  z.object({ kind: z.literal('dense'), matrix: nums, inverseTranspose: nums }).strict(),
]);

/** The zod schema of the JSON form. */
export const transformJsonSchema = z
  .object({
    format: z.literal(TRANSFORM_JSON_FORMAT),
    version: z.literal(1),
    preservesFunction: z.boolean(),
    elements: z.record(z.string(), elementSchema),
    paramOverrides: z.record(z.string(), z.record(z.string(), elementSchema)).optional(),
    provenance: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** The JSON form as a TypeScript type. */
export type TransformJson = z.input<typeof transformJsonSchema>;
type ElementJson = z.infer<typeof elementSchema>;

function elementToJson(e: SpaceElement): ElementJson {
  switch (e.kind) {
    case 'permutation':
      return { kind: 'permutation', perm: Array.from(e.perm) };
    case 'scale':
      return { kind: 'scale', scale: Array.from(e.scale) };
    case 'monomial':
      return { kind: 'monomial', perm: Array.from(e.perm), scale: Array.from(e.scale) };
    case 'head':
      return { kind: 'head', headPerm: Array.from(e.headPerm), headDim: e.headDim, blockKind: e.blockKind, ...(e.blocks ? { blocks: e.blocks.map((b) => Array.from(b)) } : {}) };
    case 'dense':
      return { kind: 'dense', matrix: Array.from(e.matrix), inverseTranspose: Array.from(e.inverseTranspose) };
  }
}

function elementFromJson(j: ElementJson): SpaceElement {
  switch (j.kind) {
    case 'permutation':
      return { kind: 'permutation', perm: Int32Array.from(j.perm) };
    case 'scale':
      return { kind: 'scale', scale: Float64Array.from(j.scale) };
    case 'monomial':
      return { kind: 'monomial', perm: Int32Array.from(j.perm), scale: Float64Array.from(j.scale) };
    case 'head':
      return { kind: 'head', headPerm: Int32Array.from(j.headPerm), headDim: j.headDim, blockKind: j.blockKind, ...(j.blocks ? { blocks: j.blocks.map((b) => Float64Array.from(b)) } : {}) };
    case 'dense':
      return { kind: 'dense', matrix: Float64Array.from(j.matrix), inverseTranspose: Float64Array.from(j.inverseTranspose) };
  }
}

const mapToJson = (m: ReadonlyMap<string, SpaceElement>) => Object.fromEntries([...m].map(([k, e]) => [k, elementToJson(e)]));
const mapFromJson = (r: Record<string, ElementJson>) => new Map(Object.entries(r).map(([k, e]) => [k, elementFromJson(e)] as const));

/** The JSON form of `t` (plain data; `JSON.stringify` it to save). */
export function transformToJson(t: Transform): TransformJson {
  return {
    format: TRANSFORM_JSON_FORMAT,
    version: 1,
    preservesFunction: t.preservesFunction,
    elements: mapToJson(t.elements),
    ...(t.paramOverrides ? { paramOverrides: Object.fromEntries([...t.paramOverrides].map(([p, m]) => [p, mapToJson(m)])) } : {}),
    ...(t.provenance ? { provenance: { ...t.provenance } } : {}),
  };
}

/**
 * Parses the JSON form (object or text). Structure only: check the result against a spec with
 * `validateTransform` (or let `applyTransform` do it).
 * @throws TransformError naming `path = value: what is allowed`.
 */
export function transformFromJson(input: unknown): Transform {
  let json = input;
  if (typeof input === 'string') {
    try {
      json = JSON.parse(input);
    } catch (e) {
      throw new TransformError(`transformFromJson: not valid JSON: ${(e as Error).message}`);
    }
  }
  const r = transformJsonSchema.safeParse(json);
  if (!r.success) throw new TransformError(`transformFromJson: invalid transform:\n- ${formatZodIssues(r.error.issues, json, transformJsonSchema).join('\n- ')}`);
  const d = r.data;
  return {
    elements: mapFromJson(d.elements),
    preservesFunction: d.preservesFunction,
    ...(d.paramOverrides ? { paramOverrides: new Map(Object.entries(d.paramOverrides).map(([p, m]) => [p, mapFromJson(m)] as const)) } : {}),
    ...(d.provenance ? { provenance: d.provenance } : {}),
  };
}
