/**
 * The `@symfuse/plugins-regmean` plugin: mergers `simple` and `regmean`, and the `gram` collector.
 * Nothing registers on import: `createRegistry().use(coreSymmetryPlugin()).use(regmeanPlugin())`.
 */
import type { SymmetryPlugin } from '@symfuse/symmetry';
import { gramCollector } from './gram-collector.js';
import { regmeanMerger } from './regmean-merger.js';
import { simpleMerger } from './simple-merger.js';

/** The plugin's metadata name. */
export const REGMEAN_PLUGIN_NAME = '@symfuse/plugins-regmean';

/** A fresh plugin object: mergers `simple`, `regmean`; collector `gram`. */
export function regmeanPlugin(): SymmetryPlugin {
  return {
    meta: { name: REGMEAN_PLUGIN_NAME, version: '0.1.0', description: 'Simple (weighted) averaging and RegMean, with Gram statistics of linear-layer inputs' },
    mergers: [simpleMerger(), regmeanMerger()],
    collectors: [gramCollector()],
  };
}
