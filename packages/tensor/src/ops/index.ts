export * from './elementwise.js';
export * from './linalg-ops.js';
export * from './layout.js';
export * from './reduce.js';
export * from './nn.js';
