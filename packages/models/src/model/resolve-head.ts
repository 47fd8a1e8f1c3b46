/**
 * Which head a model has: explicit, else from HF `architectures`, else from the parameters present.
 */
import { UnsupportedConfigError } from './errors.js';
import { classifierHeadNames, mlmHeadNames } from './head-names.js';
import type { EncoderConfig, EncoderModelType, HeadKind } from './types.js';
import { HEAD_KINDS } from './types.js';

/** The head an HF architecture name implies, or undefined for an architecture this family does not know. */
export function headOfArchitecture(arch: string): HeadKind | undefined {
  if (/ForMaskedLM$/.test(arch)) return 'mlm';
  if (/ForSequenceClassification$/.test(arch)) return 'classifier';
  if (/Model$/.test(arch)) return 'none';
  return undefined;
}

/**
 * Resolves the head: `explicit` if given; else the first known entry of `config.architectures`;
 * else `mlm`/`classifier` when that head's first parameter is in `names`; else `none`.
 */
export function resolveHead(config: EncoderConfig, names?: Iterable<string>, explicit?: HeadKind): HeadKind {
  if (explicit !== undefined) {
    if (!HEAD_KINDS.includes(explicit)) {
      throw new UnsupportedConfigError('head', `is ${JSON.stringify(explicit)}; supported: ${HEAD_KINDS.join(', ')}`);
    }
    return explicit;
  }
  for (const a of config.architectures ?? []) {
    const h = headOfArchitecture(a);
    if (h) return h;
  }
  if (names && (config.modelType === 'bert' || config.modelType === 'roberta')) {
    const t = config.modelType as EncoderModelType;
    const set = names instanceof Set || names instanceof Map ? names : new Set(names);
    if (set.has(mlmHeadNames(t).dense.weight)) return 'mlm';
    if (set.has(classifierHeadNames(t).out.weight)) return 'classifier';
  }
  return 'none';
}
