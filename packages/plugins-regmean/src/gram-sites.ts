/**
 * Where Gram matrices live: the input of every linear layer is a tap site named after the layer's
 * weight (`@symfuse/models` taps). Q, K and V share one input, so their Gram is collected once, under
 * the query weight's name; the tied MLM decoder is the word embedding (merged as an embedding, by the
 * simple mean), so its input is not collected.
 */
import { type EncoderConfig, type EncoderModelType, type HeadKind, mlmHeadNames, parseTapSite, tapSites } from '@symfuse/models';

const SHARED_QKV = /\.attention\.self\.(key|value)\.weight$/;

/**
 * The name of the Gram entry that describes the input of linear weight `weightName`: the weight's own
 * name, except K and V, which share the query's (`….attention.self.query.weight`).
 */
export function gramNameFor(weightName: string): string {
  return weightName.replace(SHARED_QKV, '.attention.self.query.weight');
}

/**
 * The linear-input tap sites whose Grams a model of `config` with `head` yields, in forward order
 * (each named after its linear weight, Q/K/V once under the query).
 */
export function gramSites(config: EncoderConfig, head: HeadKind): string[] {
  const t = config.modelType as EncoderModelType;
  const decoder = head === 'mlm' ? mlmHeadNames(t).decoderWeight : undefined;
  return tapSites(t, config.numLayers, head).filter((s) => parseTapSite(s).kind === 'linear-input' && s !== decoder);
}
