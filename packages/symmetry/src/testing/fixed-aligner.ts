/** An aligner that returns a transform the test chose: for tests of what happens around alignment. */
import type { Aligner } from '../interfaces.js';
import { SPACE_COMPONENTS } from '../spec.js';
import type { Transform } from '../transform.js';

/**
 * An aligner (default id `fixed`) for every component that ignores its request and returns `get()`:
 * for tests of how statistics, merges and reports follow a known transform (the pipeline still
 * validates it against the spec and the step's spaces).
 * @param get called on every `align`, so a test may set the transform after building the registry.
 */
export function fixedTransformAligner(get: () => Transform, id = 'fixed'): Aligner<Record<string, never>> {
  return {
    id,
    prettyName: 'Fixed transform (test)',
    reference: 'test',
    components: [...SPACE_COMPONENTS],
    options: { parse: () => ({}) },
    needs: [],
    async align() {
      return { transform: get(), trace: [], diagnostics: {} };
    },
  };
}
