/**
 * Space selectors of the pipeline: component names (`residual`, `ffn`, `attention`, `attention-qk`,
 * `attention-vo`, `head`) or space ids with `*` wildcards.
 */
import { PipelineError } from '../errors.js';
import { SPACE_COMPONENTS, type SpaceComponent, type SpaceSpec, type SymmetrySpec } from '../spec.js';

/** Selector names that stand for components. */
export const COMPONENT_SELECTORS: Readonly<Record<string, readonly SpaceComponent[]>> = {
  residual: ['residual'],
  ffn: ['ffn'],
  attention: ['attention-qk', 'attention-vo'],
  'attention-qk': ['attention-qk'],
  'attention-vo': ['attention-vo'],
  head: ['head'],
};

/** Result of {@link selectSpaces}. */
export interface Selection {
  /** Selected spaces in spec order, without duplicates. */
  readonly spaces: readonly SpaceSpec[];
  /** Component selectors that matched nothing in this spec (e.g. `head` on an MLM model). */
  readonly empty: readonly string[];
}

function globToRegExp(glob: string): RegExp {
  const body = glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`);
}

/**
 * The spaces `selectors` name.
 * @throws PipelineError for a space id (or pattern) that matches no space, listing components and ids.
 */
export function selectSpaces(spec: SymmetrySpec, selectors: readonly string[]): Selection {
  const chosen = new Set<string>();
  const empty: string[] = [];
  for (const sel of selectors) {
    const comps = COMPONENT_SELECTORS[sel];
    let matched: SpaceSpec[];
    if (comps) {
      matched = spec.spaces.filter((s) => comps.includes(s.component));
      if (matched.length === 0) empty.push(sel);
    } else {
      const re = globToRegExp(sel);
      matched = spec.spaces.filter((s) => re.test(s.id));
      if (matched.length === 0) {
        const ids = spec.spaces.map((s) => s.id);
        throw new PipelineError(
          `space selector '${sel}' matches nothing in spec '${spec.architecture}'; use a component (${Object.keys(COMPONENT_SELECTORS).join(', ')}) or a space id (${ids.slice(0, 8).join(', ')}${ids.length > 8 ? ', …' : ''})`,
        );
      }
    }
    for (const s of matched) chosen.add(s.id);
  }
  return { spaces: spec.spaces.filter((s) => chosen.has(s.id)), empty };
}

/** The component selectors covering `components` (for an aligner's default selection). */
export function selectorsFor(components: readonly SpaceComponent[]): string[] {
  return components.filter((c) => SPACE_COMPONENTS.includes(c));
}
