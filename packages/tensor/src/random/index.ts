export { Rng } from './rng.js';
export type { MutableArrayLike } from './rng.js';
