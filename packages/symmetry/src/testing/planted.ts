/**
 * The planted-recovery harness for aligner tests: plant a random symmetry `g` in a random model θ and
 * check that the aligner, given (θ, g·θ), finds a transform `f` with `f ∘ g = identity` on the
 * planted spaces (it maps g·θ back onto θ).
 */
import type { EncoderConfig, HeadKind } from '@symfuse/models';
import { applyTransform } from '../apply.js';
import { bertFamilyArchitecture } from '../architectures/bert-family.js';
import { elementSize, identityDefect } from '../group/element-ops.js';
import { randomTransform } from '../group/random.js';
import type { ModelWeights } from '../interfaces.js';
import type { GroupKind, SymmetrySpec } from '../spec.js';
import type { SpaceElement, Transform } from '../transform.js';
import { composeTransforms } from '../transform-ops.js';
import { randomEncoderModel } from './random-model.js';

/** Options of {@link plantedRecovery}. */
export interface PlantedOptions {
  readonly config: EncoderConfig;
  /** Kinds to plant; each space gets the ones it admits. */
  readonly kinds: readonly GroupKind[];
  readonly seed: number;
  /** Default: from the config, else `none`. */
  readonly head?: HeadKind;
  /** Only these space ids (default: every space that admits one of `kinds`). */
  readonly spaces?: readonly string[];
  readonly dtype?: 'f32' | 'f64';
}

/** A planted problem. */
export interface PlantedProblem {
  readonly spec: SymmetrySpec;
  /** θ. */
  readonly anchor: ModelWeights<EncoderConfig>;
  /** g·θ, functionally identical to θ. */
  readonly planted: ModelWeights<EncoderConfig>;
  /** The planted symmetry. */
  readonly g: Transform;
}

/** Draws θ and a symmetry g (seeded) and returns θ, g·θ and g. */
export function plantedRecovery(options: PlantedOptions): PlantedProblem {
  const anchor = randomEncoderModel(options.config, { seed: options.seed, head: options.head, dtype: options.dtype });
  const spec = bertFamilyArchitecture().buildSpec(options.config, { head: anchor.head, params: anchor.params });
  const g = randomTransform(spec, { seed: options.seed + 1, kinds: options.kinds, spaces: options.spaces });
  const planted = { ...anchor, params: applyTransform(spec, g, anchor.params), id: `planted-${options.seed}` };
  return { spec, anchor: { ...anchor, id: `anchor-${options.seed}` }, planted, g };
}

/** Options of {@link expectRecovered}. */
export interface RecoveredOptions {
  /** Largest allowed |(f∘g) − I| entry for continuous elements (default 1e-6); permutations are exact. */
  readonly tolerance?: number;
  /** Spaces to check (default: every space of `g` and `found`). */
  readonly spaces?: readonly string[];
}

function describe(e: SpaceElement | undefined): string {
  if (!e) return 'identity';
  if (e.kind === 'permutation') return `permutation [${Array.from(e.perm.slice(0, 12)).join(', ')}${e.perm.length > 12 ? ', …' : ''}]`;
  if (e.kind === 'head') return `head element σ=[${Array.from(e.headPerm).join(', ')}] (${e.blockKind} blocks)`;
  return `${e.kind} of size ${elementSize(e)}`;
}

/**
 * Asserts `found ∘ g = identity` on the spaces (found undoes the planted g).
 * @throws Error listing each space where it does not, with the defect and both elements.
 */
export function expectRecovered(found: Transform, g: Transform, spec: SymmetrySpec, options: RecoveredOptions = {}): void {
  const tol = options.tolerance ?? 1e-6;
  const ids = options.spaces ?? [...new Set([...g.elements.keys(), ...found.elements.keys()])];
  const composed = composeTransforms(found, g);
  const failures: string[] = [];
  for (const id of ids) {
    if (!spec.spaces.some((s) => s.id === id)) throw new Error(`expectRecovered: space '${id}' is not in spec '${spec.architecture}'`);
    const e = composed.elements.get(id);
    const defect = e ? identityDefect(e) : 0;
    if (!(defect <= tol)) {
      failures.push(`space '${id}': (found ∘ g) deviates from the identity by ${defect === Infinity ? 'a permutation' : defect.toExponential(3)} (tolerance ${tol}); g = ${describe(g.elements.get(id))}, found = ${describe(found.elements.get(id))}`);
    }
  }
  if (failures.length) throw new Error(`expectRecovered: the aligner did not undo the planted transform on ${failures.length} of ${ids.length} spaces:\n- ${failures.join('\n- ')}`);
}
