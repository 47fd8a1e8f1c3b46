/** The plugin factory of `@symfuse/plugins-rotation`. Nothing registers on import. */
import type { SymmetryPlugin } from '@symfuse/symmetry';
import { rotationAligner } from './aligner.js';

/** Plugin metadata (the name errors about duplicate ids cite). */
export const ROTATION_PLUGIN_META = {
  name: '@symfuse/plugins-rotation',
  version: '0.1.0',
  description: 'Per-head orthogonal Procrustes matching of attention (QK and VO) with rescaling and optional head pairing',
} as const;

/**
 * The rotation plugin: `createRegistry().use(coreSymmetryPlugin()).use(rotationPlugin()).freeze()`
 * registers the aligner `rotation`.
 */
export function rotationPlugin(): SymmetryPlugin {
  return { meta: ROTATION_PLUGIN_META, aligners: [rotationAligner()] };
}
