/**
 * Test helpers: planted problems where the model is the anchor under a random valid permutation
 * transform (residual, FFN, heads — QK and VO with the SAME head element, as Verma–Elbayad's P_MHA —
 * and the classifier head), probe batches, and one-call alignment.
 */
import type { EncoderConfig, HeadKind } from '@symfuse/models';
import {
  applyTransform,
  bertFamilyArchitecture,
  lapjvSolver,
  makeProbes,
  type ModelBatch,
  type ModelWeights,
  randomTransform,
  type SpaceElement,
  type SpaceSpec,
  type StatsBundle,
  type SymmetrySpec,
  type Transform,
} from '@symfuse/symmetry';
import { randomEncoderModel } from '@symfuse/symmetry/testing';
import type { AlignResult } from '@symfuse/symmetry';
import { alignVermaElbayad, alignWeightMatching, correlationCollector, type VermaElbayadOptions, vermaElbayadOptions, weightMatchingOptions } from '../src/index.js';

/** Which components to plant. */
export interface PlantWhat {
  readonly residual?: boolean;
  readonly ffn?: boolean;
  /** `heads`: σ and within-head permutations; `within`: σ = identity; `none`. */
  readonly attention?: 'heads' | 'within' | 'none';
  readonly head?: boolean;
  /** Give QK its own within-head blocks instead of VO's (weight matching can recover that). */
  readonly independentQk?: boolean;
}

/** A planted problem: θ (anchor), g·θ (model) and g. */
export interface Planted {
  readonly spec: SymmetrySpec;
  readonly anchor: ModelWeights<EncoderConfig>;
  readonly model: ModelWeights<EncoderConfig>;
  readonly g: Transform;
}

/** The spec of a config and head. */
export function specOf(config: EncoderConfig, head: HeadKind, params?: ModelWeights['params']): SymmetrySpec {
  return bertFamilyArchitecture().buildSpec(config, { head, ...(params ? { params } : {}) });
}

/** Plants a random valid permutation transform of the chosen components in a random model. */
export function plant(config: EncoderConfig, head: HeadKind, seed: number, what: PlantWhat, dtype: 'f32' | 'f64' = 'f32'): Planted {
  const anchor = randomEncoderModel(config, { seed, head, dtype });
  const spec = specOf(config, head, anchor.params);
  const pick = (s: SpaceSpec) =>
    (s.component === 'residual' && what.residual !== false) ||
    (s.component === 'ffn' && what.ffn !== false) ||
    ((s.component === 'attention-qk' || s.component === 'attention-vo') && (what.attention ?? 'heads') !== 'none') ||
    (s.component === 'head' && what.head !== false);
  const spaces = spec.spaces.filter(pick).map((s) => s.id);
  const kinds = what.attention === 'within' ? (['permutation'] as const) : (['permutation', 'head-permutation'] as const);
  const drawn = randomTransform(spec, { seed: seed + 1, kinds: [...kinds], spaces });
  const elements = new Map<string, SpaceElement>(drawn.elements);
  if (!what.independentQk) {
    for (const s of spec.spaces) {
      if (s.component !== 'attention-vo') continue;
      const qk = spec.spaces.find((x) => x.component === 'attention-qk' && x.headGroup === s.headGroup);
      const e = elements.get(s.id);
      if (qk && e) elements.set(qk.id, e);
    }
  }
  const g: Transform = { elements, preservesFunction: true };
  const model = { ...anchor, params: applyTransform(spec, g, anchor.params), id: `planted-${seed}` };
  return { spec, anchor: { ...anchor, id: `anchor-${seed}` }, model, g };
}

/** Seeded probe batches with padding (every sequence but the first is padded). */
export function probes(config: EncoderConfig, seed: number, count = 4, batch = 4, seqLen = 12): ModelBatch[] {
  return makeProbes(config, { seed, count, batch, seqLen }).map((b) => ({
    ids: b.ids as Int32Array,
    mask: b.mask as Int32Array,
    typeIds: b.typeIds as Int32Array,
    batch: b.batch,
    seqLen: b.seqLen,
  }));
}

/** Correlation statistics of anchor × model on `batches`. */
export async function correlations(
  spec: SymmetrySpec,
  anchor: ModelWeights,
  model: ModelWeights,
  batches: readonly ModelBatch[],
  sites?: readonly string[],
  precision: 'f32' | 'f64' = 'f64',
): Promise<StatsBundle> {
  return correlationCollector().collect({ spec, model, reference: anchor, batches, options: { ...(sites ? { sites } : {}), precision } });
}

/** Runs the Verma–Elbayad aligner on every space of the spec (or `spaces`). */
export async function alignVE(
  spec: SymmetrySpec,
  anchor: ModelWeights,
  model: ModelWeights,
  stats: StatsBundle,
  options: Partial<VermaElbayadOptions> = {},
  spaces: readonly SpaceSpec[] = spec.spaces,
): Promise<AlignResult> {
  return alignVermaElbayad({
    spec,
    anchor,
    model,
    spaces,
    options: vermaElbayadOptions.parse(options),
    stats: new Map([['correlation', stats]]),
    solver: lapjvSolver(),
    seed: 0,
  });
}

/** Runs weight matching on every space of the spec (or `spaces`). */
export async function alignWM(spec: SymmetrySpec, anchor: ModelWeights, model: ModelWeights, options: Record<string, unknown> = {}, spaces: readonly SpaceSpec[] = spec.spaces, seed = 0): Promise<AlignResult> {
  return alignWeightMatching({ spec, anchor, model, spaces, options: weightMatchingOptions.parse(options), stats: new Map(), solver: lapjvSolver(), seed });
}

/** Largest |a − b| over every parameter of two models. */
export function maxParamDiff(a: ModelWeights, b: ModelWeights): number {
  let m = 0;
  for (const [name, t] of a.params) {
    const x = t.dataSync() as Float32Array;
    const y = b.params.get(name)!.dataSync() as Float32Array;
    for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  }
  return m;
}
