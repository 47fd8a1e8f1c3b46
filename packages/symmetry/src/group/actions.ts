/**
 * The group actions in one place, for discoverability: every element kind supports identity, random
 * (seeded), inverse, compose and act (see the individual functions for contracts).
 */
import { actOnArray } from './act.js';
import { composeElements, inverseTransposeElement, invertElement } from './element-ops.js';
import { identityElement, randomElement } from './random.js';

/** identity(space), random(space, kinds, rng), inverse(e), inverseTranspose(e), compose(a, b) = a·b, act(e, x, site). */
export const groupActions = {
  identity: identityElement,
  random: randomElement,
  inverse: invertElement,
  inverseTranspose: inverseTransposeElement,
  compose: composeElements,
  act: actOnArray,
} as const;
