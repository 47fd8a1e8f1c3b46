/**
 * The permutation plugin: `createRegistry().use(coreSymmetryPlugin()).use(permutationPlugin())`.
 * Nothing registers on import.
 */
import type { SymmetryPlugin } from '@symfuse/symmetry';
import { correlationCollector } from './correlation/collector.js';
import { vermaElbayadAligner } from './verma-elbayad/aligner.js';
import { weightMatchingAligner } from './weight-matching/aligner.js';

/** Aligners `verma-elbayad` and `weight-matching`, and the pairwise `correlation` collector. */
export function permutationPlugin(): SymmetryPlugin {
  return {
    meta: {
      name: '@symfuse/plugins-permutation',
      version: '0.1.0',
      description: 'Verma & Elbayad correlation matching (FFN, head-perm MHA, residual strategies) and weight matching',
    },
    aligners: [vermaElbayadAligner(), weightMatchingAligner()],
    collectors: [correlationCollector()],
  };
}
