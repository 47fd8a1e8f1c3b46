export { valueAndGrad, type ValueAndGrad } from './tape.js';
export { registerGradient, gradientOf, type GradientFn } from './registry.js';
export { registerGradients, unbroadcast } from './gradients.js';
