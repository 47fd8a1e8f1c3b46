/**
 * The units a streaming merge walks through, in forward order: the embeddings, each encoder layer,
 * then the top (the final LayerNorm of pre-LN models and the task head). Each unit is read, run,
 * measured, aligned, merged and written on its own, so memory holds one unit's parameters and
 * statistics at a time.
 */
import { type EncoderConfig, type EncoderModelType, embeddingParamNames, type HeadKind, layerParamNames, parseTapSite } from '@symfuse/models';
import { gramSites } from '@symfuse/plugins-regmean';

/** One unit of the model. */
export interface MergeUnit {
  readonly kind: 'embeddings' | 'layer' | 'top';
  /** For messages and progress: `embeddings`, `layer 3`, `top`. */
  readonly label: string;
  readonly layer?: number;
  /** Its parameters, in canonical order. */
  readonly names: readonly string[];
  /**
   * The Gram sites (linear-input tap sites, named after their weights; Q/K/V under the query's name)
   * whose inputs this unit's forward computes (for the top: the head's; the encoder output feeds the
   * MLM transform).
   */
  readonly gramSites: readonly string[];
}

/**
 * The units of a model with parameters `names` (canonical order, e.g. `expectedParams`).
 * Parameters of neither the embeddings nor a layer (final LayerNorm, head) go to the top unit.
 * @throws Error when a layer lacks some of its 16 parameters.
 */
export function planUnits(config: EncoderConfig, head: HeadKind, names: readonly string[]): MergeUnit[] {
  const t = config.modelType as EncoderModelType;
  const sites = gramSites(config, head);
  const e = embeddingParamNames(t);
  const embeddings = new Set([e.word, e.position, e.tokenType, e.ln.weight, e.ln.bias]);
  const layerOf = new Map<string, number>();
  for (let l = 0; l < config.numLayers; l++) {
    const n = layerParamNames(t, l);
    for (const p of [n.query, n.key, n.value, n.attnOut, n.ln1, n.ffnIn, n.ffnOut, n.ln2]) {
      layerOf.set(p.weight, l);
      layerOf.set(p.bias, l);
    }
  }
  const units: MergeUnit[] = [{ kind: 'embeddings', label: 'embeddings', names: names.filter((n) => embeddings.has(n)), gramSites: [] }];
  for (let l = 0; l < config.numLayers; l++) {
    units.push({
      kind: 'layer',
      label: `layer ${l}`,
      layer: l,
      names: names.filter((n) => layerOf.get(n) === l),
      gramSites: sites.filter((s) => parseTapSite(s).layer === l),
    });
  }
  units.push({ kind: 'top', label: 'top', names: names.filter((n) => !embeddings.has(n) && !layerOf.has(n)), gramSites: sites.filter((s) => parseTapSite(s).layer === undefined) });
  const expectedLayer = 16;
  for (const u of units) {
    if (u.kind === 'layer' && u.names.length !== expectedLayer) {
      throw new Error(`streaming merge: ${u.label} has ${u.names.length} parameters; expected ${expectedLayer} (Q, K, V, W_O, LN₁, W_1, W_2, LN₂ weights and biases)`);
    }
  }
  return units;
}
