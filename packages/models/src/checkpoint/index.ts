export * from './model-dir.js';
export * from './lazy-model-dir.js';
