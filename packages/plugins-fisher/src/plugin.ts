/**
 * The `@symfuse/plugins-fisher` plugin: merger `fisher` and the diagonal `fisher` collector.
 * Nothing registers on import: `createRegistry().use(coreSymmetryPlugin()).use(fisherPlugin())`.
 */
import type { SymmetryPlugin } from '@symfuse/symmetry';
import { fisherCollector } from './fisher-collector.js';
import { fisherMerger } from './fisher-merger.js';

/** The plugin's metadata name. */
export const FISHER_PLUGIN_NAME = '@symfuse/plugins-fisher';

/** A fresh plugin object: merger `fisher`; collector `fisher`. */
export function fisherPlugin(): SymmetryPlugin {
  return {
    meta: { name: FISHER_PLUGIN_NAME, version: '0.1.0', description: 'Diagonal Fisher statistics and Fisher-weighted averaging' },
    mergers: [fisherMerger()],
    collectors: [fisherCollector()],
  };
}
