/**
 * Worked example of docs/adding-an-architecture.md: a two-layer ReLU MLP as a JSON spec and as an
 * architecture provider plugin; spec validation, invariance under random symmetries, and a negative
 * test.
 */
import { describe, expect, it } from 'vitest';
import { fromHost, type Tensor } from '@symfuse/tensor';
import {
  type ArchitectureProvider,
  applyTransform,
  coreSymmetryPlugin,
  createRegistry,
  createRng,
  forcedTransform,
  randomTransform,
  specFromJson,
  specToJson,
  type SymmetryPlugin,
  type SymmetrySpec,
  validateSpec,
} from '@symfuse/symmetry';

interface MlpConfig {
  readonly modelType: 'mlp';
  readonly inputs: number;
  readonly hidden: number;
  readonly outputs: number;
}

/** The MLP's spec, from its config. */
function mlpSpec(c: MlpConfig): SymmetrySpec {
  return {
    architecture: 'mlp-relu',
    spaces: [{ id: 'hidden', size: c.hidden, component: 'ffn', kinds: ['permutation', 'scale'] }],
    bindings: [
      { param: 'fc1.weight', axis: 0, space: 'hidden', role: 'out' },
      { param: 'fc1.bias', axis: 0, space: 'hidden', role: 'out' },
      { param: 'fc2.weight', axis: 1, space: 'hidden', role: 'in' },
    ],
    invariant: ['fc2.bias'],
    params: { 'fc1.weight': [c.hidden, c.inputs], 'fc1.bias': [c.hidden], 'fc2.weight': [c.outputs, c.hidden], 'fc2.bias': [c.outputs] },
  };
}

/** The architecture provider. */
export function mlpArchitecture(): ArchitectureProvider<MlpConfig> {
  return {
    id: 'mlp-relu',
    prettyName: 'Two-layer ReLU MLP',
    matches: (config) => (config as { modelType?: string })?.modelType === 'mlp',
    buildSpec: (config) => mlpSpec(config),
  };
}

export function mlpPlugin(): SymmetryPlugin {
  return { meta: { name: 'docs-mlp', version: '0.1.0', description: 'two-layer ReLU MLP (docs example)' }, architectures: [mlpArchitecture()] };
}

/** y = W2 relu(W1 x + b1) + b2 for a batch of inputs `[n, inputs]`, in f64 on the host. */
function mlpForward(c: MlpConfig, p: ReadonlyMap<string, Tensor>, x: Float64Array): Float64Array {
  const [W1, b1, W2, b2] = ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias'].map((k) => p.get(k)!.dataSync());
  const n = x.length / c.inputs;
  const y = new Float64Array(n * c.outputs);
  const h = new Float64Array(c.hidden);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < c.hidden; i++) {
      let s = b1[i];
      for (let k = 0; k < c.inputs; k++) s += W1[i * c.inputs + k] * x[r * c.inputs + k];
      h[i] = Math.max(0, s);
    }
    for (let o = 0; o < c.outputs; o++) {
      let s = b2[o];
      for (let i = 0; i < c.hidden; i++) s += W2[o * c.hidden + i] * h[i];
      y[r * c.outputs + o] = s;
    }
  }
  return y;
}

function randomParams(c: MlpConfig, seed: number): Map<string, Tensor> {
  const rng = createRng(seed);
  const rand = () => 2 * rng.uniform() - 1;
  const make = (shape: number[]) => fromHost(Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, rand), shape);
  return new Map([
    ['fc1.weight', make([c.hidden, c.inputs])],
    ['fc1.bias', make([c.hidden])],
    ['fc2.weight', make([c.outputs, c.hidden])],
    ['fc2.bias', make([c.outputs])],
  ]);
}

const maxDiff = (a: Float64Array, b: Float64Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('docs: adding an architecture', () => {
  const config: MlpConfig = { modelType: 'mlp', inputs: 3, hidden: 6, outputs: 2 };
  const registry = createRegistry().use(coreSymmetryPlugin()).use(mlpPlugin()).freeze();

  it('the provider is found by config and its spec is complete', () => {
    const spec = registry.architectureFor(config).buildSpec(config);
    expect(registry.architectureFor(config).id).toBe('mlp-relu');
    expect(validateSpec(spec, randomParams(config, 1))).toEqual([]);
    // a parameter the spec forgot is reported
    const extra = randomParams(config, 1).set('fc3.weight', fromHost(new Float64Array(4), [2, 2]));
    expect(validateSpec(spec, extra).map((i) => i.code)).toEqual(['unbound-param']);
  });

  it('the same spec can be written as JSON, without code', () => {
    const json = JSON.stringify(specToJson(mlpSpec(config)));
    expect(specFromJson(json)).toEqual(mlpSpec(config));
  });

  it('random permutation × positive scaling of the hidden layer keeps the function', () => {
    const spec = mlpSpec(config);
    const params = randomParams(config, 7);
    const x = Float64Array.from({ length: 5 * config.inputs }, (_, i) => Math.sin(i + 1));
    for (let seed = 0; seed < 20; seed++) {
      const t = randomTransform(spec, { seed });
      const moved = applyTransform(spec, t, params);
      expect(maxDiff(mlpForward(config, moved, x), mlpForward(config, params, x))).toBeLessThan(1e-12);
      expect(moved.get('fc2.bias')).toBe(params.get('fc2.bias')); // invariant: untouched
    }
  });

  it('a rotation of the hidden layer is not a symmetry of ReLU: outputs change', () => {
    const spec = mlpSpec(config);
    const params = randomParams(config, 7);
    const x = Float64Array.from({ length: 5 * config.inputs }, (_, i) => Math.cos(i));
    const rotation = forcedTransform(spec, ['hidden'], ['orthogonal'], 3);
    expect(() => applyTransform(spec, { ...rotation, preservesFunction: true }, params)).toThrow(/needs kind 'orthogonal'/);
    const moved = applyTransform(spec, rotation, params);
    expect(maxDiff(mlpForward(config, moved, x), mlpForward(config, params, x))).toBeGreaterThan(1e-3);
  });
});
