/**
 * `@symfuse/tensor/testing`: naive f64 oracles of every primitive kernel, closeness checks, a seeded
 * test-data generator and the conformance suite factories every backend runs. Test-only: it imports
 * vitest and fast-check, so it is a separate subpath export, not part of the main index.
 */
export * from './nd.js';
export * from './compare.js';
export * from './rng.js';
export * from './oracles/index.js';
export * from './conformance/index.js';
