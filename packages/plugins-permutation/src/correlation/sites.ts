/**
 * Which tap sites of `@symfuse/models` carry the features of which symmetry space (ALGORITHMS.md
 * "Correlation matching"):
 * - FFN space of layer L: `layer.L.ffn.activation` (post-activation, the input of W_2);
 * - attention spaces (QK and VO) of layer L: `layer.L.attention.context` (concatenated head contexts,
 *   the input of W_O);
 * - a head space (pooler ↔ classifier): the input of the linear layer that consumes the space (the
 *   weight bound to it on axis 1 with role `in`, e.g. `classifier.weight`), one row per sequence;
 * - the residual stream: `embeddings.output` (first), `layer.L.attention.residual` (x_a) and
 *   `layer.L.output` (x_f); the last layer's x_f is "last".
 */
import { TapSites } from '@symfuse/models';
import { indexSpec, type SpaceSpec, type SymmetrySpec } from '@symfuse/symmetry';

/** Number of encoder layers a spec describes (1 + the largest `layer` of its spaces; 0 when none). */
export function layerCount(spec: SymmetrySpec): number {
  let n = 0;
  for (const s of spec.spaces) if (s.layer !== undefined) n = Math.max(n, s.layer + 1);
  return n;
}

/** The residual-stream sites of an encoder with `numLayers` layers. */
export function residualSites(numLayers: number): { readonly first: string; readonly last: string; readonly all: readonly string[] } {
  const all: string[] = [TapSites.embeddingsOutput];
  for (let l = 0; l < numLayers; l++) all.push(TapSites.attentionResidual(l), TapSites.layerOutput(l));
  return { first: TapSites.embeddingsOutput, last: numLayers > 0 ? TapSites.layerOutput(numLayers - 1) : TapSites.embeddingsOutput, all };
}

/**
 * The tap site whose features index `space` (undefined for the residual stream, which has several
 * candidate sites, see {@link residualSites}).
 * @throws Error when a per-layer space has no layer, or a head space has no consuming linear weight.
 */
export function siteOfSpace(spec: SymmetrySpec, space: SpaceSpec): string | undefined {
  const needLayer = () => {
    if (space.layer === undefined) throw new Error(`correlation sites: space '${space.id}' (${space.component}) has no layer index; cannot find its tap site`);
    return space.layer;
  };
  switch (space.component) {
    case 'residual':
      return undefined;
    case 'ffn':
      return TapSites.ffnActivation(needLayer());
    case 'attention-qk':
    case 'attention-vo':
      return TapSites.attentionContext(needLayer());
    case 'head': {
      const consumer = (indexSpec(spec).bindingsBySpace.get(space.id) ?? []).find((b) => b.axis === 1 && b.role === 'in');
      if (!consumer) throw new Error(`correlation sites: head space '${space.id}' has no linear weight consuming it (a binding on axis 1 with role 'in'); cannot find its tap site`);
      return TapSites.linearInput(consumer.param);
    }
  }
}

/** Every site the Verma–Elbayad aligner may read for `spec`: residual sites, then each space's site. */
export function defaultCorrelationSites(spec: SymmetrySpec): string[] {
  const out = new Set<string>(residualSites(layerCount(spec)).all);
  for (const s of spec.spaces) {
    const site = siteOfSpace(spec, s);
    if (site) out.add(site);
  }
  return [...out];
}
