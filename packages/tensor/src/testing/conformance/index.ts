/**
 * Conformance suite factories. A backend's test file calls them with a getter of the backend:
 *
 * ```ts
 * describeConformance('cpu', async () => getBackend('cpu'), { f64: true });
 * describeProperties('cpu', async () => getBackend('cpu'));
 * ```
 *
 * They use only the public API (`tensor(…, { backend })`, ops, `await t.data()`), so the WebGPU
 * backend runs exactly the same checks. Tolerances are per kernel (see {@link F32_TOLERANCES});
 * a backend may loosen one with `options.tolerances`, with the reason written next to it.
 */
import { beforeAll, describe } from 'vitest';
import type { Backend } from '../../backend.js';
import { elementwiseConformance } from './elementwise.js';
import { type ConformanceOptions, type SuiteContext, makeContext } from './harness.js';
import { layoutConformance } from './layout.js';
import { linalgConformance } from './linalg.js';
import { nnConformance } from './nn.js';
import { propertySuite } from './properties.js';
import { reduceConformance } from './reduce.js';

export { AWKWARD_SIZES, F32_TOLERANCES, Harness, type ConformanceOptions, type SuiteContext, type ToleranceKey } from './harness.js';

/** The kernel families {@link describeConformance} can run (all by default). */
export type KernelFamily = 'elementwise' | 'linalg' | 'layout' | 'reduce' | 'nn';

const FAMILIES: Record<KernelFamily, (ctx: SuiteContext) => void> = {
  elementwise: elementwiseConformance,
  linalg: linalgConformance,
  layout: layoutConformance,
  reduce: reduceConformance,
  nn: nnConformance,
};

function withBackend(getBackend: () => Promise<Backend>, options: ConformanceOptions): SuiteContext {
  let backend: Backend | undefined;
  beforeAll(async () => {
    backend = await getBackend();
  });
  return makeContext(() => {
    if (!backend) throw new Error('conformance: backend not initialised (the suite’s beforeAll did not run or failed)');
    return backend;
  }, options);
}

/**
 * Registers (vitest `describe`) the oracle conformance tests of every primitive kernel — or of the
 * listed `families` — on the backend `getBackend` resolves to. Call at a test file's top level.
 */
export function describeConformance(
  backendName: string, getBackend: () => Promise<Backend>, options: ConformanceOptions & { families?: readonly KernelFamily[] } = {},
): void {
  describe(`conformance on ${backendName}`, () => {
    const ctx = withBackend(getBackend, options);
    for (const family of options.families ?? (Object.keys(FAMILIES) as KernelFamily[])) {
      describe(family, () => FAMILIES[family](ctx));
    }
  });
}

/** Registers the algebraic property tests (adjoints, inverses, normalisations) on a backend. */
export function describeProperties(backendName: string, getBackend: () => Promise<Backend>, options: ConformanceOptions = {}): void {
  describe(`kernel properties on ${backendName}`, () => {
    propertySuite(withBackend(getBackend, options));
  });
}
