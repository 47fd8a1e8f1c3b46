export * from './adamw.js';
export * from './schedule.js';
export * from './losses.js';
export * from './train-loop.js';
export * from './tasks.js';
