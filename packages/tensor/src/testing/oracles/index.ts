/** Naive f64 reference implementations of every primitive kernel, for conformance tests. */
export * from './elementwise.js';
export * from './linalg.js';
export * from './layout.js';
export * from './reduce.js';
export * from './nn.js';
