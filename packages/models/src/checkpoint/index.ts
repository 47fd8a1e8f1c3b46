export * from './model-dir.js';
